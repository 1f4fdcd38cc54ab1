#!/usr/bin/python3
# test_ctid_supervise.py CTID WORKDIR - what supervisors do in ctid, checked at the far-end phones of the
# emulated board. Prints TAP.
#
# 1. Queue announcements (virtual time, no WebSocket): two callers wait in a queue whose prompts are DTMF
#    marked (announcement 'A', position prompt 'B', digit prompts their own digit, music 'D'); the callers'
#    phones log every digit they hear: the announcement on entry and every 10 s exactly, the caller's own
#    position after it, the music interrupted and started again.
# 2. Monitoring and recording (real time, a python3-websockets client): the caller's phone sends DTMF 1, the
#    agent's 2, the supervisor's 3, each in its own time slot (--sim-phone). Listen: the supervisor hears 1
#    and 2, nobody hears 3; whisper: the agent hears 3, the caller does not; barge: both do. Agents are
#    refused; MonitorStop, the monitored call clearing and the supervisor hanging up end it with
#    MonitorEndedEvent. StartRecording/StopRecording give valid stereo WAVs of the call, named in the CDR
#    rows; one cut by kill -9 is still a valid WAV.
import asyncio
import json
import math
import os
import re
import signal
import sqlite3
import struct
import subprocess
import sys
import time
import wave

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


# ---- prompts: DTMF-marked WAVs ----
DTMF = {'1': (697, 1209), '2': (697, 1336), '3': (697, 1477), 'A': (697, 1633), '4': (770, 1209),
        '5': (770, 1336), '6': (770, 1477), 'B': (770, 1633), '7': (852, 1209), '8': (852, 1336),
        '9': (852, 1477), 'C': (852, 1633), '*': (941, 1209), '0': (941, 1336), '#': (941, 1477),
        'D': (941, 1633)}


def write_wav(path, parts):
    """parts: (what, ms): a DTMF digit, None (silence) or a frequency in Hz (a quiet sine)."""
    out = bytearray()
    for what, ms in parts:
        for i in range(ms * 8):
            t = i / 8000
            if what is None:
                v = 0
            elif isinstance(what, int):
                v = 1500 * math.sin(2 * math.pi * what * t)
            else:
                f1, f2 = DTMF[what]
                v = 6000 * (math.sin(2 * math.pi * f1 * t) + math.sin(2 * math.pi * f2 * t))
            out += struct.pack('<h', int(v))
    with wave.open(path, 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(out))


os.makedirs(f"{T}/prompts/digits", exist_ok=True)
os.makedirs(f"{T}/rec", exist_ok=True)
write_wav(f"{T}/prompts/ann.wav", [('A', 150), (None, 350)])
write_wav(f"{T}/prompts/pos.wav", [('B', 100), (None, 150)])
write_wav(f"{T}/prompts/wait.wav", [('C', 100), (None, 150)])
for d in range(10):
    write_wav(f"{T}/prompts/digits/{d}.wav", [(str(d), 100), (None, 150)])
write_wav(f"{T}/prompts/music.wav", [('D', 100), (None, 100), (300, 1800)])
write_wav(f"{T}/prompts/quiet.wav", [(300, 2000)])

HEARD = re.compile(r"^ctid: \[(\d+)\] sim: (\S+) heard DTMF (\S)$")


def heard(logtext):
    """[(ms, phone number, digit)] from ctid's log."""
    return [(int(m.group(1)), m.group(2), m.group(3)) for m in map(HEARD.match, logtext.splitlines()) if m]


# ---- a bad --sim-phone: exit 2 and a message naming the value ----
for bad, says in (("3001", "expected NUMBER:dtmf=D"), ("3001:dtmf=X", "bad 'dtmf=X'"),
                  ("3001:hangup=0", "bad 'hangup=0'")):
    r = subprocess.run([CTID, "--sim-phone", bad, "/nonexistent.conf"], capture_output=True, text=True, timeout=30)
    check(f"--sim-phone {bad}: exit 2, says {says}", r.returncode == 2 and says in r.stderr, (r.returncode, r.stderr))

# ======================================================== 1. announcements, virtual time
with open(f"{T}/ann.conf", "w") as f:
    f.write(f"""
[ctid]
sim = 2 e1 euroisdn
clock = virtual
cdr = sqlite:{T}/ann.db
prompts = prompts
listen = none
[trunk pstn]
span = sim2
role = inbound
[trunk desks]
span = sim3
role = positions
[routes]
800100 = queue:billing
[queue billing]
moh = music.wav
announce = ann.wav
announce_every = 10
announce_position = pos.wav
[agent 1001]
position = 3001
""")
# Nobody logged in: both callers wait for the whole run (25 s of virtual time).
r = subprocess.run([CTID, "--sim-calls", "2", "--sim-interval", "3000", "--max-time", "26", f"{T}/ann.conf"],
                   stderr=subprocess.PIPE, text=True, timeout=120)
log = r.stderr
check("announcement run exits 0", r.returncode == 0, log[-2000:])
queued = {int(m.group(2)): int(m.group(1)) for m in re.finditer(r"\[(\d+)\] call (\d+): queued in billing", log)}
h = heard(log)
for call, number, pos in ((1, "0301000001", "1"), (2, "0301000002", "2")):
    mine = [(t, d) for t, num, d in h if num == number]
    starts = [t for t, d in mine if d == 'A']
    q = queued.get(call, -10**9)
    check(f"caller {call}: the announcement on entry (heard {starts[:1]} ms, queued at {q})",
          len(starts) >= 1 and 0 <= starts[0] - q <= 150, mine[:5])
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    check(f"caller {call}: then every 10 s exactly: 3 announcements in 26 s (gaps {gaps})",
          len(starts) == 3 and all(abs(g - 10000) <= 40 for g in gaps), starts)
    # After each 'A': the position prompt 'B', the position's digit, then the music's 'D' again.
    ok_seq = True
    for a in starts:
        after = [d for t, d in mine if a < t <= a + 1500]
        ok_seq &= after[:3] == ['B', pos, 'D']
    check(f"caller {call}: each announcement says position {pos}, then the music starts again", ok_seq,
          [(t, d) for t, d in mine][:12])
    # Music interrupted: between the music's marker before an announcement and the announcement, less than
    # the music's 2 s period (the announcement did not wait for the music to end).
    cut = True
    for a in starts[1:]:
        before = [t for t, d in mine if d == 'D' and t < a]
        cut &= bool(before) and a - before[-1] < 1950
    check(f"caller {call}: the announcement interrupts the music", cut)
# The position follows the queue: caller 2 is second while caller 1 waits.
check("log names the positions", "call 2: announcement in billing, position 2" in log)

# ---- the expected wait: the queue's average answer wait less the caller's wait, in minutes (at least 1) ----
# One agent, 300 s calls, a caller every 110 s: caller 1 is answered at once, caller 2 waits ~190 s for
# the agent; caller 4 (at 331 s) is told (0 + 190) / 2 = 95 s -> 2 minutes; caller 2, at its entry,
# 1 minute (the only answered call waited 10 ms).
with open(f"{T}/wait.conf", "w") as f:
    f.write(open(f"{T}/ann.conf").read().replace("announce_every = 10\nannounce_position = pos.wav",
                                                 "announce_every = 60\nannounce_wait = wait.wav"))
r = subprocess.run([CTID, "--login-all", "--sim-calls", "4", "--sim-interval", "110000", "--sim-talk", "300000",
                    "--max-time", "340", f"{T}/wait.conf"], stderr=subprocess.PIPE, text=True, timeout=120)
log = r.stderr
h = heard(log)
check("expected wait: not said before any call of the queue was answered",
      "call 1: announcement in billing, position 0, expected wait 0 min" in log, log[-1500:])
for number, mins in (("0301000002", "1"), ("0301000004", "2")):
    mine = [(t, d) for t, num, d in h if num == number]
    a = [t for t, d in mine if d == 'A'][:1]
    after = [d for t, d in mine if a and a[0] < t <= a[0] + 1500]
    check(f"expected wait: caller {number[-1]} hears the wait prompt and {mins} (minutes) after the announcement",
          after[:3] == ['C', mins, 'D'], mine[:6])

# ======================================================== 2. monitoring and recording, real time
CONF = f"""
[ctid]
sim = 2 e1 euroisdn
clock = real
cdr = sqlite:{T}/cdr.db
prompts = prompts
listen = 127.0.0.1:0
stats_interval = 0
ring_timeout = 10
[recording]
policy = none
mode = stereo
dir = {T}/rec
[trunk pstn]
span = sim2
role = inbound
[trunk desks]
span = sim3
role = positions
[routes]
800100 = queue:billing
[queue billing]
moh = quiet.wav
[agent 1001]
position = 3001
token = token-of-1001
[agent 1002]
position = 3002
token = token-of-1002
[agent boss]
supervisor = yes
position = 3009
token = token-of-boss
[agent boss2]
supervisor = yes
position = 3008
token = token-of-boss2
[agent boss3]
supervisor = yes
token = token-of-boss3
"""

seen = {}	# ws -> every message received, in order
queues = {}


def inbox(ws):
    if ws not in queues:
        q = asyncio.Queue()
        seen[ws] = []

        async def read():
            try:
                async for m in ws:
                    seen[ws].append(json.loads(m))
                    await q.put(m)
            except websockets.ConnectionClosed as e:
                await q.put(e)
            else:	# a clean close ends the loop without an exception
                await q.put(websockets.ConnectionClosedOK(ws.close_rcvd, ws.close_sent, ws.close_rcvd_then_sent))
        queues[ws] = (q, asyncio.ensure_future(read()))
    return queues[ws][0]


async def next_msg(ws, timeout):
    m = await asyncio.wait_for(inbox(ws).get(), timeout)
    if isinstance(m, Exception):
        raise m
    return json.loads(m)


async def rpc(ws, msg, timeout=5):
    inbox(ws)
    await ws.send(json.dumps(msg))
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


async def login(url, token):
    ws = await websockets.connect(url)
    r = await rpc(ws, {"command": "Login", "token": token})
    assert "agent" in r, r
    return ws


def log_time(pattern):
    """ctid's clock at the last log line matching pattern."""
    ts = [int(m.group(1)) for m in re.finditer(r"^ctid: \[(\d+)\] " + pattern, open(f"{T}/log").read(), re.M)]
    return ts[-1] if ts else None


phases = {}


async def flow(port):
    url = f"ws://127.0.0.1:{port}"
    a1 = await login(url, "token-of-1001")
    a2 = await login(url, "token-of-1002")
    boss = await login(url, "token-of-boss")
    boss2 = await login(url, "token-of-boss2")
    boss3 = await login(url, "token-of-boss3")
    await rpc(a1, {"command": "SetAgentState", "agentState": "LoggedIn"})
    await rpc(a1, {"command": "SetAgentState", "agentState": "Ready"})
    e = await wait_event(a1, "EstablishedEvent", timeout=20)
    cid = e["callID"]
    check("call 1 connected to agent 1001", e.get("callingDevice") == "0301000001", e)

    # ---- refusals ----
    r = await rpc(a1, {"command": "MonitorStart", "callID": cid, "monitorType": "listen"})
    check("an agent cannot monitor -> privilegeViolation", r.get("error") == "privilegeViolation", r)
    r = await rpc(a1, {"command": "MonitorStop"})
    check("an agent cannot stop a monitor -> privilegeViolation", r.get("error") == "privilegeViolation", r)
    r = await rpc(boss3, {"command": "MonitorStart", "callID": cid})
    check("a supervisor without a position -> invalidDevice", r.get("error") == "invalidDevice", r)
    r = await rpc(boss, {"command": "MonitorStart", "callID": cid, "monitorType": "spy"})
    check("unknown monitorType -> invalidMessage naming the accepted ones",
          r.get("error") == "invalidMessage" and "listen, whisper, barge" in r.get("message", ""), r)
    r = await rpc(boss, {"command": "MonitorStart", "callID": "999"})
    check("unknown call -> invalidCallID", r.get("error") == "invalidCallID", r)
    r = await rpc(boss, {"command": "MonitorStart", "agent": "1002"})
    check("agent without a connected call -> invalidCallState", r.get("error") == "invalidCallState", r)
    r = await rpc(boss, {"command": "MonitorStop", "monitorCrossRefID": "77"})
    check("MonitorStop of an unknown monitor -> invalidCrossRefID", r.get("error") == "invalidCrossRefID", r)

    # ---- listen, whisper, barge on the fly ----
    r = await rpc(boss, {"invokeID": 5, "command": "MonitorStart", "callID": cid, "monitorType": "listen"})
    x1 = r.get("monitorCrossRefID")
    check("MonitorStart listen -> monitorCrossRefID", r.get("response") == "MonitorStart" and x1
          and r.get("monitorType") == "listen" and r.get("callID") == cid and r.get("invokeID") == 5, r)
    ev = await wait_event(boss, "MonitorStartedEvent", monitorCrossRefID=x1)
    check("MonitorStartedEvent once the supervisor's phone answered",
          ev.get("agent") == "1001" and ev.get("supervisor") == "boss" and ev.get("monitorType") == "listen", ev)
    await asyncio.sleep(3.5)
    r = await rpc(boss, {"command": "MonitorStart", "callID": cid, "monitorType": "whisper"})
    check("MonitorStart whisper on the same call: same monitorCrossRefID",
          r.get("monitorCrossRefID") == x1 and r.get("monitorType") == "whisper", r)
    ev = await wait_event(boss, "MonitorChangedEvent", monitorCrossRefID=x1)
    check("MonitorChangedEvent whisper", ev.get("monitorType") == "whisper", ev)
    await asyncio.sleep(3.5)
    r = await rpc(boss, {"command": "MonitorStart", "callID": cid, "monitorType": "barge"})
    await wait_event(boss, "MonitorChangedEvent", monitorCrossRefID=x1, monitorType="barge")
    await asyncio.sleep(3.5)
    r = await rpc(boss, {"command": "MonitorStop", "monitorCrossRefID": x1})
    check("MonitorStop", r.get("response") == "MonitorStop", r)
    ev = await wait_event(boss, "MonitorEndedEvent", monitorCrossRefID=x1)
    check("MonitorEndedEvent reason stopped", ev.get("reason") == "stopped", ev)
    phases["stop"] = log_time(r"monitor \d+: ended \(stopped\)")

    # ---- by agent; recording ----
    r = await rpc(boss, {"command": "MonitorStart", "agent": "1001"})
    x2 = r.get("monitorCrossRefID")
    check("MonitorStart by agent: the agent's connected call, a new monitorCrossRefID, listen by default",
          r.get("callID") == cid and x2 and x2 != x1 and r.get("monitorType") == "listen", r)
    await wait_event(boss, "MonitorStartedEvent", monitorCrossRefID=x2)

    r = await rpc(a2, {"command": "StartRecording", "callID": cid})
    check("another agent cannot record the call -> privilegeViolation", r.get("error") == "privilegeViolation", r)
    r = await rpc(a1, {"command": "StartRecording", "callID": cid})
    rec1 = r.get("recording")
    check("StartRecording -> the file's path", r.get("response") == "StartRecording" and rec1 == f"{T}/rec/call-{cid}.wav", r)
    ev = await wait_event(a1, "RecordingStartedEvent", callID=cid)
    check("RecordingStartedEvent to the agent", ev.get("recording") == rec1 and ev.get("agent") == "1001", ev)
    await wait_event(boss, "RecordingStartedEvent", callID=cid)
    r = await rpc(a1, {"command": "StartRecording", "callID": cid})
    check("StartRecording while recording -> invalidCallState", r.get("error") == "invalidCallState", r)
    t0 = time.monotonic()
    await asyncio.sleep(2)
    r = await rpc(a1, {"command": "StopRecording", "callID": cid})
    t1 = time.monotonic()
    check("StopRecording", r.get("response") == "StopRecording", r)
    ev = await wait_event(a1, "RecordingStoppedEvent", callID=cid)
    check(f"RecordingStoppedEvent reason stopped, durationMs {ev.get('durationMs')} ~ {int((t1 - t0) * 1000)}",
          ev.get("reason") == "stopped" and ev.get("recording") == rec1
          and abs(ev.get("durationMs", 0) - (t1 - t0) * 1000) < 400, ev)
    r = await rpc(a1, {"command": "StopRecording", "callID": cid})
    check("StopRecording when not recording -> invalidCallState", r.get("error") == "invalidCallState", r)
    r = await rpc(boss, {"command": "StartRecording", "callID": cid, "fileName": "../../etc/x"})
    check("a fileName with a path -> invalidMessage", r.get("error") == "invalidMessage", r)
    r = await rpc(boss, {"command": "StartRecording", "callID": cid, "fileName": "a;b"})
    check("a fileName with ';' (the CDR's separator) -> invalidMessage", r.get("error") == "invalidMessage", r)
    r = await rpc(boss, {"command": "StartRecording", "callID": cid, "fileName": "%z"})
    check("a fileName with an unknown %-code -> invalidMessage", r.get("error") == "invalidMessage", r)
    r = await rpc(boss, {"command": "StartRecording", "callID": cid, "fileName": "q-%q-%a-%i"})
    rec2 = r.get("recording")
    check("StartRecording by a supervisor with a file name template",
          rec2 == f"{T}/rec/q-billing-0301000001-{cid}.wav", r)
    await asyncio.sleep(1.5)
    r = await rpc(a1, {"command": "ClearConnection", "callID": cid})
    ev = await wait_event(a1, "RecordingStoppedEvent", callID=cid)
    check("the call clearing ends the recording: RecordingStoppedEvent reason callCleared",
          ev.get("reason") == "callCleared" and ev.get("recording") == rec2 and ev.get("durationMs", 0) > 1000, ev)
    ev = await wait_event(boss, "MonitorEndedEvent", monitorCrossRefID=x2)
    check("the monitored call clearing ends the monitor: MonitorEndedEvent reason callCleared",
          ev.get("reason") == "callCleared", ev)
    phases["rec"] = (rec1, rec2, cid)

    # ---- call 2: the supervisor hangs up; a recording cut by kill -9 ----
    e = await wait_event(a1, "EstablishedEvent", timeout=20)
    cid2 = e["callID"]
    r = await rpc(boss2, {"command": "MonitorStart", "agent": "1001", "monitorType": "barge"})
    x3 = r.get("monitorCrossRefID")
    await wait_event(boss2, "MonitorStartedEvent", monitorCrossRefID=x3, monitorType="barge")
    ev = await wait_event(boss2, "MonitorEndedEvent", monitorCrossRefID=x3)
    check("the supervisor hanging up ends the monitor: MonitorEndedEvent reason supervisorCleared",
          ev.get("reason") == "supervisorCleared" and ev.get("cause") == 16, ev)
    check("supervisors see monitor events; the monitored agent never does",
          any(m.get("event") == "MonitorEndedEvent" for m in seen[boss])
          and not any(str(m.get("event", "")).startswith("Monitor") for m in seen[a1]))
    r = await rpc(a1, {"command": "StartRecording", "callID": cid2})
    rec3 = r.get("recording")
    check("StartRecording on call 2", rec3 == f"{T}/rec/call-{cid2}.wav", r)
    await asyncio.sleep(1.5)
    phases["killed"] = rec3
    proc.send_signal(signal.SIGKILL)


with open(f"{T}/ctid.conf", "w") as f:
    f.write(CONF)
log = open(f"{T}/log", "w")
proc = subprocess.Popen([CTID, "--sim-calls", "2", "--sim-interval", "3000", "--sim-talk", "600000",
                         "--sim-phone", "0301000001:dtmf=1", "--sim-phone", "3001:dtmf=2",
                         "--sim-phone", "3009:dtmf=3", "--sim-phone", "3008:hangup=1500", f"{T}/ctid.conf"],
                        stderr=log)
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
        asyncio.run(asyncio.wait_for(flow(port), 120))
    except Exception as e:
        check("client flow completed", False, repr(e))
try:
    proc.wait(20)
except subprocess.TimeoutExpired:
    proc.kill()
    proc.wait()
text = open(f"{T}/log").read()

# ---- who heard whom, phase by phase (ctid's clock from its log) ----
starts = {m.group(2): int(m.group(1)) for m in
          re.finditer(r"^ctid: \[(\d+)\] monitor 1: supervisor boss (listen|whisper|barge) on call", text, re.M)}
bounds = [("listen", starts.get("listen"), starts.get("whisper")),
          ("whisper", starts.get("whisper"), starts.get("barge")),
          ("barge", starts.get("barge"), phases.get("stop"))]
h = heard(text)
SUP, AGENT, CALLER = "3009", "3001", "0301000001"
want = {  # phone -> (digits it must hear, digits it must not hear) in each mode
    "listen": {SUP: ("12", ""), AGENT: ("1", "3"), CALLER: ("2", "3")},
    "whisper": {SUP: ("12", ""), AGENT: ("13", ""), CALLER: ("2", "3")},
    "barge": {SUP: ("12", ""), AGENT: ("13", ""), CALLER: ("23", "")},
}
for mode, a, b in bounds:
    if a is None or b is None:
        check(f"{mode}: phase found in the log", False, (a, b))
        continue
    for phone, (must, mustnot) in want[mode].items():
        got = [d for t, num, d in h if num == phone and a + 400 <= t <= b]
        ok = all(got.count(d) >= 2 for d in must) and not any(d in got for d in mustnot)
        who = {SUP: "supervisor", AGENT: "agent", CALLER: "caller"}[phone]
        check(f"{mode}: the {who} hears {', '.join(must) or 'nothing'}"
              f"{' and not ' + mustnot if mustnot else ''} (heard {''.join(got)})", ok)


# ---- the recordings ----
def wav_info(path):
    """(channels, rate, frames, [rms per channel]) read through the header; None if not a valid WAV."""
    if not path:
        return None
    try:
        with wave.open(path, 'rb') as w:
            ch, rate, frames = w.getnchannels(), w.getframerate(), w.getnframes()
            data = w.readframes(frames)
            if w.getsampwidth() != 2 or len(data) != frames * ch * 2:
                return None
    except (wave.Error, OSError, EOFError):
        return None
    samples = struct.unpack(f"<{frames * ch}h", data)
    rms = [math.sqrt(sum(x * x for x in samples[c::ch]) / max(1, frames)) for c in range(ch)]
    return ch, rate, frames, rms


if "rec" in phases:
    rec1, rec2, cid = phases["rec"]
    i = wav_info(rec1)
    check(f"StopRecording: a valid stereo WAV, 8 kHz, ~2 s, sound on both channels ({i})",
          i is not None and i[0] == 2 and i[1] == 8000 and 1.5 * 8000 <= i[2] <= 2.8 * 8000
          and min(i[3]) > 100, i)
    i = wav_info(rec2)
    check(f"recording cut by the call clearing: a valid WAV with the call's audio ({i})",
          i is not None and i[0] == 2 and i[2] >= 8000 and min(i[3]) > 100, i)
    db = sqlite3.connect(f"{T}/cdr.db")
    rows = db.execute("SELECT leg, recording FROM cdr WHERE call_id = ? ORDER BY leg", (cid,)).fetchall()
    check("both CDR rows of the call name both recordings",
          rows == [(1, f"{rec1};{rec2}"), (2, f"{rec1};{rec2}")], rows)
if "killed" in phases:
    i = wav_info(phases["killed"])
    check(f"recording of a ctid killed with SIGKILL: still a valid WAV with the audio so far ({i})",
          i is not None and i[0] == 2 and i[2] >= 4000 and i[3][1] > 100, i)	# the agent's DTMF, right

# ======================================================== 3. the supervisor's line moves to another call; SIGTERM
# Two calls, agents 1001 (phone 3001 sends 2) and 1002 (phone 3002 sends 4). The supervisor listens to
# 1001's call, then MonitorStart on 1002's call moves the same line there; then ctid is stopped with a
# monitor and a recording running.
term = {}


async def term_flow(port):
    url = f"ws://127.0.0.1:{port}"
    a1 = await login(url, "token-of-1001")
    a2 = await login(url, "token-of-1002")
    boss = await login(url, "token-of-boss")
    for a in (a1, a2):
        await rpc(a, {"command": "SetAgentState", "agentState": "LoggedIn"})
        await rpc(a, {"command": "SetAgentState", "agentState": "Ready"})
    e1 = await wait_event(a1, "EstablishedEvent", timeout=20)
    e2 = await wait_event(a2, "EstablishedEvent", timeout=20)
    r = await rpc(boss, {"command": "MonitorStart", "callID": e1["callID"]})
    x1 = r.get("monitorCrossRefID")
    await wait_event(boss, "MonitorStartedEvent", monitorCrossRefID=x1)
    await asyncio.sleep(2.5)
    r = await rpc(boss, {"command": "MonitorStart", "callID": e2["callID"], "monitorType": "barge"})
    x2 = r.get("monitorCrossRefID")
    ev = await wait_event(boss, "MonitorEndedEvent", monitorCrossRefID=x1)
    check("MonitorStart on another call: the first monitor ends with reason replaced",
          ev.get("reason") == "replaced" and x2 and x2 != x1, (ev, r))
    ev = await wait_event(boss, "MonitorStartedEvent", monitorCrossRefID=x2)
    check("... and the new one starts at once on the same line",
          ev.get("callID") == e2["callID"] and ev.get("agent") == "1002" and ev.get("monitorType") == "barge", ev)
    term["cid"] = e2["callID"]
    await asyncio.sleep(2.5)
    r = await rpc(boss, {"command": "StartRecording", "callID": e2["callID"], "fileName": "term-%i"})
    await asyncio.sleep(1)
    proc3.send_signal(signal.SIGTERM)
    got = []
    try:
        while True:
            got.append(await next_msg(boss, 10))
    except websockets.ConnectionClosed:
        pass
    ended = [m for m in got if m.get("event") == "MonitorEndedEvent"]
    stopped = [m for m in got if m.get("event") == "RecordingStoppedEvent"]
    check("SIGTERM: the supervisor gets MonitorEndedEvent (stopped) and RecordingStoppedEvent (callCleared)",
          [m.get("reason") for m in ended] == ["stopped"] and [m.get("reason") for m in stopped] == ["callCleared"],
          got)
    return r


with open(f"{T}/split.conf", "w") as f:	# on-demand recordings follow the policy's mode: split here
    f.write(CONF.replace("mode = stereo", "mode = split"))
log = open(f"{T}/log3", "w")
proc3 = subprocess.Popen([CTID, "--sim-calls", "2", "--sim-interval", "500", "--sim-talk", "600000",
                          "--sim-phone", "3001:dtmf=2", "--sim-phone", "3002:dtmf=4", f"{T}/split.conf"], stderr=log)
port = None
for _ in range(100):
    m = re.search(r"WebSocket interface on port (\d+)", open(f"{T}/log3").read())
    if m:
        port = int(m.group(1))
        break
    time.sleep(0.1)
rec = None
if port:
    try:
        rec = asyncio.run(asyncio.wait_for(term_flow(port), 60))
    except Exception as e:
        check("SIGTERM flow completed", False, repr(e))
try:
    rc = proc3.wait(20)
except subprocess.TimeoutExpired:
    proc3.kill()
    rc = -1
check("ctid with a monitor and a recording running exits 0 on SIGTERM (no leak under ASan)", rc == 0,
      open(f"{T}/log3").read()[-3000:])
rec = rec or {}
check("split mode: StartRecording names the caller's and the agent's file",
      rec.get("recording") == f"{T}/rec/term-{term.get('cid')}-caller.wav"
      and rec.get("recording2") == f"{T}/rec/term-{term.get('cid')}-agent.wav", rec)
i, j = wav_info(rec.get("recording")), wav_info(rec.get("recording2"))
check(f"split mode: two valid mono WAVs, the agent's DTMF in the agent's file ({i}, {j})",
      i is not None and j is not None and i[0] == 1 and j[0] == 1 and i[2] >= 4000 and j[3][0] > 100, rec)
text3 = open(f"{T}/log3").read()
check("the supervisor's phone was called once for both monitors",
      len(re.findall(r"monitor: calling supervisor boss", text3)) == 1)
a = re.search(r"^ctid: \[(\d+)\] monitor 1: supervisor boss listen", text3, re.M)
b = re.search(r"^ctid: \[(\d+)\] monitor 2: supervisor boss barge", text3, re.M)
c = re.search(r"^ctid: \[(\d+)\] shutting down", text3, re.M)
if a and b and c:
    h3 = heard(text3)
    first = [d for t, num, d in h3 if num == "3009" and int(a.group(1)) + 400 <= t <= int(b.group(1))]
    second = [d for t, num, d in h3 if num == "3009" and int(b.group(1)) + 400 <= t <= int(c.group(1))]
    check(f"the supervisor hears agent 1001 (2), then only agent 1002 (4) (heard {''.join(first)} | {''.join(second)})",
          first.count("2") >= 2 and "4" not in first and second.count("4") >= 2 and "2" not in second)
else:
    check("both monitors and the shutdown are in the log", False, (a, b, c))

print(f"1..{n}")
if failed:
    print(text[-4000:], file=sys.stderr)
sys.exit(1 if failed else 0)
