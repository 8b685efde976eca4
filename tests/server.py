"""The real service on a loopback port, and a small GraphQL client for the tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(settings: Settings, engine: Engine) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, engine), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class GraphQLClient:
    base_url: str
    http: httpx.Client

    def post(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.http.post(
            f"{self.base_url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
        )

    def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        """The response body, whatever it holds."""
        body: dict[str, Any] = self.post(query, variables, key=key).json()
        return body

    def data(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        """The data of a response that must have no errors."""
        body = self.execute(query, variables, key=key)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def error_codes(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> list[str]:
        body = self.execute(query, variables, key=key)
        return [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
