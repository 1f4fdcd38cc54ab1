#!/usr/bin/python3
"""agents.py - the demo's agents and supervisor at their desktops, over ctid's WebSocket interface.

  agents.py --url ws://127.0.0.1:PORT --events events.jsonl \
            --agent TOKEN [--agent TOKEN ...] [--supervisor TOKEN] [--monitor listen]

Each agent logs in (Login, SetAgentState LoggedIn, Ready) in the order given,
--gap seconds apart, so the ACD's longest-idle order is the login order. The
supervisor logs in too and, with --monitor, asks to listen in (MonitorStart)
on the first call an agent answers. Every message received is appended to
--events as one JSON line {"t": seconds since start, "who": login, "msg": ...}.
Prints "agents: ready" once all are logged in; exits when ctid closes the
connections (it sends 1001 when it stops), or after --timeout seconds.
Exit: 0, or 1 when a login or state change was refused or a connection failed.
Needs python3-websockets (Debian).
"""
import argparse
import asyncio
import json
import sys
import time

import websockets


class Desk:
    def __init__(self, a, out):
        self.a = a
        self.out = out
        self.t0 = time.monotonic()
        self.failed = []
        self.monitored = False

    def log(self, who, msg):
        self.out.write(json.dumps({"t": round(time.monotonic() - self.t0, 3), "who": who, "msg": msg}) + "\n")
        self.out.flush()

    async def login(self, ws, token, ready):
        cmds = [{"command": "Login", "token": token}]
        if ready:
            cmds += [{"command": "SetAgentState", "agentState": "LoggedIn"},
                     {"command": "SetAgentState", "agentState": "Ready"}]
        who = "?"
        for i, c in enumerate(cmds, 1):
            c["invokeID"] = i
            await ws.send(json.dumps(c))
            while True:	# events may come before the reply
                m = json.loads(await asyncio.wait_for(ws.recv(), self.a.timeout))
                if m.get("response") == "Login":
                    who = m.get("agent", "?")
                self.log(who, m)
                if "error" in m:
                    raise RuntimeError(f"{c['command']} refused: {m.get('error')}: {m.get('message', '')}")
                if m.get("invokeID") == i:
                    break
        return who

    async def listen(self, ws, who, supervisor):
        async for text in ws:
            m = json.loads(text)
            self.log(who, m)
            if "error" in m and m.get("invokeID") != "monitor":	# its reply is checked by demo.sh
                self.failed.append(f"{who}: {m}")
            if (supervisor and self.a.monitor and not self.monitored and
                    m.get("event") == "EstablishedEvent"):
                self.monitored = True
                await ws.send(json.dumps({"invokeID": "monitor", "command": "MonitorStart",
                                          "callID": m.get("callID"), "monitorType": self.a.monitor}))

    async def desk(self, token, supervisor, logged_in):
        try:
            async with websockets.connect(self.a.url, open_timeout=self.a.timeout, max_size=None) as ws:
                who = await self.login(ws, token, not supervisor)
                logged_in.set_result(who)
                await self.listen(ws, who, supervisor)
        except (OSError, RuntimeError, websockets.WebSocketException, asyncio.TimeoutError) as e:
            if not logged_in.done():
                logged_in.set_result(None)
            if not isinstance(e, websockets.ConnectionClosedOK):
                self.failed.append(f"{token[:4]}...: {e or type(e).__name__}")

    async def run(self):
        tasks = []
        logins = [(t, False) for t in self.a.agent] + [(t, True) for t in self.a.supervisor]
        for token, sup in logins:
            done = asyncio.get_running_loop().create_future()
            tasks.append(asyncio.create_task(self.desk(token, sup, done)))
            who = await done
            if who is None:
                break
            print(f"agents: {who} logged in{' (supervisor)' if sup else ' and Ready'}", flush=True)
            await asyncio.sleep(self.a.gap)
        else:
            print("agents: ready", flush=True)
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), self.a.timeout)
        except asyncio.TimeoutError:
            self.failed.append(f"still connected after {self.a.timeout} s")
        for f in self.failed:
            print(f"agents: {f}", file=sys.stderr)
        return 1 if self.failed else 0


def main():
    p = argparse.ArgumentParser(prog="agents.py", description="demo agents and supervisor on ctid's WebSocket")
    p.add_argument("--url", required=True)
    p.add_argument("--events", required=True, help="JSON lines file of every message received")
    p.add_argument("--agent", action="append", default=[], help="an agent's token (repeat; login order)")
    p.add_argument("--supervisor", action="append", default=[], help="a supervisor's token")
    p.add_argument("--monitor", choices=["listen", "whisper", "barge"], help="MonitorStart on the first answered call")
    p.add_argument("--gap", type=float, default=0.3, help="seconds between logins (default 0.3)")
    p.add_argument("--timeout", type=float, default=300, help="give up after this many seconds (default 300)")
    a = p.parse_args()
    with open(a.events, "a", encoding="utf-8") as out:
        sys.exit(asyncio.run(Desk(a, out).run()))


if __name__ == "__main__":
    main()
