#!/usr/bin/python3
# test_ctid_campaign_ws.py CTID WORKDIR - campaigns through ctid's WebSocket interface (python3-websockets)
# against ctid on the emulated board in real time: supervisors start, pause, resume and snapshot a
# campaign and see CampaignProgressEvents; agents may not; a paused campaign places no new call;
# preview mode: the agent gets the contact first (PreviewEvent, held NotReady 9100), accepts it and
# is connected to the answered contact (DeliveredEvent with the contact's number), rejects the next
# (result skipped), lets the third time out (NotReady 9999, contact pending again); a SIGHUP that
# drops a running campaign lets its call up end normally and dials nothing more. Prints TAP.
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
CTICTL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "server", "ctid", "ctictl")
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
sim = 3 e1 euroisdn
clock = real
cdr = sqlite:{T}/cdr.db
campaign_db = {T}/campaign.db
tts_cache = {T}/tts
listen = 127.0.0.1:0
stats_interval = 0
[trunk pstn]
span = sim2
role = inbound
[trunk desks]
span = sim3
role = positions
[trunk out]
span = sim6
role = outbound
[routes]
800100 = queue:billing
[queue billing]
[agent 1001]
position = 3001
token = token-of-1001
[agent 1002]
position = 3002
token = token-of-1002
[agent boss]
supervisor = yes
token = token-of-boss
[campaign notice]
contacts = notice.csv
trunk = out
message = tts:en:Hello, this is a notice.
cps = 10
max_channels = 1
[campaign sales]
contacts = sales.csv
trunk = out
mode = preview
queue = billing
preview_timeout = 5
"""
LATE = """[campaign late]
contacts = late.csv
trunk = out
message = tts:en:Hello, this is a notice.
max_channels = 1
"""

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
        readers[ws] = (q, asyncio.ensure_future(read()))
    return readers[ws][0]


async def next_msg(ws, timeout):
    m = await asyncio.wait_for(inbox(ws).get(), timeout)
    if isinstance(m, Exception):
        raise m
    return json.loads(m)


async def rpc(ws, msg, timeout=10):
    inbox(ws)
    await ws.send(json.dumps(msg))
    while True:
        r = await next_msg(ws, timeout)
        if "event" not in r:
            return r


async def wait_event(ws, name, timeout=30, **match):
    end = time.monotonic() + timeout
    while True:
        r = await next_msg(ws, max(0.1, end - time.monotonic()))
        if r.get("event") == name and all(r.get(k) == v for k, v in match.items()):
            return r


async def snapshot(boss, name):
    return await rpc(boss, {"command": "SnapshotCampaign", "campaign": name})


async def main(port):
    url = f"ws://127.0.0.1:{port}"
    boss = await websockets.connect(url)
    a1 = await websockets.connect(url)
    a2 = await websockets.connect(url)
    await rpc(boss, {"command": "Login", "token": "token-of-boss"})
    await rpc(a1, {"command": "Login", "token": "token-of-1001"})
    await rpc(a2, {"command": "Login", "token": "token-of-1002"})

    r = await rpc(a1, {"command": "StartCampaign", "campaign": "notice"})
    check("an agent may not start a campaign", r.get("error") == "privilegeViolation", r)
    r = await snapshot(boss, "notice")
    check("snapshot before the start: idle, nothing imported", r.get("state") == "idle" and r.get("contacts") == 0, r)
    r = await rpc(boss, {"command": "StartCampaign", "campaign": "nope"})
    check("unknown campaign -> invalidCampaign", r.get("error") == "invalidCampaign", r)
    r = await rpc(boss, {"command": "StartCampaign"})
    check("no campaign name -> invalidMessage", r.get("error") == "invalidMessage", r)
    r = await rpc(boss, {"invokeID": 5, "command": "StartCampaign", "campaign": "notice"})
    check("StartCampaign: running, 3 contacts imported, invokeID echoed",
          r.get("response") == "StartCampaign" and r.get("state") == "running" and r.get("contacts") == 3
          and r.get("invokeID") == 5, r)
    r = await rpc(boss, {"command": "StartCampaign", "campaign": "notice"})
    check("started twice -> invalidCampaignState", r.get("error") == "invalidCampaignState", r)
    ev = await wait_event(boss, "CampaignProgressEvent", campaign="notice", number="5550001")
    check("CampaignProgressEvent: 5550001 reached (voice, done)",
          ev.get("result") == "voice" and ev.get("status") == "done" and ev.get("attempt") == 1, ev)
    r = await rpc(boss, {"command": "PauseCampaign", "campaign": "notice"})
    check("PauseCampaign: paused", r.get("state") == "paused", r)
    # the call already placed goes on; then nothing new
    end = time.monotonic() + 20
    while time.monotonic() < end:
        s = await snapshot(boss, "notice")
        if s.get("dialing") == 0:
            break
        await asyncio.sleep(0.2)
    before = s.get("attempts")
    await asyncio.sleep(2.5)
    s = await snapshot(boss, "notice")
    check("paused: no call placed in 2.5 s, one contact still pending",
          s.get("attempts") == before and s.get("pending") == 1 and s.get("active") == 0, (before, s))
    r = await rpc(boss, {"command": "PauseCampaign", "campaign": "notice"})
    check("pause while paused -> invalidCampaignState", r.get("error") == "invalidCampaignState", r)
    r = await rpc(boss, {"command": "ResumeCampaign", "campaign": "notice"})
    check("ResumeCampaign: running", r.get("state") == "running", r)
    await wait_event(boss, "CampaignProgressEvent", campaign="notice", state="finished")
    s = await snapshot(boss, "notice")
    check("finished: 3 done in 3 attempts, all voice",
          s.get("done") == 3 and s.get("attempts") == 3 and s.get("results") == {"voice": 3}, s)
    r = await rpc(boss, {"command": "ResumeCampaign", "campaign": "notice"})
    check("resume a finished campaign -> invalidCampaignState", r.get("error") == "invalidCampaignState", r)
    # the command line: ctictl sends the same JSON
    out = await asyncio.to_thread(subprocess.run, [CTICTL, "--url", url, "--token", "token-of-boss", "--count", "1",
                                                   '{"command": "SnapshotCampaign", "campaign": "notice"}'],
                                  capture_output=True, text=True, timeout=30)
    lines = [json.loads(x) for x in out.stdout.splitlines() if x.strip()]
    check("ctictl: SnapshotCampaign from the command line",
          out.returncode == 0 and len(lines) == 2 and lines[1].get("done") == 3, (out.returncode, out.stdout, out.stderr))

    # ---- preview ----
    await rpc(a1, {"command": "SetAgentState", "agentState": "LoggedIn"})
    await rpc(a1, {"command": "SetAgentState", "agentState": "Ready"})
    r = await rpc(boss, {"command": "StartCampaign", "campaign": "sales"})
    check("preview campaign started", r.get("state") == "running", r)
    p = await wait_event(a1, "PreviewEvent", campaign="sales")
    check("PreviewEvent to the Ready agent: Ann's number and name",
          p.get("number") == "5551001" and p.get("name") == "Ann" and p.get("agent") == "1001"
          and p.get("timeoutMs") == 5000, p)
    st = await wait_event(a1, "AgentStateEvent", agent="1001", agentState="NotReady")
    check("agent held NotReady with reason 9100 while previewing", st.get("reasonCode") == 9100, st)
    r = await rpc(a2, {"command": "AcceptPreview", "campaign": "sales", "contactID": p["contactID"]})
    check("another agent cannot accept it -> privilegeViolation", r.get("error") == "privilegeViolation", r)
    r = await rpc(a1, {"command": "AcceptPreview", "campaign": "sales", "contactID": "999"})
    check("unknown contact -> invalidContact", r.get("error") == "invalidContact", r)
    r = await rpc(a1, {"command": "AcceptPreview", "campaign": "sales", "contactID": p["contactID"]})
    check("AcceptPreview ok", r.get("response") == "AcceptPreview", r)
    d = await wait_event(a1, "DeliveredEvent", timeout=30)
    check("the answered contact is delivered to the same agent (screen pop: number, campaign)",
          d.get("callingDevice") == "5551001" and d.get("agent") == "1001" and d.get("userData") == "campaign:sales",
          d)
    e = await wait_event(a1, "EstablishedEvent", callID=d["callID"])
    check("EstablishedEvent: agent talks to the contact", e.get("queue") == "billing", e)
    await wait_event(a1, "ConnectionClearedEvent", callID=d["callID"])
    p2 = await wait_event(a1, "PreviewEvent", campaign="sales")
    check("next preview after the call: Bob", p2.get("number") == "5551002" and p2.get("name") == "Bob", p2)
    r = await rpc(a1, {"command": "RejectPreview", "campaign": "sales", "contactID": int(p2["contactID"])})
    check("RejectPreview ok (contactID as a number)", r.get("response") == "RejectPreview", r)
    p3 = await wait_event(a1, "PreviewEvent", campaign="sales")
    check("third preview: Cy", p3.get("number") == "5551003", p3)
    st = await wait_event(a1, "AgentStateEvent", agent="1001", agentState="NotReady", reasonCode=9999, timeout=15)
    check("preview not answered in 5 s: agent NotReady 9999", st is not None)
    s = await snapshot(boss, "sales")
    check("sales: Ann done (voice), Bob skipped, Cy pending again",
          s.get("done") == 1 and s.get("failed") == 1 and s.get("pending") == 1
          and s.get("results") == {"voice": 1, "skipped": 1}, s)

    # ---- SIGHUP drops a running campaign: the call up ends normally, nothing new is dialled ----
    r = await rpc(boss, {"command": "StartCampaign", "campaign": "late"})
    check("campaign 'late' started", r.get("state") == "running", r)
    await wait_event(boss, "CampaignProgressEvent", campaign="late", number="5552001", status="done")
    with open(f"{T}/ctid.conf", "w") as f:
        f.write(CONF)	# without [campaign late]
    proc.send_signal(signal.SIGHUP)
    end = time.monotonic() + 10
    while time.monotonic() < end and "campaign late: no longer configured, paused" not in open(f"{T}/log").read():
        await asyncio.sleep(0.1)
    check("reload: the dropped campaign is paused", "no longer configured" in open(f"{T}/log").read())
    r = await snapshot(boss, "late")
    check("reload: the dropped campaign is unknown now", r.get("error") == "invalidCampaign", r)
    end = time.monotonic() + 30	# the call that was up ends on its own (about 5 s)
    while time.monotonic() < end:
        st = sqlite3.connect(f"{T}/campaign.db").execute(
            "SELECT status FROM contact WHERE number = '5552002'").fetchone()
        if st and st[0] != "dialing":
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1)	# and nothing new follows
    for w in (boss, a1, a2):
        await w.close()


with open(f"{T}/ctid.conf", "w") as f:
    f.write(CONF)
with open(f"{T}/notice.csv", "w") as f:
    f.write("number,name\n5550001,One\n5550002,Two\n5550003,Three\n")
with open(f"{T}/late.csv", "w") as f:
    f.write("number\n5552001\n5552002\n5552003\n")
with open(f"{T}/ctid.conf", "a") as f:
    f.write(LATE)
with open(f"{T}/sales.csv", "w") as f:
    f.write("number,name\n5551001,Ann\n5551002,Bob\n5551003,Cy\n")
log = open(f"{T}/log", "w")
proc = subprocess.Popen([CTID, "--sim-outbound", "5550001=person,5551001=person", "--sim-talk", "3000",
                         f"{T}/ctid.conf"], stderr=log)
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
        asyncio.run(asyncio.wait_for(main(port), 150))
    except Exception as e:
        check("WebSocket campaign flow completed", False, repr(e))
proc.send_signal(signal.SIGTERM)
try:
    rc = proc.wait(20)
except subprocess.TimeoutExpired:
    proc.kill()
    rc = -1
check("ctid exits 0 on SIGTERM", rc == 0, f"rc={rc}")
db = sqlite3.connect(f"{T}/campaign.db")
rows = db.execute("SELECT number, status, coalesce(result, ''), coalesce(queue, '') FROM contact "
                  "WHERE campaign = 'sales' ORDER BY line").fetchall()
check("database: sales contacts", rows == [("5551001", "done", "voice", "billing"), ("5551002", "failed", "skipped", ""),
                                           ("5551003", "pending", "", "")], rows)
cdr = sqlite3.connect(f"{T}/cdr.db").execute(
    "SELECT direction, ani, agent, queue FROM cdr WHERE leg = 1").fetchall()
check("CDR: the preview call, outbound, agent 1001", cdr == [("out", "5551001", "1001", "billing")], cdr)
rows = db.execute("SELECT number, status, coalesce(result, '') FROM contact WHERE campaign = 'late' ORDER BY line").fetchall()
check("database: the call up at the reload ended normally (done), the next was never dialled",
      rows == [("5552001", "done", "voice"), ("5552002", "done", "voice"), ("5552003", "pending", "")], rows)
print(f"1..{n}")
if failed:
    print(open(f"{T}/log").read()[-4000:], file=sys.stderr)
sys.exit(1 if failed else 0)
