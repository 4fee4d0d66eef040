"""The HTTP edge: REST under /api/v1 (OpenAPI), WebSockets, webhooks and the web pages."""

from omnicenter.api.app import create_app

__all__ = ["create_app"]
