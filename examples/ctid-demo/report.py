#!/usr/bin/python3
"""report.py - one-page HTML report of a ctid run: calls from the CDR database, waits, agents,
recordings, fax pages, screenshots and the checks done.

  report.py --dir DIR [--cdr cdr.db] [--conf ctid.conf] [--events events.jsonl]
            [--checks checks.txt] [--fax-pages 'fax-page-*.png'] [--title TEXT] [-o report.html]

Every file name is relative to DIR (the artifacts folder) and so is every link
in the report: DIR can be moved or served as it is. A file the CDR names that
is not inside DIR or does not exist is shown as text, not linked. Every value
from the database or the other inputs is HTML-escaped.

checks.txt: one check per line, "ok<TAB>text" or "FAIL<TAB>text".
events.jsonl: JSON lines {"t": s, "who": login, "msg": {...}} (agents.py).
Exit: 0 written, 1 an input is missing or unreadable (the message names it).
"""
import argparse
import glob
import html
import json
import os
import sqlite3
import sys
import urllib.parse

CAUSES = {1: "Unallocated number", 16: "Normal clearing", 17: "User busy", 18: "No user responding",
          19: "No answer", 21: "Call rejected", 34: "No circuit available", 38: "Network out of order",
          41: "Temporary failure", 47: "Resource unavailable"}


class Fail(Exception):
    pass


def esc(v):
    return html.escape("" if v is None else str(v), quote=True)


def seconds(ms):
    return "" if ms is None else f"{ms / 1000:.1f} s"


def clock(ms, t0):
    return "" if ms is None or t0 is None else f"+{(ms - t0) / 1000:.1f} s"


class Report:
    def __init__(self, a):
        self.a = a
        self.dir = os.path.realpath(a.dir)
        if not os.path.isdir(self.dir):
            raise Fail(f"{a.dir}: not a directory")

    def path(self, name):
        return os.path.join(self.dir, name)

    def link(self, name, text=None):
        """A relative link to a file inside DIR that exists; otherwise the name as text."""
        text = esc(text if text is not None else name)
        if not name:
            return ""
        full = os.path.realpath(name if os.path.isabs(name) else self.path(name))
        if os.path.commonpath([full, self.dir]) != self.dir or not os.path.isfile(full):
            return f'<span class="missing" title="not in the artifacts folder">{text}</span>'
        rel = os.path.relpath(full, self.dir)
        return f'<a href="{esc(urllib.parse.quote(rel))}">{text}</a>'

    def rel_if_ok(self, name):
        full = os.path.realpath(name if os.path.isabs(name) else self.path(name))
        if os.path.commonpath([full, self.dir]) != self.dir or not os.path.isfile(full):
            return None
        return urllib.parse.quote(os.path.relpath(full, self.dir))

    # ---- inputs ----
    def load_cdr(self):
        db = self.path(self.a.cdr)
        if not os.path.isfile(db):
            raise Fail(f"{db}: no such CDR database")
        try:
            con = sqlite3.connect(f"file:{urllib.parse.quote(db)}?mode=ro", uri=True)
            con.row_factory = sqlite3.Row
            rows = [dict(r) for r in con.execute("SELECT * FROM cdr ORDER BY CAST(call_id AS INTEGER), call_id, leg, id")]
            con.close()
        except sqlite3.Error as e:
            raise Fail(f"{db}: {e}")
        calls = {}
        for r in rows:
            c = calls.setdefault(r["call_id"], {"id": r["call_id"], "caller": None, "agents": []})
            if r["leg"] == 1:
                c["caller"] = r
            else:
                c["agents"].append(r)
        return rows, list(calls.values())

    def load_names(self):
        names = {}
        if not self.a.conf:
            return names
        f = self.path(self.a.conf)
        try:
            section = None
            with open(f, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    s = line.strip()
                    if s.startswith("["):
                        parts = s.strip("[]").split(None, 1)
                        section = parts[1].strip() if len(parts) == 2 and parts[0].lower() == "agent" else None
                    elif section and "=" in s and s.split("=", 1)[0].strip().lower() == "name":
                        v = s.split("=", 1)[1]
                        for mark in (" #", "\t#", " ;", "\t;"):
                            v = v.split(mark, 1)[0]
                        names[section] = v.strip()
        except OSError as e:
            raise Fail(f"{f}: {e.strerror}")
        return names

    def load_events(self):
        ev = []
        if not self.a.events:
            return ev
        f = self.path(self.a.events)
        try:
            with open(f, encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if line.strip():
                        try:
                            ev.append(json.loads(line))
                        except ValueError as e:
                            raise Fail(f"{f}:{n}: not JSON: {e}")
        except OSError as e:
            raise Fail(f"{f}: {e.strerror}")
        return ev

    def load_checks(self):
        checks = []
        if not self.a.checks:
            return checks
        f = self.path(self.a.checks)
        try:
            with open(f, encoding="utf-8", errors="replace") as fh:
                for n, line in enumerate(fh, 1):
                    line = line.rstrip("\n")
                    if not line:
                        continue
                    st, _, text = line.partition("\t")
                    if st not in ("ok", "FAIL"):
                        raise Fail(f"{f}:{n}: expected 'ok' or 'FAIL', a tab and the text; got '{line[:60]}'")
                    checks.append((st == "ok", text))
        except OSError as e:
            raise Fail(f"{f}: {e.strerror}")
        return checks

    def timeline(self, calls, t0):
        """Inline SVG: one bar per call, IVR and queue grey, with an agent blue, fax green."""
        ends = [r["end_ms"] for c in calls for r in [c["caller"]] + c["agents"] if r and r["end_ms"] is not None]
        if t0 is None or not ends or max(ends) <= t0:
            return ""
        span = max(ends) - t0
        width, left, row = 760, 60, 18
        x = lambda ms: left + (ms - t0) * (width - left - 10) / span
        out = [f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
               f'height="{row * len(calls) + 24}" font-size="11" font-family="sans-serif">']
        for i, c in enumerate(calls):
            r = c["caller"] or (c["agents"][0] if c["agents"] else None)
            if not r or r["start_ms"] is None:
                continue
            y = 4 + i * row
            end = r["end_ms"] if r["end_ms"] is not None else max(ends)
            color = "#6b6" if (r.get("fax_pages") or 0) > 0 else "#bbb"
            out.append(f'<g class="call"><text x="0" y="{y + 11}">call {esc(c["id"])}</text>'
                       f'<rect x="{x(r["start_ms"]):.1f}" y="{y}" width="{max(x(end) - x(r["start_ms"]), 1):.1f}" '
                       f'height="{row - 6}" fill="{color}"><title>{esc(r.get("ani"))}</title></rect>')
            for a in c["agents"]:
                if a["answer_ms"] is not None and a["end_ms"] is not None:
                    out.append(f'<rect x="{x(a["answer_ms"]):.1f}" y="{y}" '
                               f'width="{max(x(a["end_ms"]) - x(a["answer_ms"]), 1):.1f}" height="{row - 6}" '
                               f'fill="#48c"><title>agent {esc(a.get("agent"))}</title></rect>')
            out.append("</g>")
        out.append(f'<text x="{left}" y="{row * len(calls) + 18}">0 s</text>'
                   f'<text x="{width - 10}" y="{row * len(calls) + 18}" text-anchor="end">{span / 1000:.0f} s</text>')
        out.append("</svg><p>Timeline: grey IVR and queue, blue talking with an agent, green a fax call.</p>")
        return "".join(out)

    # ---- output ----
    def write(self):
        rows, calls = self.load_cdr()
        names = self.load_names()
        events = self.load_events()
        checks = self.load_checks()
        t0 = min((r["start_ms"] for r in rows if r["start_ms"] is not None), default=None)
        out = []
        w = out.append
        title = esc(self.a.title)
        w(f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>")
        w("<style>body{font:14px/1.4 sans-serif;margin:1.5em;max-width:80em}table{border-collapse:collapse;"
          "margin:.5em 0}th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}"
          "th{background:#eee}.ok{color:#070}.fail{color:#b00;font-weight:bold}.missing{color:#b00}"
          "img.fax{width:24em;border:1px solid #999;margin:4px}img.shot{max-width:38em;border:1px solid #999;"
          "margin:4px}h2{margin-top:1.2em}</style></head><body>")
        w(f"<h1>{title}</h1>")

        ncheck = len(checks)
        nfail = sum(1 for ok, _ in checks if not ok)
        callers = [c for c in calls if c["caller"]]
        answered = sum(1 for c in calls if any(a["answer_ms"] for a in c["agents"]))
        fax_pages = sum((c["caller"] or {}).get("fax_pages") or 0 for c in calls)
        recs = {r["recording"] for r in rows if r["recording"]}
        summary = (f"<p>{len(calls)} calls ({len(callers)} caller legs, {len(rows)} CDR rows), {answered} answered by agents, "
                   f"{fax_pages} fax pages sent, {len(recs)} recordings. ")
        if checks:
            summary += f'<span class="{"fail" if nfail else "ok"}">{ncheck - nfail} of {ncheck} checks passed.</span>'
        w(summary + "</p>")

        # Calls
        w("<h2>Calls</h2>")
        w('<table id="calls"><tr><th>call</th><th>caller (ANI)</th><th>dialled</th><th>IVR digits</th>'
          "<th>start</th><th>queue</th><th>agent</th><th>wait</th><th>talk</th><th>cause</th>"
          "<th>fax pages</th><th>recording</th></tr>")
        for c in calls:
            r = c["caller"] or {}
            ag = [a for a in c["agents"] if a["answer_ms"]]
            a = ag[-1] if ag else (c["agents"][-1] if c["agents"] else {})
            agent = a.get("agent") or r.get("agent") or ""
            wait = talk = None
            if r.get("answer_ms") is not None and a.get("answer_ms") is not None:
                wait = a["answer_ms"] - r["answer_ms"]	# IVR + queue + ringing
            if a.get("answer_ms") is not None and a.get("end_ms") is not None:
                talk = a["end_ms"] - a["answer_ms"]
            cause = r.get("cause", a.get("cause"))
            cause_txt = "" if cause is None else f"{cause} {CAUSES.get(cause, '')}".strip()
            agent_txt = f"{agent} {names[agent]}" if agent in names else agent
            rec = r.get("recording") or a.get("recording") or ""
            w(f'<tr class="call"><td>{esc(c["id"])}</td><td>{esc(r.get("ani", a.get("ani")))}</td>'
              f'<td>{esc(r.get("dnis"))}</td><td>{esc(r.get("digits"))}</td>'
              f'<td>{clock(r.get("start_ms", a.get("start_ms")), t0)}</td><td>{esc(r.get("queue"))}</td>'
              f'<td>{esc(agent_txt)}</td><td>{seconds(wait)}</td><td>{seconds(talk)}</td>'
              f'<td>{esc(cause_txt)}</td><td>{esc(r.get("fax_pages") or "")}</td><td>{self.link(rec) if rec else ""}'
              "</td></tr>")
        w("</table><p>wait: from the IVR's answer to the agent's (menu, queue, ringing).</p>")
        w(self.timeline(calls, t0))

        # Agents
        per = {}
        for c in calls:
            for a in c["agents"]:
                p = per.setdefault(a["agent"] or "", {"calls": 0, "talk": 0, "rona": 0})
                if a["answer_ms"]:
                    p["calls"] += 1
                    p["talk"] += (a["end_ms"] or a["answer_ms"]) - a["answer_ms"]
                else:
                    p["rona"] += 1
        for c in calls:	# an agent named on a caller leg only still shows
            if c["caller"] and c["caller"]["agent"]:
                per.setdefault(c["caller"]["agent"], {"calls": 0, "talk": 0, "rona": 0})
        last_state = {}
        for e in events:
            m = e.get("msg", {})
            if m.get("event") == "AgentStateEvent" or m.get("response") == "SetAgentState":
                last_state[m.get("agent")] = m.get("agentState")
        w("<h2>Agents</h2><table id=\"agents\"><tr><th>agent</th><th>name</th><th>calls answered</th>"
          "<th>talk time</th><th>not answered</th><th>last state</th></tr>")
        for agent in sorted(set(per) | set(names) - {""}):
            p = per.get(agent, {"calls": 0, "talk": 0, "rona": 0})
            w(f'<tr class="agent"><td>{esc(agent)}</td><td>{esc(names.get(agent, ""))}</td><td>{p["calls"]}</td>'
              f'<td>{seconds(p["talk"])}</td><td>{p["rona"]}</td><td>{esc(last_state.get(agent, ""))}</td></tr>')
        w("</table>")

        # Queues: the last statistics the supervisor saw
        qs = {}
        for e in events:
            m = e.get("msg", {})
            if m.get("event") == "QueueStatsEvent":
                qs[m.get("queue")] = m
        if qs:
            w("<h2>Queues</h2><table id=\"queues\"><tr><th>queue</th><th>offered</th><th>answered</th>"
              "<th>abandoned</th><th>waiting</th><th>longest wait</th><th>service level</th></tr>")
            for q, m in sorted(qs.items(), key=lambda kv: str(kv[0])):
                sl = m.get("serviceLevelPermille")
                w(f"<tr><td>{esc(q)}</td><td>{esc(m.get('offered'))}</td><td>{esc(m.get('answered'))}</td>"
                  f"<td>{esc(m.get('abandoned'))}</td><td>{esc(m.get('waiting'))}</td>"
                  f"<td>{seconds(m.get('longestWaitMs'))}</td>"
                  f"<td>{'' if not isinstance(sl, int) else f'{sl / 10:.1f} %'}</td></tr>")
            w("</table><p>As the supervisor's wallboard last saw them (QueueStatsEvent).</p>")

        # Recordings: the CDRs', then other audio (e.g. what the supervisor heard)
        if recs or self.a.audio:
            w("<h2>Recordings</h2><ul id=\"recordings\">")
            for rec in sorted(recs) + self.a.audio:
                rel = self.rel_if_ok(rec)
                if rel:
                    w(f'<li>{self.link(rec)} <audio controls preload="none" src="{esc(rel)}"></audio></li>')
                else:
                    w(f"<li>{self.link(rec)}</li>")
            w("</ul>")

        # Fax pages
        pages = sorted(glob.glob(self.path(self.a.fax_pages)), key=lambda p: (len(p), p)) if self.a.fax_pages else []
        if pages:
            w("<h2>Fax received</h2><p id=\"fax\">")
            for i, p in enumerate(pages, 1):
                rel = urllib.parse.quote(os.path.relpath(p, self.dir))
                w(f'<a href="{esc(rel)}"><img class="fax" src="{esc(rel)}" alt="fax page {i}"></a>')
            w("</p>")

        # Screenshots and other files
        shots = [s for s in self.a.screenshot if os.path.isfile(self.path(s))]
        if shots:
            w("<h2>Screens</h2><p>")
            for s in shots:
                rel = esc(urllib.parse.quote(s))
                w(f'<a href="{rel}"><img class="shot" src="{rel}" alt="{esc(s)}"></a>')
            w("</p>")
        files = [f for f in self.a.file if os.path.isfile(self.path(f))]
        if files:
            w("<h2>Files</h2><ul>")
            for f in files:
                w(f"<li>{self.link(f)}</li>")
            w("</ul>")

        # Checks
        if checks:
            w("<h2>Checks</h2><ul id=\"checks\">")
            for ok, text in checks:
                w(f'<li class="{"ok" if ok else "fail"}">[{"ok" if ok else "FAIL"}] {esc(text)}</li>')
            w("</ul>")
        w("</body></html>\n")
        dest = self.path(self.a.output)
        tmp = dest + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("\n".join(out))
        os.replace(tmp, dest)
        return len(calls), len(rows)


def main():
    p = argparse.ArgumentParser(prog="report.py", description="one-page HTML report of a ctid run")
    p.add_argument("--dir", required=True, help="the artifacts folder; other names are relative to it")
    p.add_argument("--cdr", default="cdr.db", help="SQLite CDR database (default cdr.db)")
    p.add_argument("--conf", help="ctid.conf, for the agents' names")
    p.add_argument("--events", help="JSON lines of WebSocket messages (agents.py)")
    p.add_argument("--checks", help="checks file: ok|FAIL, a tab, the text")
    p.add_argument("--fax-pages", help="glob of the received fax's page images, e.g. 'fax-page-*.png'")
    p.add_argument("--audio", action="append", default=[], help="another recording to list (repeat)")
    p.add_argument("--screenshot", action="append", default=[], help="an image to show (repeat)")
    p.add_argument("--file", action="append", default=[], help="another artifact to link (repeat)")
    p.add_argument("--title", default="ctid call center report")
    p.add_argument("-o", "--output", default="report.html", help="output file (default report.html)")
    a = p.parse_args()
    try:
        ncalls, nrows = Report(a).write()
    except Fail as e:
        print(f"report.py: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"report.py: {os.path.join(a.dir, a.output)}: {ncalls} calls, {nrows} CDR rows")


if __name__ == "__main__":
    main()
