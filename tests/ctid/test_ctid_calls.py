#!/usr/bin/python3
# test_ctid_calls.py CTID WORKDIR - ctid's call control commands with a real WebSocket client
# against ctid on the emulated board in real time (docs/ctid-protocol.md): AnswerCall for an agent
# with answer = desktop, ConsultationCall to an external number then TransferCall done by the
# network (ECT on EuroISDN: seen in the pcap, the B-channels free), ConsultationCall to another
# agent then TransferCall bridged in ctid, ConferenceCall and the agent leaving it, a consultation
# to an unknown number, ReconnectCall, network HoldCall, MakeCall (success, unknown number, errors),
# the CDR rows of every leg; then on T1 DMS100 (no hold: ctid holds; transfer by RLT, which tshark shows as raw bytes)
# and T1 NI2 (2BCT in the network). Prints TAP.
import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctid_client as cc  # noqa: E402
from ctid_client import check  # noqa: E402

CTID, T = sys.argv[1], sys.argv[2]

CONF = """
[ctid]
sim = 2 {line} {switch}
clock = real
cdr = sqlite:{db}
prompts = prompts
listen = 127.0.0.1:0
stats_interval = 0
[trunk pstn]
span = sim2
role = inbound
outbound = yes
[trunk desks]
span = sim3
role = positions
[routes]
800100 = queue:billing
[queue billing]
skills = billing:1
moh = music.wav
wrapup = 3600
[agent 1001]
position = 3001
skills = billing:5
answer = desktop
token = token-of-1001
[agent 1002]
position = 3002
skills = billing:5
token = token-of-1002
[agent 1003]
position = 3003
skills = sales:5
token = token-of-1003
[agent boss]
supervisor = yes
token = token-of-boss
"""


def start(name, line, switch, calls):
    db = f"{T}/{name}.db"
    with open(f"{T}/{name}.conf", "w") as f:
        f.write(CONF.format(line=line, switch=switch, db=db))
    log = f"{T}/{name}.log"
    proc = subprocess.Popen([CTID, "--sim-calls", str(calls), "--sim-interval", "200", "--sim-talk", "600000",
                             "--trace", f"{T}/{name}.pcap", f"{T}/{name}.conf"], stderr=open(log, "w"))
    port = None
    for _ in range(100):
        m = re.search(r"WebSocket interface on port (\d+)", open(log).read())
        if m:
            port = int(m.group(1))
            break
        time.sleep(0.1)
    check(f"{name}: ctid listens", port is not None)
    return proc, port, db, log


def stop(name, proc):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = -1
    check(f"{name}: ctid exits 0 on SIGTERM", rc == 0, f"rc={rc}")


def order(client, *names_and_match):
    """Indexes of events (name, match) in the client's history; True if strictly increasing."""
    idx = []
    for name, match in names_and_match:
        found = [i for i, e in client.events
                 if e.get("event") == name and all(e.get(k) == v for k, v in match.items())]
        if not found:
            return False, names_and_match
        idx.append(found[0])
    return idx == sorted(idx) and len(set(idx)) == len(idx), idx


async def deliver_to(agent, timeout=20):
    """Make the agent Ready; return the DeliveredEvent of the caller it gets."""
    r = await agent.rpc({"command": "SetAgentState", "agentState": "Ready"})
    assert r.get("agentState") in ("Ready", "Ringing"), r
    while True:    # a caller's call, not a consultation's DeliveredEvent left unread
        _, d = await agent.wait("DeliveredEvent", timeout=timeout)
        if d is None or "primaryCallID" not in d:
            return d


async def euro(port):
    url = f"ws://127.0.0.1:{port}"
    a1 = await cc.connect(url, "token-of-1001", "1001")
    a2 = await cc.connect(url, "token-of-1002", "1002")
    a3 = await cc.connect(url, "token-of-1003", "1003")
    boss = await cc.connect(url, "token-of-boss", "boss")
    for a in (a1, a2, a3):
        await a.rpc({"command": "SetAgentState", "agentState": "LoggedIn"})

    # ---- AnswerCall: 1001's headset answers at once, the caller rings until the desktop answers ----
    d1 = await deliver_to(a1)
    check("1001 gets a DeliveredEvent", d1 is not None and d1.get("agent") == "1001", d1)
    c1 = d1["callID"]
    _, e = await a1.wait("EstablishedEvent", timeout=1.5, callID=c1)
    check("answer = desktop: no EstablishedEvent before AnswerCall", e is None, e)
    r = await a1.rpc({"command": "QueryAgentState"})
    check("... the agent is still Ringing", r.get("agentState") == "Ringing", r)
    r = await a2.rpc({"command": "AnswerCall", "callID": c1})
    check("another agent's AnswerCall -> privilegeViolation", r.get("error") == "privilegeViolation", r)
    r = await a1.rpc({"invokeID": 5, "command": "AnswerCall", "callID": c1})
    check("AnswerCall -> reply with invokeID", r.get("response") == "AnswerCall" and r.get("invokeID") == 5, r)
    _, e = await a1.wait("EstablishedEvent", callID=c1)
    check("EstablishedEvent after AnswerCall", e is not None and e.get("agent") == "1001", e)
    r = await a1.rpc({"command": "AnswerCall", "callID": c1})
    check("AnswerCall on a connected call -> invalidCallState", r.get("error") == "invalidCallState", r)

    # ---- ConsultationCall to an external number, TransferCall by the network (ECT) ----
    r = await a1.rpc({"command": "ConsultationCall", "callID": c1, "consultedDevice": "not-a-number"})
    check("consultedDevice neither agent nor number -> invalidDestination", r.get("error") == "invalidDestination", r)
    r = await a1.rpc({"command": "ConsultationCall", "callID": c1, "consultedDevice": "1002"})
    check("consulting an agent that is not Ready -> invalidAgentState", r.get("error") == "invalidAgentState", r)
    r = await a1.rpc({"command": "ConsultationCall", "callID": c1})
    check("ConsultationCall without consultedDevice -> invalidDestination", r.get("error") == "invalidDestination", r)
    r = await a1.rpc({"command": "ConsultationCall", "callID": c1, "consultedDevice": "0302000001"})
    k1 = r.get("initiatedCall")
    check("ConsultationCall -> heldCall and initiatedCall", r.get("heldCall") == c1 and k1 and k1 != c1, r)
    _, h = await a1.wait("HeldEvent", callID=c1)
    check("HeldEvent: held in the network (EuroISDN hold)", h is not None and h.get("method") == "network", h)
    _, e = await a1.wait("EstablishedEvent", callID=k1)
    check("consultation established", e is not None and e.get("primaryCallID") == c1
          and e.get("calledDevice") == "0302000001" and e.get("callingDevice") == "3001", e)
    ok, idx = order(a1, ("OriginatedEvent", {"callID": k1}), ("DeliveredEvent", {"callID": k1}),
                    ("EstablishedEvent", {"callID": k1}))
    check("consultation events in order: Originated, Delivered, Established", ok, idx)
    r = await a1.rpc({"command": "RetrieveCall", "callID": c1})
    check("RetrieveCall while the consultation is up -> invalidCallState", r.get("error") == "invalidCallState", r)
    r = await a1.rpc({"command": "TransferCall", "heldCall": c1, "activeCall": "999"})
    check("TransferCall with the wrong activeCall -> invalidCallState", r.get("error") == "invalidCallState", r)
    r = await a2.rpc({"command": "TransferCall", "heldCall": c1, "activeCall": k1})
    check("TransferCall by another agent -> privilegeViolation", r.get("error") == "privilegeViolation", r)
    r = await a1.rpc({"command": "TransferCall", "heldCall": c1, "activeCall": k1})
    check("TransferCall -> reply", r.get("response") == "TransferCall", r)
    _, t = await a1.wait("TransferredEvent", callID=c1)
    check("TransferredEvent: done by the network", t is not None and t.get("method") == "network"
          and t.get("transferredTo") == "0302000001", t)
    _, x = await a1.wait("ConnectionClearedEvent", callID=c1, agent="1001")
    check("the agent's leg is cleared with 16", x is not None and x.get("cause") == 16, x)
    _, x = await a1.wait("ConnectionClearedEvent", callID=k1)
    check("the consultation leg is cleared by the network", x is not None, x)
    _, s = await a1.wait("AgentStateEvent", agent="1001", agentState="WorkingAfterCall")
    check("1001 goes to wrap-up", s is not None, s)

    # ---- ConsultationCall to agent 1003, TransferCall bridged in ctid ----
    d2 = await deliver_to(a2)
    c2 = d2["callID"]
    _, e = await a2.wait("EstablishedEvent", callID=c2)
    check("answer = phone: 1002's phone answers (EstablishedEvent without AnswerCall)", e is not None, e)
    r = await a2.rpc({"command": "AnswerCall", "callID": c2})
    check("AnswerCall for an answer = phone agent -> serviceNotSupported",
          r.get("error") == "serviceNotSupported" and "answer = phone" in r.get("message", ""), r)
    await a3.rpc({"command": "SetAgentState", "agentState": "Ready"})
    r = await a2.rpc({"command": "ConsultationCall", "callID": c2, "consultedDevice": "1003"})
    k2 = r.get("initiatedCall")
    check("ConsultationCall to agent 1003", r.get("heldCall") == c2 and k2, r)
    _, d = await a3.wait("DeliveredEvent", callID=k2)
    check("1003 gets the consultation's DeliveredEvent", d is not None and d.get("consultedAgent") == "1003"
          and d.get("primaryCallID") == c2, d)
    _, e = await a3.wait("EstablishedEvent", callID=k2)
    check("... and its EstablishedEvent", e is not None, e)
    r = await a3.rpc({"command": "QueryAgentState"})
    check("1003 is Talking during the consultation", r.get("agentState") == "Talking", r)
    r = await a2.rpc({"command": "ConferenceCall", "heldCall": c2, "activeCall": "12345"})
    check("ConferenceCall with the wrong activeCall -> invalidCallState", r.get("error") == "invalidCallState", r)
    r = await a2.rpc({"command": "TransferCall", "heldCall": c2, "activeCall": k2})
    _, t = await a2.wait("TransferredEvent", callID=c2)
    check("TransferCall to an agent: bridged in ctid", r.get("response") == "TransferCall" and t is not None
          and t.get("method") == "bridged" and t.get("transferredTo") == "1003", (r, t))
    _, x = await a2.wait("ConnectionClearedEvent", callID=c2, agent="1002")
    check("1002's leg cleared", x is not None and x.get("cause") == 16, x)
    _, e = await a3.wait("EstablishedEvent", callID=c2, agent="1003")
    check("1003 now owns the caller's call (EstablishedEvent, same callID and screen pop)",
          e is not None and e.get("callingDevice") == d2.get("callingDevice"), e)
    r = await a2.rpc({"command": "ClearConnection", "callID": c2})
    check("1002 cannot clear the transferred call", r.get("error") == "privilegeViolation", r)
    r = await a3.rpc({"command": "ClearConnection", "callID": c2})
    _, x = await a3.wait("ConnectionClearedEvent", callID=c2, agent="1003")
    check("1003 clears it", r.get("response") == "ClearConnection" and x is not None, (r, x))
    _, s = await a3.wait("AgentStateEvent", agent="1003", agentState="Ready")
    check("1003 back to Ready (its state before the consultation)", s is not None, s)

    # ---- ConferenceCall; the agent leaves, the caller and 1003 talk on ----
    d3 = await deliver_to(a2)
    c3 = d3["callID"]
    await a2.wait("EstablishedEvent", callID=c3)
    r = await a2.rpc({"command": "ConsultationCall", "callID": c3, "consultedDevice": "1003"})
    k3 = r.get("initiatedCall")
    check("ConsultationCall to 1003 again", k3, r)
    _, e = await a3.wait("EstablishedEvent", callID=k3)
    r = await a2.rpc({"command": "ConferenceCall", "heldCall": c3, "activeCall": k3})
    _, cf = await a2.wait("ConferencedEvent", callID=c3)
    check("ConferenceCall -> ConferencedEvent", r.get("response") == "ConferenceCall" and cf is not None
          and cf.get("consultedDevice") == "1003", (r, cf))
    _, cf3 = await a3.wait("ConferencedEvent", callID=c3)
    check("the consulted agent sees the ConferencedEvent", cf3 is not None, cf3)
    r = await a2.rpc({"command": "ClearConnection", "callID": c3})
    _, x = await a2.wait("ConnectionClearedEvent", callID=c3, agent="1002")
    check("ClearConnection in a conference: only the agent leaves", r.get("response") == "ClearConnection"
          and x is not None, (r, x))
    _, e = await a3.wait("EstablishedEvent", callID=c3, agent="1003")
    check("the caller and 1003 talk on (1003 owns the call)", e is not None, e)
    r = await boss.rpc({"command": "ClearConnection", "callID": c3})
    _, x = await a3.wait("ConnectionClearedEvent", callID=c3, agent="1003")
    check("the supervisor clears it", x is not None, x)

    # ---- a consultation to an unknown number; ReconnectCall; network HoldCall ----
    d4 = await deliver_to(a1)
    c4 = d4["callID"]
    await a1.rpc({"command": "AnswerCall", "callID": c4})
    await a1.wait("EstablishedEvent", callID=c4)
    r = await a1.rpc({"command": "ConsultationCall", "callID": c4, "consultedDevice": "99123"})
    k4 = r.get("initiatedCall")
    _, x = await a1.wait("ConnectionClearedEvent", callID=k4)
    check("consultation to an unknown number: ConnectionClearedEvent with cause 1", x is not None
          and x.get("cause") == 1, x)
    await a1.wait("HeldEvent", callID=c4)
    r = await a1.rpc({"command": "RetrieveCall", "callID": c4})
    _, e = await a1.wait("RetrievedEvent", callID=c4)
    check("... the caller stays held; RetrieveCall brings it back", r.get("response") == "RetrieveCall"
          and e is not None, (r, e))
    r = await a1.rpc({"command": "ConsultationCall", "callID": c4, "consultedDevice": "0302000002"})
    k5 = r.get("initiatedCall")
    await a1.wait("EstablishedEvent", callID=k5)
    await a1.wait("HeldEvent", callID=c4)    # ReconnectCall before the network's hold ack: invalidCallState
    r = await a1.rpc({"command": "ReconnectCall", "heldCall": c4, "activeCall": k5})
    _, x = await a1.wait("ConnectionClearedEvent", callID=k5)
    _, e = await a1.wait("RetrievedEvent", callID=c4)
    check("ReconnectCall: consultation cleared, caller retrieved", r.get("response") == "ReconnectCall"
          and x is not None and e is not None, (r, x, e))
    r = await a1.rpc({"command": "HoldCall", "callID": c4})
    _, h = await a1.wait("HeldEvent", callID=c4)
    check("HoldCall: held in the network", h is not None and h.get("method") == "network", h)
    r = await a1.rpc({"command": "RetrieveCall", "callID": c4})
    _, e = await a1.wait("RetrievedEvent", callID=c4)
    check("RetrieveCall after a network hold", e is not None, e)
    r = await a1.rpc({"command": "ClearConnection", "callID": c4})
    await a1.wait("ConnectionClearedEvent", callID=c4, agent="1001")

    # ---- MakeCall (from NotReady 4: the waiting sixth caller is not delivered meanwhile) ----
    await a1.rpc({"command": "SetAgentState", "agentState": "NotReady", "reasonCode": 4})
    r = await a1.rpc({"command": "MakeCall", "calledDirectoryNumber": "12ab"})
    check("MakeCall to a non-number -> invalidDestination", r.get("error") == "invalidDestination", r)
    r = await a2.rpc({"command": "MakeCall", "calledDirectoryNumber": "0302000009", "agent": "1001"})
    check("MakeCall for another agent -> privilegeViolation", r.get("error") == "privilegeViolation", r)
    r = await a1.rpc({"command": "MakeCall", "calledDirectoryNumber": "0302000009"})
    m1 = r.get("callID")
    check("MakeCall -> callID", r.get("response") == "MakeCall" and m1, r)
    _, e = await a1.wait("EstablishedEvent", callID=m1)
    check("MakeCall: EstablishedEvent", e is not None and e.get("calledDevice") == "0302000009"
          and e.get("callingDevice") == "3001", e)
    ok, idx = order(a1, ("OriginatedEvent", {"callID": m1}), ("DeliveredEvent", {"callID": m1}),
                    ("EstablishedEvent", {"callID": m1}))
    check("MakeCall events in order: Originated, Delivered, Established", ok, idx)
    r = await a1.rpc({"command": "QueryAgentState"})
    check("the agent is Talking during MakeCall", r.get("agentState") == "Talking", r)
    r = await a1.rpc({"command": "MakeCall", "calledDirectoryNumber": "0302000010"})
    check("a second MakeCall while Talking -> invalidAgentState", r.get("error") == "invalidAgentState", r)
    r = await a1.rpc({"command": "ClearConnection", "callID": m1})
    _, x = await a1.wait("ConnectionClearedEvent", callID=m1)
    check("MakeCall cleared with 16", x is not None and x.get("cause") == 16, x)
    r = await a1.rpc({"command": "QueryAgentState"})
    check("... the agent back in its state before (NotReady 4)", r.get("agentState") == "NotReady"
          and r.get("reasonCode") == 4, r)
    r = await a1.rpc({"command": "MakeCall", "calledDirectoryNumber": "99000"})
    m2 = r.get("callID")
    _, x = await a1.wait("ConnectionClearedEvent", callID=m2)
    check("MakeCall to an unknown number: ConnectionClearedEvent with cause 1", x is not None
          and x.get("cause") == 1, x)
    r = await a1.rpc({"command": "QueryAgentState"})
    check("... the agent NotReady 4 again", r.get("agentState") == "NotReady" and r.get("reasonCode") == 4, r)
    for a in (a1, a2, a3, boss):
        await a.close()
    return c1, k1, c2, c3, k4, m1, m2


async def fallback(port, name, want_transfer):
    """T1 without network hold: ctid holds; transfer by the network (NI2 2BCT, DMS100 RLT)."""
    url = f"ws://127.0.0.1:{port}"
    a1 = await cc.connect(url, "token-of-1002", f"{name} 1002")
    await a1.rpc({"command": "SetAgentState", "agentState": "LoggedIn"})
    d = await deliver_to(a1)
    c = d["callID"]
    await a1.wait("EstablishedEvent", callID=c)
    r = await a1.rpc({"command": "ConsultationCall", "callID": c, "consultedDevice": "0302000001"})
    k = r.get("initiatedCall")
    _, h = await a1.wait("HeldEvent", callID=c)
    check(f"{name}: no Q.931 hold: held by ctid (method server)", h is not None and h.get("method") == "server", h)
    _, e = await a1.wait("EstablishedEvent", callID=k)
    r = await a1.rpc({"command": "TransferCall", "heldCall": c, "activeCall": k})
    _, t = await a1.wait("TransferredEvent", callID=c)
    check(f"{name}: TransferredEvent method {want_transfer}", t is not None and t.get("method") == want_transfer, t)
    _, x = await a1.wait("ConnectionClearedEvent", callID=c, agent="1002")
    check(f"{name}: the agent's leg cleared", x is not None, x)
    await a1.close()
    return c


def rows(db, call):
    con = sqlite3.connect(db)
    r = con.execute("SELECT leg, direction, ani, dnis, agent, cause FROM cdr WHERE call_id = ? ORDER BY leg, id",
                    (call,)).fetchall()
    con.close()
    return r


def q931(pcap):
    """(direction, message type, ROSE global opcode, invoke) of every Q.931 frame in the capture."""
    out = subprocess.run(["tshark", "-r", pcap, "-Y", "q931", "-T", "fields", "-E", "separator=|",
                          "-e", "lapd.direction", "-e", "q931.message_type", "-e", "q932.ros.global",
                          "-e", "q932.ros.invoke_element"], capture_output=True, text=True).stdout
    return [tuple(line.split("|")) for line in out.splitlines()]


for d in ("prompts",):
    os.makedirs(f"{T}/{d}", exist_ok=True)
subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", f"{T}/prompts/music.wav", "synth", "2", "sine",
                "400"], check=True, stderr=subprocess.DEVNULL)

proc, port, db, log = start("euro", "e1", "euroisdn", 6)
ids = None
if port:
    try:
        ids = asyncio.run(asyncio.wait_for(euro(port), 240))
    except Exception as e:
        check("EuroISDN flow completed", False, repr(e))
stop("euro", proc)
if ids:
    c1, k1, c2, c3, k4, m1, m2 = ids
    r = rows(db, c1)
    check("CDR, call transferred by ECT: caller, agent 1001's leg, the consultation leg",
          r == [(1, "in", "0301000001", "800100", "1001", 16), (2, "out", "0301000001", "3001", "1001", 16),
                (3, "out", "3001", "0302000001", "1001", 16)], r)
    r = rows(db, c2)
    check("CDR, call transferred to 1003: caller, 1002's leg, 1003's leg",
          len(r) == 3 and r[0][0] == 1 and r[0][4] == "1003" and r[1][3:5] == ("3002", "1002")
          and r[2][3:5] == ("3003", "1003"), r)
    r = rows(db, c3)
    check("CDR, conference: caller, 1002's leg, 1003's leg", [x[3] for x in r] == ["800100", "3002", "3003"], r)
    r = rows(db, m1)
    check("CDR, MakeCall: external leg out (ani = position), agent leg",
          r == [(1, "out", "3001", "0302000009", "1001", 16), (2, "out", "3001", "3001", "1001", 16)], r)
    r = rows(db, m2)
    check("CDR, MakeCall to an unknown number: external leg with cause 1", r and r[0][0] == 1 and r[0][5] == 1, r)
    f = q931(f"{T}/euro.pcap")
    check("pcap: HOLD (0x24) and HOLD ACKNOWLEDGE (0x28) on the trunk",
          any(x[1] == "0x24" for x in f) and any(x[1] == "0x28" for x in f))
    ect = [i for i, x in enumerate(f) if len(x) > 3 and x[1] == "0x62" and x[2] == "0.4.0.369.1.1" and x[3] == "1"]
    check("pcap: ExplicitEctExecute invoke in a FACILITY (ECT)", len(ect) > 0, f[-20:])
    # after the ECT the network clears both legs toward ctid: DISCONNECT (0x45) from the network side
    disc = [x for x in f[ect[0]:ect[0] + 20] if x[1] == "0x45" and x[0] == "1"] if ect else []
    check("pcap: the network clears both legs after the ECT (B-channels free)", len(disc) >= 2, disc)

proc, port, db, log2 = start("dms100", "t1", "dms100", 1)
if port:
    try:
        c = asyncio.run(asyncio.wait_for(fallback(port, "dms100", "network"), 120))
    except Exception as e:
        check("DMS100 flow completed", False, repr(e))
stop("dms100", proc)
f = q931(f"{T}/dms100.pcap")
check("dms100 pcap: no HOLD, no ROSE invoke (RLT is not ROSE)", not any(x[1] == "0x24" or (len(x) > 2 and x[2]) for x in f),
      [x for x in f if x[1] == "0x24" or (len(x) > 2 and x[2])])

proc, port, db, log3 = start("ni2", "t1", "ni2", 1)
if port:
    try:
        c = asyncio.run(asyncio.wait_for(fallback(port, "ni2", "network"), 120))
    except Exception as e:
        check("NI2 flow completed", False, repr(e))
stop("ni2", proc)
f = q931(f"{T}/ni2.pcap")
check("ni2 pcap: InitiateTransfer (2BCT) invoke", any(len(x) > 2 and x[2] == "1.2.840.10005.0.8" for x in f))

print(f"1..{cc.n}")
if cc.failed:
    for lg in (log, log2, log3):
        print(f"---- {lg}", file=sys.stderr)
        print(open(lg).read()[-4000:], file=sys.stderr)
sys.exit(1 if cc.failed else 0)
