"""`shequ serve --workers N`: the shared listening socket gives every connection TCP_NODELAY.

uvicorn's own `Config.bind_socket()` creates it with proto 0, so asyncio never sets TCP_NODELAY on the
accepted sockets and every keep-alive response waited ≈40 ms for the client's delayed ACK (Nagle).
"""

import asyncio
import socket
import threading

import pytest
import uvicorn

from shequ.core.management.commands import serve


def _accepted_nodelay(listener: socket.socket) -> int:
    """Serve `listener` with asyncio the way uvicorn does (create_server(sock=…)); TCP_NODELAY of the
    server side of one accepted connection."""
    seen: dict[str, int] = {}

    class Probe(asyncio.Protocol):
        def connection_made(self, transport) -> None:
            sock = transport.get_extra_info("socket")
            seen["nodelay"] = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            transport.close()

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        host, port = listener.getsockname()[:2]
        _, writer = await asyncio.open_connection(host, port)
        for _ in range(200):
            if "nodelay" in seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    return seen["nodelay"]


def test_the_workers_listener_gives_connections_tcp_nodelay(monkeypatch):
    """What `_serve_processes` hands uvicorn's supervisor: a listener whose connections have NODELAY."""
    seen: dict[str, int] = {}

    class Supervisor:
        def __init__(self, config, sockets) -> None:
            self.sockets = sockets

        def run(self) -> None:  # while "serving": the command closes the socket afterwards
            (listener,) = self.sockets
            seen["proto"] = listener.proto
            listener.listen()
            seen["nodelay"] = _accepted_nodelay(listener)

    monkeypatch.setattr("uvicorn.supervisors.Multiprocess", Supervisor)
    config = uvicorn.Config("config.asgi:application", host="127.0.0.1", port=0, workers=2)
    serve.Command()._serve_processes(config, threading.Event(), None)
    assert seen == {"proto": socket.IPPROTO_TCP, "nodelay": 1}


def test_uvicorns_own_listener_is_the_one_that_loses_it():
    """The reference the test above is measured against: uvicorn 0.54's bind_socket (if uvicorn fixes
    Kludex/uvicorn#3149 this starts failing, and serve may go back to it)."""
    listener = uvicorn.Config("config.asgi:application", host="127.0.0.1", port=0).bind_socket()
    try:
        listener.listen()
        assert _accepted_nodelay(listener) == 0
    finally:
        listener.close()


def test_a_port_in_use_is_one_sentence():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(serve.CommandError, match="Could not serve"):
            serve.bind_tcp_socket("127.0.0.1", port)
