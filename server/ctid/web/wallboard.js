// wallboard.js - the supervisor wallboard (wallboard.html) on ctid's WebSocket protocol.
// Queues from QueueStatsEvent, agents from SnapshotAgents + AgentStateEvent, trunks from
// SnapshotTrunks + TrunkStateEvent, calls from the call events; MonitorStart buttons.
// ?token=...&interval=SECONDS (bars of the chart, default 60).
"use strict";

const $ = (id) => document.getElementById(id);
const ctid = new Ctid();
const params = new URLSearchParams(location.search);
const intervalS = Math.max(1, Number(params.get("interval")) || 60);
const BARS = 24;
const agents = new Map();	// id -> {agent, name, agentState, reasonCode, since}
const calls = new Map();	// callID -> last event + state
const lastOffered = new Map(), lastAnswered = new Map();	// queue -> counter at the last QueueStatsEvent
const bins = [];		// {start, offered, answered}

function status(text, isError) {
	$("status").textContent = text;
	$("status").classList.toggle("error", !!isError);
}

function cellRow(key, attr, cells) {
	return el("tr", { [attr]: key }, ...cells);
}

function queueRow(q) {
	let tr = document.querySelector(`#queues tr[data-queue="${CSS.escape(q.queue)}"]`);
	const sl = q.serviceLevelPermille === undefined ? "-" : (q.serviceLevelPermille / 10).toFixed(1) + " %";
	const cells = [
		el("td", {}, q.queue),
		el("td", { class: "num waiting" }, q.waiting),
		el("td", { class: "num ringing" }, q.ringing),
		el("td", { class: "num longest" }, clockText(q.longestWaitMs / 1000)),
		el("td", { class: "num offered" }, q.offered),
		el("td", { class: "num answered" }, q.answered),
		el("td", { class: "num abandoned" }, q.abandoned),
		el("td", { class: "num sl" }, sl),
	];
	if (tr)
		tr.replaceChildren(...cells);
	else
		$("queues").append(cellRow(q.queue, "data-queue", cells));
}

function currentBin() {
	const start = Math.floor(Date.now() / 1000 / intervalS) * intervalS;
	let b = bins[bins.length - 1];
	if (!b || b.start !== start) {
		b = { start, offered: 0, answered: 0 };
		bins.push(b);
		while (bins.length > BARS)
			bins.shift();
	}
	return b;
}

function countStats(q) {
	const b = currentBin();
	if (lastOffered.has(q.queue)) {
		b.offered += Math.max(0, q.offered - lastOffered.get(q.queue));
		b.answered += Math.max(0, q.answered - lastAnswered.get(q.queue));
	}
	lastOffered.set(q.queue, q.offered);
	lastAnswered.set(q.queue, q.answered);
	drawChart();
}

function drawChart() {
	const svg = $("chart");
	const NS = "http://www.w3.org/2000/svg";
	currentBin();
	const W = Math.max(240, svg.clientWidth || 480), H = 170, top = 10, bottom = 20, left = 24;
	svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
	const max = Math.max(1, ...bins.map((b) => Math.max(b.offered, b.answered)));
	const slot = (W - left) / BARS;
	const y = (v) => top + (H - top - bottom) * (1 - v / max);
	svg.replaceChildren();
	const mk = (tag, attrs, text) => {
		const e = document.createElementNS(NS, tag);
		for (const [k, v] of Object.entries(attrs))
			e.setAttribute(k, v);
		if (text !== undefined)
			e.textContent = text;
		svg.append(e);
		return e;
	};
	mk("line", { x1: left, y1: H - bottom, x2: W, y2: H - bottom, stroke: "#999" });
	mk("text", { x: 2, y: top + 8 }, String(max));
	mk("text", { x: 2, y: H - bottom }, "0");
	bins.forEach((b, i) => {
		const x = left + i * slot + slot * 0.1, w = slot * 0.38;
		mk("rect", { x, y: y(b.offered), width: w, height: H - bottom - y(b.offered), fill: "#1d5fae",
			     class: "bar-offered", "data-value": b.offered });
		mk("rect", { x: x + w, y: y(b.answered), width: w, height: H - bottom - y(b.answered), fill: "#1c7c3c",
			     class: "bar-answered", "data-value": b.answered });
		if (i % 6 === 0)
			mk("text", { x: left + i * slot, y: H - 5 }, timeText(b.start * 1000, intervalS < 60));
	});
}

function drawAgents() {
	const now = Date.now();
	const rows = [...agents.values()].sort((a, b) => a.agent.localeCompare(b.agent)).map((a) =>
		cellRow(a.agent, "data-agent", [
			el("td", {}, a.agent), el("td", {}, a.name || ""),
			el("td", {}, el("span", { class: "state " + a.agentState }, a.agentState)),
			el("td", { class: "num" }, a.agentState === "NotReady" ? a.reasonCode : ""),
			el("td", { class: "num" }, clockText((now - a.since) / 1000)),
		]));
	$("agents").replaceChildren(...rows);
}

function trunkRow(t) {
	let tr = document.querySelector(`#trunks tr[data-span="${CSS.escape(t.span)}"]`);
	const cells = [
		el("td", {}, t.trunk), el("td", {}, t.span),
		el("td", { class: "alarms " + (t.alarms === "OK" ? "alarm-ok" : "alarm-bad") }, t.alarms),
		el("td", { class: "dchan" }, t.dchanUp ? "up" : "down"),
		el("td", { class: "num usage" }, t.busy + " / " + t.channels),
		el("td", { class: "chans" }, t.chanState),
	];
	if (tr)
		tr.replaceChildren(...cells);
	else
		$("trunks").append(cellRow(t.span, "data-span", cells));
}

function drawCalls() {
	const rows = [...calls.values()].map((c) => {
		const mon = (type) => el("button", { class: type, onclick: () => monitor(c.callID, type) }, type);
		return cellRow(c.callID, "data-call", [
			el("td", {}, c.callID), el("td", {}, c.callingDevice), el("td", {}, c.queue), el("td", {}, c.agent),
			el("td", { class: "call-state" }, c.state),
			el("td", {}, mon("listen"), " ", mon("whisper"), " ", mon("barge")),
		]);
	});
	$("calls").replaceChildren(...rows);
}

async function monitor(callID, type) {
	const r = await ctid.send({ command: "MonitorStart", callID, monitorType: type });
	status(replyText("MonitorStart " + type + " call " + callID, r), !!r.error);
}

function onEvent(ev) {
	switch (ev.event) {
	case "QueueStatsEvent":
		queueRow(ev);
		countStats(ev);
		break;
	case "AgentStateEvent": {
		const a = agents.get(ev.agent) || { agent: ev.agent };
		if (a.agentState !== ev.agentState)
			a.since = Date.now();
		a.agentState = ev.agentState;
		a.reasonCode = ev.reasonCode;
		agents.set(ev.agent, a);
		drawAgents();
		break;
	}
	case "TrunkStateEvent":
		trunkRow(ev);
		break;
	case "DeliveredEvent":
	case "EstablishedEvent":
	case "HeldEvent":
	case "RetrievedEvent":
		calls.set(ev.callID, Object.assign(calls.get(ev.callID) || {}, ev,
			{ state: { DeliveredEvent: "ringing", EstablishedEvent: "talking", HeldEvent: "held", RetrievedEvent: "talking" }[ev.event] }));
		drawCalls();
		break;
	case "ConnectionClearedEvent": {
		const c = calls.get(ev.callID);
		if (c && c.agent === ev.agent) {	/* a transfer rings the next agent under the same callID */
			calls.delete(ev.callID);
			drawCalls();
		}
		break;
	}
	}
}

async function login(e) {
	e.preventDefault();
	$("login-error").textContent = "";
	try {
		await ctid.open();
	} catch (err) {
		$("login-error").textContent = err.message;
		return;
	}
	const r = await ctid.send({ command: "Login", token: $("token").value });
	if (r.error || !r.supervisor) {
		$("login-error").textContent = r.error ? replyText("Login", r) : "Login: " + r.agent + " is not a supervisor";
		ctid.ws.close();
		return;
	}
	$("sup-id").textContent = r.agent;
	$("login").classList.add("hidden");
	$("board").classList.remove("hidden");
	$("who").classList.remove("hidden");
	const ag = await ctid.send({ command: "SnapshotAgents" });
	const qs = await ctid.send({ command: "SnapshotQueues" });
	for (const a of ag.agents || [])
		agents.set(a.agent, Object.assign(a, { since: Date.now() }));
	drawAgents();
	const tr = await ctid.send({ command: "SnapshotTrunks" });
	for (const t of tr.trunks || [])
		trunkRow(t);
	for (const q of qs.queues || []) {
		queueRow(q);
		countStats(q);
	}
	for (const [name, r] of [["SnapshotAgents", ag], ["SnapshotQueues", qs], ["SnapshotTrunks", tr]])
		if (r.error)
			status(replyText(name, r), true);
	drawChart();
	setInterval(() => { drawAgents(); drawChart(); $("clock").textContent = timeText(Date.now()); }, 1000);
}

function setup() {
	$("interval-label").textContent = intervalS >= 60 ? intervalS / 60 + " min" : intervalS + " s";
	ctid.onEvent = onEvent;
	ctid.onClose = (code) => status("connection to ctid closed (" + code + ")", true);
	$("login-form").addEventListener("submit", login);
	const t = tokenFromUrl();
	if (t) {
		$("token").value = t;
		$("login-form").requestSubmit();
	}
}

setup();
