"""Meta's Graph API, as the three Meta channels use it: send a message, fetch a file.

Errors come back as `{"error": {"message", "type", "code", "error_subcode",
"error_data": {"details"}, "fbtrace_id"}}`. They are translated here, once, into the
channels' `SendError`: throttling and Meta's own outages are temporary; a message outside
the 24-hour customer-service window is `OutsideWindow` (permanent: only a template or a
tagged message may go); anything else is a permanent refusal naming Meta's code.
"""

from __future__ import annotations

from typing import Any

import httpx

from omnicenter.channels.errors import SendError
from omnicenter.channels.meta.media import MediaGone, MediaUnavailable, fetch_file

__all__ = ["GraphApi", "GraphError", "OutsideWindow"]

# Throttling (4, 17, 32, 613, 80007, WhatsApp's 130429 and 131056) and Meta-side failures
# (1, 2, WhatsApp's 131000 and 131016): the same message may go through later.
_TEMPORARY_CODES = frozenset({1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 131056})
# WhatsApp's re-engagement error; Messenger's and Instagram's code 10 with subcode 2018278
# ("This message is sent outside of allowed window").
_WHATSAPP_WINDOW = 131047
_SEND_API_WINDOW = (10, 2018278)


class GraphError(SendError):
    """A refusal by the Graph API with Meta's `code` (and `subcode`)."""

    def __init__(self, reason: str, *, temporary: bool, code: int | None, subcode: int | None):
        super().__init__(reason, temporary=temporary)
        self.code = code
        self.subcode = subcode


class OutsideWindow(GraphError):
    """The customer last wrote more than 24 hours ago: a free-form message is refused."""


class GraphApi:
    """`base_url` includes the version (`https://graph.facebook.com/v21.0`); `token` is the
    access token sent as a bearer token."""

    def __init__(
        self, base_url: str, token: str, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.token = token
        self._auth = {"Authorization": f"Bearer {token}"}
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/", timeout=15.0, transport=transport
        )

    async def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST `payload` as JSON to `path`; the answer's JSON, or `GraphError`."""
        try:
            resp = await self._client.post(path.lstrip("/"), json=payload, headers=self._auth)
        except httpx.HTTPError as exc:
            raise GraphError(
                f"Graph API unreachable: {exc}", temporary=True, code=None, subcode=None
            ) from exc
        return _answer(resp)

    async def get_json(self, path: str) -> dict[str, Any]:
        """GET `path` (a media id's metadata): its JSON; `MediaGone` for a refusal,
        `MediaUnavailable` for a failure a retry may cure."""
        try:
            resp = await self._client.get(path.lstrip("/"), headers=self._auth)
        except httpx.HTTPError as exc:
            raise MediaUnavailable(f"Graph API unreachable: {exc}") from exc
        try:
            return _answer(resp)
        except GraphError as exc:
            if exc.temporary:
                raise MediaUnavailable(exc.reason) from exc
            raise MediaGone(exc.reason) from exc

    async def download(self, url: str, *, authorized: bool = True) -> bytes:
        """The bytes at `url` (a media URL: Meta's lookaside needs the bearer token, a
        Messenger attachment's CDN URL is not given it)."""
        return await fetch_file(self._client, url, headers=self._auth if authorized else None)

    async def aclose(self) -> None:
        await self._client.aclose()


def _answer(resp: httpx.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        data = None
    if resp.status_code < 400 and isinstance(data, dict):
        return data
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        temporary = resp.status_code >= 500 or resp.status_code == 429
        raise GraphError(
            f"Graph API answered {resp.status_code}", temporary=temporary, code=None, subcode=None
        )
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    details = (
        error.get("error_data", {}).get("details")
        if isinstance(error.get("error_data"), dict)
        else None
    )
    message = str(details or error.get("message") or "refused")
    if code == _WHATSAPP_WINDOW or (code, subcode) == _SEND_API_WINDOW:
        raise OutsideWindow(
            "outside the 24-hour customer-service window: the customer last wrote more than"
            f" 24 hours ago, only an approved template (or a tagged message) may be sent"
            f" (Meta error {code}: {message})",
            temporary=False,
            code=code,
            subcode=subcode,
        )
    temporary = code in _TEMPORARY_CODES or resp.status_code >= 500
    raise GraphError(
        f"Graph API refused (error {code}): {message}",
        temporary=temporary,
        code=code,
        subcode=subcode,
    )


def _int(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
