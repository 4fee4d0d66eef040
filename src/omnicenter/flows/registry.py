"""Published flow versions. A conversation is pinned to the version it started on;
publishing a new version only changes which version new conversations get."""

from __future__ import annotations

from omnicenter.flows.model import Flow

__all__ = ["FlowRegistry", "VersionError"]


class VersionError(ValueError):
    """A version that is not newer than the published one, or one that does not exist."""


class FlowRegistry:
    def __init__(self) -> None:
        self._versions: dict[str, dict[int, Flow]] = {}

    def publish(self, flow: Flow) -> None:
        versions = self._versions.setdefault(flow.id, {})
        latest = max(versions, default=0)
        if flow.version <= latest:
            raise VersionError(
                f"flow {flow.id} v{flow.version} is not newer than published v{latest}"
            )
        versions[flow.version] = flow

    def latest(self, flow_id: str) -> Flow:
        versions = self._versions.get(flow_id)
        if not versions:
            raise VersionError(f"no flow {flow_id!r} is published")
        return versions[max(versions)]

    def get(self, flow_id: str, version: int) -> Flow:
        try:
            return self._versions[flow_id][version]
        except KeyError:
            raise VersionError(f"flow {flow_id!r} v{version} is not published") from None

    def versions(self, flow_id: str) -> list[int]:
        return sorted(self._versions.get(flow_id, {}))
