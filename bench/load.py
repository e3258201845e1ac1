"""A small, bounded HTTP load runner for loopback servers (standard library only).

`run()` keeps `concurrency` keep-alive connections busy until `requests` have been answered or
`seconds` have passed, whichever comes first, and reports throughput and latency percentiles.
`hold_streams()` opens many server-sent-event streams at once from one thread and measures the time to
each stream's first event. Both refuse any host outside 127.0.0.0/8 and ::1: this is a tool for a
server on the same machine, never for anybody else's.
"""

from __future__ import annotations

import http.client
import ipaddress
import selectors
import socket
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


def _loopback(host: str) -> None:
    try:
        ok = ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"load runs target loopback only, not {host!r}")


@dataclass
class Result:
    name: str
    concurrency: int
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list, repr=False)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(round(p / 100 * (len(data) - 1))))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p95(self) -> float:
        return self.pct(95)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "concurrency": self.concurrency,
            "ok": self.ok,
            "errors": self.errors,
            "statuses": self.statuses,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 2),
            "p50_ms": round(self.p50 * 1000, 2),
            "p95_ms": round(self.p95 * 1000, 2),
        }


def run(
    base_url: str,
    make_request: Callable[[int], Request],
    *,
    name: str,
    concurrency: int = 1,
    requests: int = 200,
    seconds: float = 20.0,
    warmup: int = 2,
    expect: tuple[int, ...] = (200, 201),
) -> Result:
    """Send up to `requests` requests (at most `seconds`) over `concurrency` connections."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    _loopback(host)
    result = Result(name=name, concurrency=concurrency)
    lock = threading.Lock()
    counter = iter(range(10**9))
    deadline = [0.0]

    def one(conn: http.client.HTTPConnection, i: int) -> tuple[int, float]:
        method, path, body, headers = make_request(i)
        t0 = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - t0

    def worker(warm: bool) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=120)
        try:
            while True:
                with lock:
                    i = next(counter)
                    if warm:
                        if i >= warmup * concurrency:
                            return
                    elif i >= requests or time.perf_counter() > deadline[0]:
                        return
                try:
                    status, elapsed = one(conn, i)
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=120)
                    with lock:
                        result.errors += 1
                    continue
                if warm:
                    continue
                with lock:
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status in expect:
                        result.ok += 1
                        result.latencies.append(elapsed)
                    else:
                        result.errors += 1
        finally:
            conn.close()

    for warm in (True, False):
        if not warm:
            counter = iter(range(10**9))
        deadline[0] = time.perf_counter() + seconds
        threads = [threading.Thread(target=worker, args=(warm,), daemon=True) for _ in range(concurrency)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 150)
        if not warm:
            result.seconds = time.perf_counter() - t0
    return result


@dataclass
class StreamResult:
    opened: int = 0
    failed: int = 0
    first_event: list[float] = field(default_factory=list, repr=False)
    held_seconds: float = 0.0
    during: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = sorted(self.first_event)

        def pct(p: float) -> float:
            return round(data[min(len(data) - 1, int(p / 100 * (len(data) - 1)))] * 1000, 1) if data else -1

        return {
            "opened": self.opened,
            "failed": self.failed,
            "first_event_p50_ms": pct(50),
            "first_event_p95_ms": pct(95),
            "held_seconds": round(self.held_seconds, 1),
            **self.during,
        }


def hold_streams(
    base_url: str,
    path: str,
    *,
    cookies: list[str],
    count: int,
    hold: float = 5.0,
    timeout: float = 60.0,
    while_open: Callable[[], dict] | None = None,
) -> StreamResult:
    """Open `count` event streams (cookie i % len(cookies)), wait for each one's first event, keep them
    all open `hold` seconds (calling `while_open` then, e.g. to count database connections), close."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    _loopback(host)
    sel = selectors.DefaultSelector()
    out = StreamResult()
    socks = []
    started: dict[int, float] = {}
    for i in range(count):
        s = socket.create_connection((host, port), timeout=timeout)
        s.setblocking(False)
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
            f"Cookie: {cookies[i % len(cookies)]}\r\n\r\n"
        ).encode()
        s.sendall(request)
        started[s.fileno()] = time.perf_counter()
        sel.register(s, selectors.EVENT_READ, data=bytearray())
        socks.append(s)
    pending = {s.fileno() for s in socks}
    end = time.perf_counter() + timeout
    while pending and time.perf_counter() < end:
        for key, _ in sel.select(timeout=1.0):
            s = key.fileobj
            try:
                chunk = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            fd = s.fileno()
            if not chunk:
                if fd in pending:
                    pending.discard(fd)
                    out.failed += 1
                sel.unregister(s)
                continue
            key.data.extend(chunk)
            if fd in pending and b"event: hello" in key.data:
                if key.data.startswith(b"HTTP/1.1 200"):
                    out.opened += 1
                    out.first_event.append(time.perf_counter() - started[fd])
                else:
                    out.failed += 1
                pending.discard(fd)
    out.failed += len(pending)
    t0 = time.perf_counter()
    if while_open is not None:
        out.during = while_open()
    remaining = hold - (time.perf_counter() - t0)
    if remaining > 0:
        time.sleep(remaining)
    out.held_seconds = time.perf_counter() - t0
    for s in socks:
        try:
            sel.unregister(s)
        except (KeyError, ValueError):
            pass
        s.close()
    sel.close()
    return out
