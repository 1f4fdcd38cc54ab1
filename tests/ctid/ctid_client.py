# ctid_client.py - a WebSocket client for ctid's tests (python3-websockets): TAP checks, commands
# with their replies, and events kept in arrival order so a test can wait for one event without
# losing the others and compare the order of events afterwards.
import asyncio
import json
import sys
import time

import websockets

n = 0
failed = 0


def check(what, cond, detail=""):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} - {what}")
    else:
        failed += 1
        print(f"not ok {n} - {what} {detail}")
    sys.stdout.flush()


class Client:
    """One connection: a reader task files replies and events (with their arrival index)."""

    def __init__(self, ws, name):
        self.ws, self.name = ws, name
        self.replies = asyncio.Queue()
        self.events = []        # (index, event) in arrival order
        self.used = set()       # indexes already returned by wait()
        self.changed = asyncio.Event()
        self.closed = None
        self.task = asyncio.ensure_future(self._read())

    async def _read(self):
        i = 0
        try:
            async for m in self.ws:
                r = json.loads(m)
                if "event" in r:
                    self.events.append((i, r))
                    i += 1
                    self.changed.set()
                else:
                    await self.replies.put(r)
        except websockets.ConnectionClosed as e:
            self.closed = e
        self.changed.set()

    async def rpc(self, msg, timeout=10):
        await self.ws.send(json.dumps(msg))
        return await asyncio.wait_for(self.replies.get(), timeout)

    async def wait(self, name, timeout=15, **match):
        """The first event not returned yet with this name and fields; (index, event) or (None, None)."""
        end = time.monotonic() + timeout
        while True:
            for i, e in self.events:
                if i not in self.used and e.get("event") == name and all(e.get(k) == v for k, v in match.items()):
                    self.used.add(i)
                    return i, e
            left = end - time.monotonic()
            if left <= 0 or self.closed:
                return None, None
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass

    def seen(self, name, **match):
        return [e for _, e in self.events if e.get("event") == name and all(e.get(k) == v for k, v in match.items())]

    async def close(self):
        await self.ws.close()


async def connect(url, token, name=None):
    ws = await websockets.connect(url)
    c = Client(ws, name or token)
    r = await c.rpc({"command": "Login", "token": token})
    check(f"Login {c.name}", "agent" in r, r)
    return c
