// agent.js - the agent desktop (agent.html) on ctid's WebSocket protocol.
"use strict";

const $ = (id) => document.getElementById(id);
const ctid = new Ctid();
let me = "";
let call = null;		// {callID, state, fields of the last call event}
let wrapStart = 0, wrapTimer = 0;

function status(text, isError) {
	$("status").textContent = text;
	$("status").classList.toggle("error", !!isError);
}

async function command(cmd) {
	const r = await ctid.send(cmd);
	status(replyText(cmd.command, r), !!r.error);
	return r;
}

function showState(state, reason) {
	const s = $("agent-state");
	s.textContent = state;
	s.className = "state " + state;
	$("state-reason").textContent = state === "NotReady" && reason ? "reason " + reason : "";
	if (state === "WorkingAfterCall") {
		if (!wrapTimer) {
			wrapStart = Date.now();
			wrapTimer = setInterval(() => { $("wrapup").textContent = clockText((Date.now() - wrapStart) / 1000); }, 250);
			$("wrapup").textContent = "0:00";
		}
	} else if (wrapTimer) {
		clearInterval(wrapTimer);
		wrapTimer = 0;
		$("wrapup").textContent = "-";
	}
}

function showCustomer(rec) {
	const dl = $("customer");
	dl.replaceChildren();
	if (!rec || typeof rec !== "object" || !Object.keys(rec).length) {
		dl.append(el("dt", {}, "-"), el("dd", {}, "no record"));
		return;
	}
	for (const [k, v] of Object.entries(rec))
		dl.append(el("dt", {}, k), el("dd", { "data-field": k }, v === null ? "" : typeof v === "object" ? JSON.stringify(v) : v));
}

function showCall() {
	const c = call;
	$("call-state").textContent = c ? c.state : "none";
	$("call-state").className = "state " + (c ? ({ Ringing: "Ringing", Talking: "Talking", Held: "NotReady" }[c.state] || "") : "");
	$("pop-callid").textContent = c ? c.callID : "-";
	$("pop-ani").textContent = c ? c.callingDevice || "-" : "-";
	$("pop-dnis").textContent = c ? c.calledDevice || "-" : "-";
	$("pop-digits").textContent = c ? c.userData || "-" : "-";
	$("pop-queue").textContent = c ? c.queue || "-" : "-";
	showCustomer(c ? c.customer : null);
	const st = c ? c.state : "";
	$("btn-answer").disabled = st !== "Ringing";
	$("btn-hangup").disabled = !["Ringing", "Talking", "Held"].includes(st);
	$("btn-hold").disabled = st !== "Talking";
	$("btn-retrieve").disabled = st !== "Held";
	$("btn-transfer").disabled = st !== "Talking";
}

function onEvent(ev) {
	if (ev.event === "AgentStateEvent") {
		if (ev.agent === me)
			showState(ev.agentState, ev.reasonCode);
		return;
	}
	if (!ev.callID || (ev.agent && ev.agent !== me))
		return;
	const keep = call && call.callID === ev.callID ? call : {};
	switch (ev.event) {
	case "DeliveredEvent":
		call = Object.assign({}, ev, { state: "Ringing", customer: ev.customer || keep.customer });
		break;
	case "EstablishedEvent":
	case "RetrievedEvent":
		call = Object.assign(keep, ev, { state: "Talking", customer: ev.customer || keep.customer });
		break;
	case "HeldEvent":
		call = Object.assign(keep, ev, { state: "Held", customer: ev.customer || keep.customer });
		break;
	case "TransferredEvent":
		if (call && call.callID === ev.callID)
			call.state = "Transferred to " + ev.transferredTo;
		break;
	case "ConnectionClearedEvent":
		if (call && call.callID === ev.callID && !call.state.startsWith("Transferred"))
			call.state = "Cleared (cause " + ev.cause + ")";
		loadHistory();
		break;
	case "CallInformationEvent":
		if (call && call.callID === ev.callID)
			call.customer = ev.customer;
		break;
	default:
		return;
	}
	showCall();
}

function fmtTime(ms) {
	return ms ? timeText(ms) : "-";
}

async function loadHistory() {
	const r = await ctid.send({ command: "QueryCallHistory", limit: 20 });
	if (r.error) {
		status(replyText("QueryCallHistory", r), true);
		return;
	}
	const rows = $("history-rows");
	rows.replaceChildren();
	for (const h of r.calls)
		rows.append(el("tr", { "data-call": h.callID },
			el("td", {}, h.callID), el("td", {}, fmtTime(h.startMs)), el("td", {}, h.callingDevice),
			el("td", {}, h.calledDevice), el("td", {}, h.userData), el("td", {}, h.queue),
			el("td", { class: "num" }, h.answerMs && h.endMs ? clockText((h.endMs - h.answerMs) / 1000) : "-"),
			el("td", { class: "num" }, h.cause)));
}

async function login(ev) {
	ev.preventDefault();
	$("login-error").textContent = "";
	try {
		await ctid.open();
	} catch (e) {
		$("login-error").textContent = e.message;
		return;
	}
	const r = await ctid.send({ command: "Login", token: $("token").value });
	if (r.error) {
		$("login-error").textContent = replyText("Login", r);
		ctid.ws.close();
		return;
	}
	me = r.agent;
	$("agent-id").textContent = me;
	$("login").classList.add("hidden");
	$("desk").classList.remove("hidden");
	$("who").classList.remove("hidden");
	const s = await ctid.send({ command: "QueryAgentState" });
	if (s.agentState === "LoggedOut")
		await command({ command: "SetAgentState", agentState: "LoggedIn" });
	const q = await ctid.send({ command: "QueryAgentState" });
	showState(q.agentState || "LoggedOut", q.reasonCode);
	showCall();
	loadHistory();
}

function setup() {
	ctid.onEvent = onEvent;
	ctid.onClose = (code) => status("connection to ctid closed (" + code + ")", true);
	$("login-form").addEventListener("submit", login);
	$("btn-ready").onclick = () => command({ command: "SetAgentState", agentState: "Ready" })
		.then((r) => r.agentState && showState(r.agentState, r.reasonCode));
	$("btn-notready").onclick = () => command({ command: "SetAgentState", agentState: "NotReady",
						     reasonCode: Number($("reason").value) })
		.then((r) => r.agentState && showState(r.agentState, r.reasonCode));
	$("btn-logout").onclick = () => command({ command: "SetAgentState", agentState: "LoggedOut" })
		.then((r) => r.agentState && showState(r.agentState, r.reasonCode));
	$("btn-answer").onclick = () => call && command({ command: "AnswerCall", callID: call.callID });
	$("btn-hangup").onclick = () => call && command({ command: "ClearConnection", callID: call.callID });
	$("btn-hold").onclick = () => call && command({ command: "HoldCall", callID: call.callID });
	$("btn-retrieve").onclick = () => call && command({ command: "RetrieveCall", callID: call.callID });
	$("btn-transfer").onclick = () => call && command({ command: "SingleStepTransfer", callID: call.callID,
							      transferredTo: $("transfer-to").value.trim() });
	$("btn-history").onclick = loadHistory;
	const t = tokenFromUrl();
	if (t) {
		$("token").value = t;
		$("login-form").requestSubmit();
	}
}

setup();
