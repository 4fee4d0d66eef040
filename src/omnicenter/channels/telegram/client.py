"""A small Telegram Bot API client: `call(method, payload)` and `download(file_id)`.

Errors are translated here, once: no answer, a 5xx or a 429 (`retry_after`) is a temporary
`SendError`; any other `ok: false` is permanent and says Telegram's description (403 "bot
was blocked by the user", 400 "chat not found"). The token is part of every URL, so URLs
are never put into errors or logs.
"""

from __future__ import annotations

from typing import Any

import httpx

from omnicenter.channels.errors import SendError
from omnicenter.channels.meta.media import MediaGone, MediaUnavailable, fetch_file

__all__ = ["BotApi"]


class BotApi:
    def __init__(
        self,
        token: str,
        *,
        api_base: str = "https://api.telegram.org",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.token = token
        self._client = httpx.AsyncClient(
            base_url=api_base.rstrip("/"), timeout=15.0, transport=transport
        )

    async def call(self, method: str, payload: dict[str, Any]) -> Any:
        """The method's `result`; `SendError` when Telegram does not answer `ok`."""
        try:
            resp = await self._client.post(f"/bot{self.token}/{method}", json=payload)
        except httpx.HTTPError as exc:
            raise SendError(
                f"Telegram unreachable ({type(exc).__name__})", temporary=True
            ) from None
        try:
            data = resp.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("ok") is True:
            return data.get("result")
        code = data.get("error_code") if isinstance(data, dict) else None
        description = data.get("description") if isinstance(data, dict) else None
        temporary = resp.status_code >= 500 or resp.status_code == 429 or code == 429
        raise SendError(
            f"Telegram refused {method} ({code or resp.status_code}): {description or 'no reason'}",
            temporary=temporary,
        )

    async def download(self, file_id: str) -> bytes:
        """A file's bytes (`getFile`, then the file path); `MediaGone` for a file Telegram
        will not give (over 20 MB, unknown), `MediaUnavailable` for what may work later."""
        try:
            info = await self.call("getFile", {"file_id": file_id})
        except SendError as exc:
            if exc.temporary:
                raise MediaUnavailable(exc.reason) from None
            raise MediaGone(exc.reason) from None
        path = info.get("file_path") if isinstance(info, dict) else None
        if not isinstance(path, str) or not path:
            raise MediaGone(f"no file_path for {file_id}")
        return await fetch_file(self._client, f"/file/bot{self.token}/{path}")

    async def aclose(self) -> None:
        await self._client.aclose()
