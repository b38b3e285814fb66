"""The FastAPI application: JSON API, dashboard page, static files and offline API docs.

Everything the browser loads comes from this server (vendored Leaflet, Natural Earth outlines,
Swagger UI), so the dashboard works with no internet. A strict Content-Security-Policy allows
scripts from this origin only: even if some article text were ever inserted as HTML by mistake,
the browser would refuse to run a script it carried.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .. import __version__
from ..errors import Errors, FlashpointError
from ..store import InvalidFilter, open_store
from ..web import STATIC_DIR
from .params import PAGING_RULE
from .routes import Conflict, Forbidden, NotFound, router

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

DESCRIPTION = (
    "Conflict events extracted from news reports, each with its evidence. Spans are "
    "[start, end) character offsets into the reporting article's clean text "
    "(`/api/articles/{id}`). Invalid parameters return 400 with a coded message. "
    + PAGING_RULE
)


def _error(status: int, err: FlashpointError) -> JSONResponse:
    return JSONResponse({"detail": str(err), "code": err.code}, status_code=status)


def _answer(status: int) -> Callable[[Request, Exception], Awaitable[Response]]:
    """The handler that answers a coded error with ``status`` (the client's fault: no log)."""

    async def handler(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, FlashpointError)
        return _error(status, exc)

    return handler


async def _failed(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, FlashpointError)
    log.error("request failed: %s", exc)
    return _error(500, exc)


async def _bad_request(_: Request, exc: Exception) -> Response:
    """FastAPI's type and range checks, reported in the same E070 shape as filter errors."""
    assert isinstance(exc, RequestValidationError)
    problems = []
    for problem in exc.errors():
        loc = problem.get("loc") or ()
        name = str(loc[-1]) if loc else "request"
        problems.append(
            Errors.E070.format(name=name, value=problem.get("input"), detail=problem.get("msg"))
        )
    return JSONResponse({"detail": "; ".join(problems), "code": "E070"}, status_code=400)


def create_app(
    db_url: str | os.PathLike[str],
    *,
    allowed_hosts: Sequence[str] | None = None,
    allow_edits: bool = False,
) -> FastAPI:
    """The application over the store at ``db_url`` (opened now, closed at shutdown).

    ``allowed_hosts``: accept only requests whose ``Host`` is one of these (the CLI passes the
    loopback names, which defeats DNS-rebinding pages reading a local server); None accepts any.
    ``allow_edits``: serve the cluster split and merge routes (off: they answer 403).
    """
    store = open_store(db_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="Flashpoint",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.allow_edits = allow_edits
    app.include_router(router)
    for kind, status in ((InvalidFilter, 400), (NotFound, 404), (Forbidden, 403), (Conflict, 409)):
        app.add_exception_handler(kind, _answer(status))
    app.add_exception_handler(FlashpointError, _failed)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC_DIR / "docs.html", media_type="text/html")

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    return app
