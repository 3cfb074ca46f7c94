"""A receiving system on 127.0.0.1 for the tests: verifies each signature as a real
receiver must, and remembers what it took."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from wattelt.notifications import signing


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Receiver:
    def __init__(self, port: int, secret: str) -> None:
        self.port = port
        self.secret = secret
        self.taken: list[tuple[str, dict]] = []  # (delivery id, message)
        self.refused = 0
        self.fail_next = 0  # answer 500 this many times
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/notificaties"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = signing.verify(
                    receiver.secret,
                    self.headers.get(signing.TIMESTAMP_HEADER, ""),
                    self.headers.get(signing.SIGNATURE_HEADER, ""),
                    body,
                    now=time.time(),
                )
                if not valid:
                    receiver.refused += 1
                    self.send_response(403)
                elif receiver.fail_next:
                    receiver.fail_next -= 1
                    self.send_response(500)
                else:
                    receiver.taken.append((self.headers[signing.ID_HEADER], json.loads(body)))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
