"""The one base of the tests' HTTP servers (the Numerai and GitHub stand-ins, odd answers): a real server
on 127.0.0.1, in a thread of its own, each request handed to the subclass's `handle_<method>`."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LoopbackServer:
    """Serves on 127.0.0.1:`port` (0: a port the OS picks); `with` starts and stops it."""

    name = "loopback"

    def __init__(self, port: int = 0) -> None:
        self.server = self.new_server(port)
        self.thread: threading.Thread | None = None

    def new_server(self, port: int) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(self))
        server.daemon_threads = True
        server.block_on_close = False
        return server

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self) -> None:
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       name=self.name, daemon=True)
        self.thread.start()

    def start(self) -> Any:
        self.serve()
        return self

    def stop(self) -> None:
        if self.thread and self.thread.is_alive():
            self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def handle(self, method: str, request: BaseHTTPRequestHandler) -> None:
        """Answer `request`: `handle_<method>` of the subclass, else 405."""
        handler = getattr(self, f"handle_{method.lower()}", None)
        if handler is None:
            send_json(request, 405, {"message": f"{method} is not served here"})
            return
        try:
            handler(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (a timeout test): nothing left to answer


def handler_for(owner: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = f"{type(owner).__name__}/1"

        def log_message(self, *_args: object) -> None:  # quiet: tests read the servers' own records
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            owner.handle("GET", self)

        def do_POST(self) -> None:  # noqa: N802
            owner.handle("POST", self)

        def do_PUT(self) -> None:  # noqa: N802
            owner.handle("PUT", self)

        def do_PATCH(self) -> None:  # noqa: N802
            owner.handle("PATCH", self)

        def do_DELETE(self) -> None:  # noqa: N802
            owner.handle("DELETE", self)

    return Handler


def read_body(request: BaseHTTPRequestHandler) -> bytes:
    length = int(request.headers.get("Content-Length") or 0)
    return request.rfile.read(length) if length else b""


def send_bytes(request: BaseHTTPRequestHandler, status: int, content: bytes, content_type: str) -> None:
    request.send_response(status)
    request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(len(content)))
    request.end_headers()
    request.wfile.write(content)


def send_json(request: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
    send_bytes(request, status, json.dumps(payload).encode(), "application/json")


def send_text(request: BaseHTTPRequestHandler, status: int, text: str) -> None:
    send_bytes(request, status, text.encode(), "application/xml" if text.startswith("<") else "text/plain")


def drop(request: BaseHTTPRequestHandler) -> None:
    """Close the connection without a word, as a crashed proxy would."""
    request.close_connection = True
    try:
        request.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
