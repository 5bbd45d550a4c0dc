"""The web app: newsroom pages under ``/desk``, the JSON API under ``/api/v1``, the public
site at ``/``. ``create_app`` builds it; ``serve`` runs it with uvicorn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from factdesk.settings import Settings

__all__ = ["create_app", "serve"]


def create_app(settings: Settings, **kwargs: Any) -> FastAPI:
    from factdesk.web.app import create_app as build

    return build(settings, **kwargs)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the app until interrupted (one process; put several behind a load balancer to
    scale out: sessions and rate limits live in the database)."""
    import uvicorn

    from factdesk import logs

    logs.configure(settings)  # uvicorn's loggers go through our format and redaction
    worker = None
    if settings.embedded_worker:  # the one-machine default: background jobs in this process
        from factdesk.jobs import Worker
        from factdesk.queue import get_queue

        worker = Worker(get_queue(settings))
        worker.start()
    try:
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            proxy_headers=False,
            server_header=False,
            log_config=None,
            log_level="info",
        )
    finally:
        if worker is not None:
            worker.stop()
