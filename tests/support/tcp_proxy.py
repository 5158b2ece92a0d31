"""A TCP proxy between the service and its database that passes, drops or resets traffic on command.

It stands in for the network failures the service must survive without stopping the shared
PostgreSQL server: `drop()` is a blackhole (connections are accepted and bytes read, but nothing
is ever forwarded or answered), `reset()` answers every connection, old and new, with a TCP RST,
and `pass_traffic()` forwards again. A connection that lost bytes to a blackhole stays broken
after traffic passes again, as a real one would; new connections work.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from dataclasses import dataclass, field
from enum import Enum


class Mode(Enum):
    """What the proxy does with traffic."""

    PASS = "pass"
    DROP = "drop"
    RESET = "reset"


@dataclass(eq=False)
class _Link:
    """One client connection and its upstream connection."""

    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    blackholed: bool = False
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def _abort_with_rst(writer: asyncio.StreamWriter) -> None:
    """Close a connection with a TCP RST (SO_LINGER 0) rather than an orderly FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class TcpProxy:
    """Listens on a free loopback port and forwards to `target_host:target_port`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = Mode.PASS
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()

    async def start(self) -> TcpProxy:
        """Start listening; `port` says where."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        """Stop listening and cut every connection."""
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            self._cut(link)
        if self._server is not None:
            await self._server.wait_closed()

    def pass_traffic(self) -> None:
        """Forward new connections again (blackholed ones stay dead)."""
        self.mode = Mode.PASS

    def drop(self) -> None:
        """Blackhole: accept connections and swallow bytes, never forward or answer."""
        self.mode = Mode.DROP
        for link in self._links:
            link.blackholed = True

    def reset(self) -> None:
        """Reset every open connection, and every new one as it arrives."""
        self.mode = Mode.RESET
        for link in list(self._links):
            self._cut(link)

    def _cut(self, link: _Link) -> None:
        _abort_with_rst(link.client)
        if link.upstream is not None:
            link.upstream.transport.abort()
        for task in link.tasks:
            task.cancel()
        self._links.discard(link)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode is Mode.RESET:
            _abort_with_rst(writer)
            return
        link = _Link(client=writer, blackholed=self.mode is Mode.DROP)
        self._links.add(link)
        if link.blackholed:
            link.tasks.append(asyncio.current_task())  # type: ignore[arg-type]
            await self._swallow(reader)
            return
        try:
            upstream_reader, link.upstream = await asyncio.open_connection(*self.target)
        except OSError:
            self._cut(link)
            return
        link.tasks = [
            asyncio.create_task(self._pipe(reader, link.upstream, link)),
            asyncio.create_task(self._pipe(upstream_reader, writer, link)),
        ]

    async def _swallow(self, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while await reader.read(65536):
                pass

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link
    ) -> None:
        try:
            while data := await reader.read(65536):
                if link.blackholed:
                    continue
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        if not link.blackholed and link in self._links:
            # One side closed in an orderly way: close the other, unless the link is a blackhole.
            with contextlib.suppress(OSError):
                writer.close()
            self._links.discard(link)
