"""Entry point for ASGI servers: `uvicorn service.main:create_app --factory`."""

from __future__ import annotations

from service.app import create_app

__all__ = ["create_app"]
