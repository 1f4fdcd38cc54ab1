// ctid.js - the WebSocket JSON protocol of ctid (docs/ctid-protocol.md) for the web pages.
// Plain browser JavaScript, no build step. One connection per page:
//   const c = new Ctid();            // ws:// or wss:// back to the server that served the page
//   c.onEvent = (ev) => ...;         // every {"event": ...}
//   c.onClose = (code) => ...;
//   await c.open();
//   const r = await c.send({command: "Login", token});   // resolves with the reply, error replies too
"use strict";

class Ctid {
	constructor(url) {
		this.url = url || ((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/");
		this.nextId = 1;
		this.pending = new Map();
		this.onEvent = () => {};
		this.onClose = () => {};
	}

	open() {
		return new Promise((resolve, reject) => {
			const ws = new WebSocket(this.url);
			this.ws = ws;
			ws.onopen = () => resolve();
			ws.onerror = () => reject(new Error("cannot connect to " + this.url));
			ws.onclose = (e) => {
				for (const [, p] of this.pending)
					p({ error: "connectionClosed", message: "connection closed (" + e.code + ")" });
				this.pending.clear();
				this.onClose(e.code);
			};
			ws.onmessage = (m) => {
				let o;
				try {
					o = JSON.parse(m.data);
				} catch (e) {
					return;
				}
				if (o.event) {
					this.onEvent(o);
					return;
				}
				const p = this.pending.get(o.invokeID);
				if (p) {
					this.pending.delete(o.invokeID);
					p(o);
				}
			};
		});
	}

	// Resolves with the reply object: {"response": ...} or {"error": ..., "message": ...}.
	send(cmd) {
		const id = "w" + this.nextId++;
		return new Promise((resolve) => {
			if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
				resolve({ error: "notConnected", message: "not connected" });
				return;
			}
			this.pending.set(id, resolve);
			this.ws.send(JSON.stringify(Object.assign({ invokeID: id }, cmd)));
		});
	}
}

// A reply as one line for a status bar: "HoldCall: ok" or "AnswerCall: serviceNotSupported (...)".
function replyText(cmd, r) {
	return r.error ? cmd + ": " + r.error + (r.message ? " (" + r.message + ")" : "") : cmd + ": ok";
}

// Seconds as m:ss or h:mm:ss.
function clockText(s) {
	s = Math.max(0, Math.floor(s));
	const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), ss = String(s % 60).padStart(2, "0");
	return h ? h + ":" + String(m).padStart(2, "0") + ":" + ss : m + ":" + ss;
}

// A time of day as HH:MM:SS (24 h), or HH:MM.
function timeText(ms, seconds = true) {
	const d = new Date(ms), p = (v) => String(v).padStart(2, "0");
	return p(d.getHours()) + ":" + p(d.getMinutes()) + (seconds ? ":" + p(d.getSeconds()) : "");
}

// Element helper: el("td", {class: "x"}, "text", child, ...).
function el(tag, attrs, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (k.startsWith("data-") || k === "class" || k === "id" || k === "title")
			e.setAttribute(k, v);
		else
			e[k] = v;
	}
	for (const c of children)
		if (c !== null && c !== undefined)
			e.append(c instanceof Node ? c : String(c));
	return e;
}

// Token from ?token=... (a kiosk wallboard) or the login form.
function tokenFromUrl() {
	return new URLSearchParams(location.search).get("token") || "";
}
