# The socket loop on the Node bridge, in place of asyncio.start_server (server.py on a board): the bridge accepts
# each TCP connection and calls accept(); the streams below give the agent what MicroPython's asyncio streams give
# it (readline, readinto, write, drain, close), moving bytes through the bridge with no copy in Python.
import asyncio
import os

import ffboard
import uctypes

_streams = {}
_agent = None


def _urandom(n):
    buf = bytearray(n)
    ffboard.urandom(uctypes.addressof(buf), n)
    return bytes(buf)


# The WebAssembly port has no os.urandom; the bridge draws from the host's CSPRNG, as an ESP32 draws from its RNG.
os.urandom = _urandom


class Stream:
    def __init__(self, conn):
        self.conn = conn
        self.ready = asyncio.Event()
        self.closed = False

    async def _recv(self, mv, until_newline):
        while True:
            n = ffboard.net_recv(self.conn, uctypes.addressof(mv), len(mv), until_newline)
            if n > 0:
                return n
            if n < 0 or self.closed:
                return 0
            self.ready.clear()
            await self.ready.wait()

    async def readinto(self, buf):
        return await self._recv(memoryview(buf), False)

    async def readline(self):
        line = b''
        piece = bytearray(128)
        while True:
            n = await self._recv(memoryview(piece), True)
            if n == 0:
                return line
            line += piece[:n]
            if piece[n - 1] == 0x0A or len(line) > 8192:
                return line

    def write(self, data):
        if not self.closed and data:
            ffboard.net_send(self.conn, uctypes.addressof(data), len(data))

    async def drain(self):
        pass

    def close(self):
        if not self.closed:
            self.closed = True
            ffboard.net_close(self.conn)
            self.ready.set()

    async def wait_closed(self):
        pass

    def pending(self):
        """Whether bytes arrived that were not read yet, as the board's network stack knows."""
        return ffboard.net_pending(self.conn) > 0

    def get_extra_info(self, name):
        return (ffboard.net_peer(self.conn), 0) if name == 'peername' else None


def notify(conn):
    """Bytes arrived on `conn`, or it closed."""
    stream = _streams.get(conn)
    if stream is not None:
        stream.ready.set()


async def _serve(stream):
    try:
        await _agent.serve(stream, stream)
    finally:
        stream.close()
        _streams.pop(stream.conn, None)


def accept(conn):
    stream = Stream(conn)
    _streams[conn] = stream
    from fieldflash.tasks import spawn
    spawn(_serve(stream))


def listen(agent):
    global _agent
    _agent = agent
