#!/usr/bin/python3
# test_ctid_ws.py CTID WORKDIR - ctid's WebSocket interface with a real client (python3-websockets)
# against ctid on the emulated board in real time: hostile messages get error replies and the
# server keeps serving; agents log in; a call arrives with its screen-pop fields; another agent
# cannot clear it; the agent clears it; the CDR rows in SQLite match. Prints TAP.
import asyncio
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import websockets

CTID, T = sys.argv[1], sys.argv[2]
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


CONF = f"""
[ctid]
sim = 2 e1 euroisdn
clock = real
cdr = sqlite:{T}/cdr.db
prompts = prompts
listen = 127.0.0.1:0
stats_interval = 1
[trunk pstn]
span = sim2
role = inbound
[trunk desks]
span = sim3
role = positions
[routes]
800100 = ivr:main
[ivr main]
hello = play welcome.wav
menu  = digits 1 timeout=5
pick  = branch 1=queue:billing default=menu
[queue billing]
skills = billing:1
moh = music.wav
[agent 1001]
position = 3001
skills = billing:5
token = token-of-1001
[agent 1002]
position = 3002
skills = billing:2
token = token-of-1002
[agent boss]
supervisor = yes
token = token-of-boss
"""


# One reader task per connection feeds a queue: the test never cancels ws.recv() (waiting with a
# timeout on the queue instead), so a timeout cannot disturb the connection itself.
readers = {}


def inbox(ws):
    if ws not in readers:
        q = asyncio.Queue()

        async def read():
            try:
                async for m in ws:
                    await q.put(m)
            except websockets.ConnectionClosed as e:
                await q.put(e)
            else:
                await q.put(websockets.ConnectionClosedOK(ws.close_rcvd, ws.close_sent, ws.close_rcvd_then_sent))
        readers[ws] = (q, asyncio.ensure_future(read()))
    return readers[ws][0]


async def next_msg(ws, timeout):
    m = await asyncio.wait_for(inbox(ws).get(), timeout)
    if isinstance(m, Exception):
        raise m
    return json.loads(m)


async def rpc(ws, msg, timeout=5):
    """Send a command, return its reply (skipping events)."""
    inbox(ws)
    await ws.send(json.dumps(msg) if not isinstance(msg, (str, bytes)) else msg)
    while True:
        r = await next_msg(ws, timeout)
        if "event" not in r:
            return r


async def wait_event(ws, name, timeout=15, **match):
    end = time.monotonic() + timeout
    while True:
        r = await next_msg(ws, max(0.1, end - time.monotonic()))
        if r.get("event") == name and all(r.get(k) == v for k, v in match.items()):
            return r


async def main(port):
    url = f"ws://127.0.0.1:{port}"
    # ---- hostile and bad messages: an error reply each, the connection stays usable ----
    async with websockets.connect(url, max_size=None) as ws:
        r = await rpc(ws, "{not json")
        check("malformed JSON -> invalidMessage with position", r.get("error") == "invalidMessage"
              and "line 1 column" in r.get("message", ""), r)
        r = await rpc(ws, "[1,2]")
        check("JSON array -> invalidMessage", r.get("error") == "invalidMessage", r)
        r = await rpc(ws, b"\x00\x01binary")
        check("binary frame -> invalidMessage", r.get("error") == "invalidMessage", r)
        r = await rpc(ws, {"invokeID": 7, "command": "SetAgentState", "agentState": "Ready"})
        check("command before Login -> notLoggedIn, invokeID echoed",
              r.get("error") == "notLoggedIn" and r.get("invokeID") == 7, r)
        r = await rpc(ws, {"invokeID": 8, "command": "Login", "token": "wrong"})
        check("wrong token -> authenticationFailed", r.get("error") == "authenticationFailed", r)
        r = await rpc(ws, {"command": "Login", "token": "token-of-1002"})
        check("Login as 1002", r.get("response") == "Login" and r.get("agent") == "1002", r)
        r = await rpc(ws, {"command": "FrobnicateCall"})
        check("unknown command -> unknownCommand", r.get("error") == "unknownCommand", r)
        r = await rpc(ws, {"command": "MakeCall", "calledDirectoryNumber": "3002"})
        check("MakeCall without an outbound = yes trunk -> invalidDestination naming it",
              r.get("error") == "invalidDestination" and "outbound = yes" in r.get("message", ""), r)
        r = await rpc(ws, {"command": "SetAgentState", "agentState": "Ready", "agent": "1001"})
        check("agent acting for another agent -> privilegeViolation", r.get("error") == "privilegeViolation", r)
        r = await rpc(ws, {"command": "SetAgentState", "agentState": "Sleeping"})
        check("bad agent state -> invalidAgentState", r.get("error") == "invalidAgentState", r)
        r = await rpc(ws, {"command": "SetAgentState", "agentState": "Ready"})
        check("Ready while logged out -> invalidAgentState", r.get("error") == "invalidAgentState", r)
    async with websockets.connect(url, max_size=None) as ws:
        inbox(ws)
        await ws.send("x" * (1024 * 1024))
        r = await next_msg(ws, 10)
        check("1 MB frame -> messageTooLarge", r.get("error") == "messageTooLarge", r)
        try:
            await next_msg(ws, 5)
            closed = False
        except websockets.ConnectionClosed as e:
            closed = e.code == 1009
        check("... and that connection is closed with 1009", closed)
    # 1000 connections at once, each answered
    conns = await asyncio.gather(*[websockets.connect(url) for _ in range(1000)])
    replies = await asyncio.gather(*[rpc(c, {"command": "Login", "token": "bad"}, timeout=30) for c in conns])
    check("1000 connections each get their reply",
          sum(r.get("error") == "authenticationFailed" for r in replies) == 1000)
    await asyncio.gather(*[c.close() for c in conns])

    # ---- the agent flow ----
    a1 = await websockets.connect(url)
    a2 = await websockets.connect(url)
    boss = await websockets.connect(url)
    check("server still serving: Login 1001", (await rpc(a1, {"command": "Login", "token": "token-of-1001"}))
          .get("agent") == "1001")
    r = await rpc(boss, {"command": "Login", "token": "token-of-boss"})
    check("supervisor Login", r.get("supervisor") is True, r)
    await rpc(a2, {"command": "Login", "token": "token-of-1002"})
    r = await rpc(a2, {"command": "SetAgentState", "agentState": "LoggedIn"})
    check("1002 LoggedIn -> NotReady", r.get("agentState") == "NotReady", r)
    r = await rpc(a1, {"command": "SetAgentState", "agentState": "LoggedIn"})
    r = await rpc(a1, {"command": "SetAgentState", "agentState": "Ready"})
    # The caller may already be waiting: then the reply shows the agent Ringing at once.
    check("1001 Ready (or at once Ringing with the waiting caller)", r.get("agentState") in ("Ready", "Ringing"), r)
    ev = await wait_event(boss, "AgentStateEvent", agent="1001", agentState="Ready")
    check("supervisor sees 1001's AgentStateEvent", ev["agent"] == "1001")
    d = await wait_event(a1, "DeliveredEvent", timeout=20)
    check("DeliveredEvent with screen-pop fields (ANI, DNIS, IVR digits, queue)",
          d.get("callingDevice") == "0301000001" and d.get("calledDevice") == "800100"
          and d.get("userData") == "1" and d.get("queue") == "billing" and d.get("agent") == "1001", d)
    e = await wait_event(a1, "EstablishedEvent", callID=d["callID"])
    check("EstablishedEvent for the same call", e["callID"] == d["callID"])
    await wait_event(boss, "EstablishedEvent", callID=d["callID"])
    r = await rpc(a2, {"command": "ClearConnection", "callID": d["callID"]})
    check("another agent cannot clear the call -> privilegeViolation", r.get("error") == "privilegeViolation", r)
    # Hold and retrieve (server-side: the caller hears music, the agent leg stays up).
    r = await rpc(a2, {"command": "HoldCall", "callID": d["callID"]})
    check("another agent cannot hold the call -> privilegeViolation", r.get("error") == "privilegeViolation", r)
    r = await rpc(a1, {"command": "RetrieveCall", "callID": d["callID"]})
    check("RetrieveCall on a connected call -> invalidCallState", r.get("error") == "invalidCallState", r)
    r = await rpc(a1, {"command": "HoldCall", "callID": d["callID"]})
    h = await wait_event(a1, "HeldEvent", callID=d["callID"])
    check("HoldCall -> reply and HeldEvent", r.get("response") == "HoldCall" and h["agent"] == "1001", r)
    await wait_event(boss, "HeldEvent", callID=d["callID"])
    r = await rpc(a1, {"command": "HoldCall", "callID": d["callID"]})
    check("HoldCall on a held call -> invalidCallState", r.get("error") == "invalidCallState", r)
    r = await rpc(a1, {"command": "RetrieveCall", "callID": d["callID"]})
    await wait_event(a1, "RetrievedEvent", callID=d["callID"])
    check("RetrieveCall -> reply and RetrievedEvent", r.get("response") == "RetrieveCall", r)
    r = await rpc(a1, {"command": "ClearConnection", "callID": "999"})
    check("unknown call -> invalidCallID", r.get("error") == "invalidCallID", r)
    qs = await wait_event(boss, "QueueStatsEvent", timeout=5, queue="billing")
    check("supervisor gets QueueStatsEvent for the wallboard", qs.get("answered") == 1 and qs.get("offered") == 1, qs)
    r = await rpc(boss, {"command": "SnapshotQueue", "queue": "billing"})
    check("SnapshotQueue: offered 1 answered 1", r.get("offered") == 1 and r.get("answered") == 1, r)
    # The command-line client: a supervisor's snapshot as JSON lines, and a refused login.
    ctictl = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../server/ctid/ctictl")
    p = await asyncio.create_subprocess_exec(
        ctictl, "--url", url, "--token", "token-of-boss", "--count", "1", "--timeout", "10",
        '{"command": "QueryAgentState", "agent": "1001"}', stdout=asyncio.subprocess.PIPE)
    out, _ = await p.communicate()
    lines = [json.loads(x) for x in out.decode().splitlines()]
    check("ctictl: login reply and the reply to its command as JSON lines",
          p.returncode == 0 and len(lines) == 2 and lines[0].get("supervisor") is True
          and lines[1].get("agentState") == "Talking", (p.returncode, lines))
    p = await asyncio.create_subprocess_exec(ctictl, "--url", url, "--token", "forged-token", "--timeout", "10",
                                             stdout=asyncio.subprocess.PIPE)
    out, _ = await p.communicate()
    check("ctictl: wrong token -> exit 1 with the error line",
          p.returncode == 1 and json.loads(out.decode()).get("error") == "authenticationFailed", (p.returncode, out))
    # Single-step transfer to 1002 (NotReady first: refused), then 1002 clears the call.
    r = await rpc(a1, {"command": "SingleStepTransfer", "callID": d["callID"], "transferredTo": "1002"})
    check("transfer to a NotReady agent -> invalidAgentState", r.get("error") == "invalidAgentState", r)
    r = await rpc(a2, {"command": "SetAgentState", "agentState": "Ready"})
    check("1002 Ready", r.get("agentState") == "Ready", r)
    r = await rpc(a1, {"command": "SingleStepTransfer", "callID": d["callID"], "transferredTo": "1002"})
    check("SingleStepTransfer to 1002", r.get("response") == "SingleStepTransfer", r)
    t = await wait_event(a1, "TransferredEvent", callID=d["callID"])
    check("TransferredEvent to the first agent", t.get("transferredTo") == "1002", t)
    c = await wait_event(a1, "ConnectionClearedEvent", callID=d["callID"])
    check("first agent's leg cleared with cause 16", c.get("cause") == 16 and c.get("agent") == "1001", c)
    d2 = await wait_event(a2, "DeliveredEvent", callID=d["callID"])
    check("1002 gets the DeliveredEvent with the same screen-pop fields",
          d2.get("callingDevice") == "0301000001" and d2.get("userData") == "1", d2)
    await wait_event(a2, "EstablishedEvent", callID=d["callID"])
    r = await rpc(a1, {"command": "ClearConnection", "callID": d["callID"]})
    check("after the transfer 1001 cannot clear it -> privilegeViolation", r.get("error") == "privilegeViolation", r)
    r = await rpc(a2, {"invokeID": "x1", "command": "ClearConnection", "callID": d["callID"]})
    check("1002 clears the call", r.get("response") == "ClearConnection" and r.get("invokeID") == "x1", r)
    c = await wait_event(a2, "ConnectionClearedEvent", callID=d["callID"])
    check("ConnectionClearedEvent with cause 16", c.get("cause") == 16, c)
    await wait_event(boss, "ConnectionClearedEvent", callID=d["callID"], agent="1002")
    r = await rpc(boss, {"command": "SnapshotQueue", "queue": "billing"})
    check("the transferred call counts once in the queue", r.get("offered") == 1 and r.get("answered") == 1, r)
    for w in (a1, a2):
        await w.close()
    # Stopping ctid: a client still connected gets a close frame with 1001 (going away), not a
    # dropped TCP connection (1006).
    proc.send_signal(signal.SIGTERM)
    code = exc = None
    try:
        while True:
            await next_msg(boss, 10)
    except websockets.ConnectionClosed as e:
        code, exc = e.code, e
    check("SIGTERM: a connected client gets a close frame with 1001 (going away)", code == 1001, repr(exc))


log = open(f"{T}/log", "w")
os.makedirs(f"{T}/prompts", exist_ok=True)
for f, secs in (("welcome.wav", "1"), ("music.wav", "2")):
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", f"{T}/prompts/{f}", "synth", secs,
                    "sine", "400"], check=True, stderr=subprocess.DEVNULL)
with open(f"{T}/ctid.conf", "w") as f:
    f.write(CONF)
# --sim-calls exits ctid once all its calls are over: with one call, that would be as soon as 1002
# clears it, racing the last steps of the test (its connections dropped: 1006). A second call, due
# only after an hour, keeps ctid serving until the test stops it with SIGTERM.
proc = subprocess.Popen([CTID, "--sim-calls", "2", "--sim-interval", "3600000", "--sim-digits", "1", "--sim-talk",
                         "600000", f"{T}/ctid.conf"], stderr=log)
port = None
for _ in range(100):
    m = re.search(r"WebSocket interface on port (\d+)", open(f"{T}/log").read())
    if m:
        port = int(m.group(1))
        break
    time.sleep(0.1)
check("ctid listens", port is not None)
if port:
    try:
        asyncio.run(asyncio.wait_for(main(port), 120))
    except Exception as e:  # a timeout or a dropped connection is a failure, not a crash of the test
        check("client flow completed", False, repr(e))
proc.send_signal(signal.SIGTERM)
try:
    rc = proc.wait(20)
except subprocess.TimeoutExpired:
    proc.kill()
    rc = -1
check("ctid exits 0 on SIGTERM", rc == 0, f"rc={rc}")
db = sqlite3.connect(f"{T}/cdr.db")
rows = db.execute("SELECT leg, ani, dnis, digits, queue, agent, cause FROM cdr ORDER BY leg, id").fetchall()
check("CDR rows match the call: caller, 1001's leg, 1002's leg",
      rows == [(1, "0301000001", "800100", "1", "billing", "1002", 16),
               (2, "0301000001", "3001", None, "billing", "1001", 16),
               (2, "0301000001", "3002", None, "billing", "1002", 16)], rows)

# ---- TLS: wss:// with the configured certificate; a plain ws:// client gets nothing ----
import ssl
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-keyout", f"{T}/key.pem", "-out", f"{T}/cert.pem"], check=True, stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
with open(f"{T}/tls.conf", "w") as f:
    f.write(CONF.replace("listen = 127.0.0.1:0", "listen = 127.0.0.1:0\ntls_cert = cert.pem\ntls_key = key.pem"))
log2 = open(f"{T}/log2", "w")
proc = subprocess.Popen([CTID, "--max-time", "60", f"{T}/tls.conf"], stderr=log2)
port = None
for _ in range(100):
    m = re.search(r"WebSocket interface on port (\d+) \(TLS\)", open(f"{T}/log2").read())
    if m:
        port = int(m.group(1))
        break
    time.sleep(0.1)
check("ctid listens with TLS", port is not None)


async def tls_flow(port):
    ctx = ssl.create_default_context(cafile=f"{T}/cert.pem")
    ctx.check_hostname = False
    async with websockets.connect(f"wss://127.0.0.1:{port}", ssl=ctx) as ws:
        r = await rpc(ws, {"command": "Login", "token": "token-of-1001"})
        check("wss:// Login over TLS", r.get("agent") == "1001", r)
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}", open_timeout=5) as ws:
            r = await rpc(ws, {"command": "Login", "token": "token-of-1001"}, timeout=3)
            plain = r
    except Exception as e:
        plain = repr(e)
    check("plain ws:// to the TLS port gets no service", not isinstance(plain, dict), plain)


if port:
    try:
        asyncio.run(asyncio.wait_for(tls_flow(port), 60))
    except Exception as e:
        check("TLS flow completed", False, repr(e))
proc.send_signal(signal.SIGTERM)
try:
    rc = proc.wait(20)
except subprocess.TimeoutExpired:
    proc.kill()
    rc = -1
check("TLS ctid exits 0 on SIGTERM", rc == 0, f"rc={rc}")

print(f"1..{n}")
if failed:
    print(open(f"{T}/log").read()[-3000:], file=sys.stderr)
sys.exit(1 if failed else 0)
