"""Running the app: in the foreground for ``flashpoint serve``, or on a background thread for
notebooks, scripts and tests that want real HTTP on a loopback port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

LOOPBACK_NAMES = ("127.0.0.1", "localhost")
IPV6_LOOPBACK = ("::1", "[::1]")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.startswith("127.") or host in IPV6_LOOPBACK


def allowed_hosts(host: str) -> list[str] | None:
    """``Host`` header values to accept when bound to ``host``; None when any must be.

    A loopback server accepts only loopback names, so a web page whose domain re-resolves to
    127.0.0.1 or ::1 (DNS rebinding) cannot read it. An IPv6 literal is matched as the
    bracketed form a browser sends (``Host: [::1]:8000``), without its port.
    """
    if host in LOOPBACK_NAMES or host.startswith("127."):
        return sorted({*LOOPBACK_NAMES, host})
    if host in IPV6_LOOPBACK:
        return ["[::1]", "localhost"]
    return None


def serve(app: FastAPI, host: str, port: int, log_level: str = "info") -> None:
    """Serve until interrupted."""
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False)


@contextmanager
def background(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` on a thread; yield its base URL (``port=0``: a free port); stop on exit."""
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", server_header=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="flashpoint-http", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the HTTP server did not start on {host}:{port}")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"http://[{host}]:{bound[1]}" if ":" in host else f"http://{host}:{bound[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
