"""Misbehaving HTTP servers on 127.0.0.1, each in a thread: one that never answers, one that
drips its answer a byte at a time, one that answers late. Use them as context managers."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class RawServer:
    """Accepts connections; :meth:`serve` (overridden) handles each one in its own thread."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.closed = threading.Event()
        self.connections = 0
        self._conns: list[socket.socket] = []

    def __enter__(self) -> RawServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed.set()
        self._sock.close()
        for c in self._conns:
            with contextlib.suppress(OSError):
                c.close()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            self._conns.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(30)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            self.serve(conn)
        except OSError:
            pass

    def serve(self, conn: socket.socket) -> None:
        raise NotImplementedError


class SilentServer(RawServer):
    """Reads the request and never answers (until the test ends)."""

    def serve(self, conn: socket.socket) -> None:
        self.closed.wait(60)


def response(body: bytes, status: str = "200 OK") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class DripServer(RawServer):
    """Sends its answer one byte every ``every`` seconds."""

    def __init__(self, answer: bytes, every: float = 0.25) -> None:
        super().__init__()
        self.answer = answer
        self.every = every

    def serve(self, conn: socket.socket) -> None:
        for i in range(len(self.answer)):
            if self.closed.wait(self.every):
                return
            conn.sendall(self.answer[i : i + 1])


class LateServer(RawServer):
    """Answers ``answer`` after ``delay`` seconds."""

    def __init__(self, answer: bytes, delay: float) -> None:
        super().__init__()
        self.answer = answer
        self.delay = delay

    def serve(self, conn: socket.socket) -> None:
        if not self.closed.wait(self.delay):
            conn.sendall(self.answer)
            time.sleep(0.1)
