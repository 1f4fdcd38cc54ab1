// test_web.js CTID WORKDIR ARTIFACTS WEB_ROOT - the agent desktop (agent.html) and the
// supervisor wallboard (wallboard.html) in headless Chromium against ctid on the emulated board
// in real time. Prints TAP.
//
// Two callers: 0301000001 (customer record in a SQLite table) and 0301000002 (record from an
// HTTP CRM this test serves). Agent 1001 logs in on the desktop, goes Ready, call 1 pops with
// ANI/DNIS/IVR digits/customer, the position's phone answers (the sim's phones answer
// themselves), hold/retrieve, Answer shows ctid's reply, transfer to agent 1002 (second desktop)
// who gets the same pop; the wallboard's counters, agent states (against QueryAgentState),
// trunk usage, monitor replies and chart follow; 1001's wrap-up timer runs, its history shows
// call 1; call 2 (placed when the test sends ctid SIGUSR1) pops at 1001, its record from the
// slow CRM following as CallInformationEvent.
"use strict";

const fs = require("fs");
const http = require("http");
const path = require("path");
const { spawn, execFileSync } = require("child_process");
const { chromium } = require("playwright-core");

const [CTID, T, ART, WEB] = process.argv.slice(2);
let n = 0, failed = 0;

function check(what, cond, detail) {
	n++;
	if (cond)
		console.log(`ok ${n} - ${what}`);
	else {
		failed++;
		console.log(`not ok ${n} - ${what}${detail !== undefined ? " # " + detail : ""}`);
	}
	return cond;
}

// Waits for fn() (in the page) to become true; returns false on timeout instead of throwing.
async function waitFor(page, fn, arg, ms = 15000) {
	try {
		await page.waitForFunction(fn, arg, { timeout: ms, polling: 100 });
		return true;
	} catch (e) {
		return false;
	}
}

const text = (page, sel) => page.textContent(sel).then((t) => (t || "").trim(), () => "");

function conf(crmPort) {
	return `
[ctid]
sim = 2 e1 euroisdn
clock = real
cdr = sqlite:${T}/cdr.db
prompts = prompts
listen = 127.0.0.1:0
stats_interval = 1
web_root = ${WEB}
[customer]
sqlite = crm.db
sql = SELECT name, account, balance FROM customer WHERE ani = ?
url = http://127.0.0.1:${crmPort}/customers/{ani}
timeout = 10000
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
wrapup = 5
[agent 1001]
name = Alice
position = 3001
skills = billing:5
token = token-of-1001
[agent 1002]
name = Bob
position = 3002
skills = billing:2
token = token-of-1002
[agent boss]
supervisor = yes
token = token-of-boss
`;
}

async function main() {
	// Prompts and the customer table.
	fs.mkdirSync(`${T}/prompts`);
	for (const [f, secs] of [["welcome.wav", "1"], ["music.wav", "2"]])
		execFileSync("sox", ["-n", "-r", "8000", "-c", "1", "-b", "16", `${T}/prompts/${f}`, "synth", secs, "sine", "440", "vol", "0.1"]);
	execFileSync("sqlite3", [`${T}/crm.db`, "CREATE TABLE customer (ani TEXT PRIMARY KEY, name TEXT, account TEXT, balance REAL);" +
		"INSERT INTO customer VALUES ('0301000001', 'Li Wei', 'ACC-7731', -152.5);"]);

	// The CRM: a JSON record for 0301000002 after 5 s (so it arrives after the pop, as a
	// CallInformationEvent), 404 for anyone else; remembers what it was asked.
	const crmAsked = [];
	const crm = http.createServer((req, res) => {
		crmAsked.push(req.url);
		if (req.url === "/customers/0301000002") {
			setTimeout(() => {
				res.writeHead(200, { "Content-Type": "application/json" });
				res.end(JSON.stringify({ name: "Zhang Min", account: "ACC-9002", tariff: "business" }));
			}, 5000);
		} else {
			res.writeHead(404);
			res.end();
		}
	});
	await new Promise((r) => crm.listen(0, "127.0.0.1", r));
	fs.writeFileSync(`${T}/ctid.conf`, conf(crm.address().port));

	// ctid: caller 1 at once, caller 2 when the test sends SIGUSR1; phones answer at once and talk 20 s.
	const log = fs.openSync(`${T}/ctid.log`, "w");
	const ctid = spawn(CTID, ["--sim-calls", "2", "--sim-interval", "3600000", "--sim-digits", "1", "--sim-talk", "20000",
		`${T}/ctid.conf`], { stdio: ["ignore", "ignore", log] });
	let port = 0;
	for (let i = 0; i < 100 && !port; i++) {
		await new Promise((r) => setTimeout(r, 100));
		const m = /WebSocket interface on port (\d+)/.exec(fs.readFileSync(`${T}/ctid.log`, "utf8"));
		port = m ? Number(m[1]) : 0;
	}
	if (!check("ctid listens", port > 0, fs.readFileSync(`${T}/ctid.log`, "utf8")))
		return finish(null, ctid, crm);
	const base = `http://127.0.0.1:${port}`;

	// Plain HTTP: pages and their types; nothing outside web_root.
	const get = (p) => new Promise((res) => http.get(base + p, (r) => {
		let body = "";
		r.on("data", (d) => (body += d));
		r.on("end", () => res({ status: r.statusCode, type: r.headers["content-type"], body }));
	}).on("error", (e) => res({ status: 0, body: String(e) })));
	const page1 = await get("/agent.html");
	check("GET /agent.html: 200 text/html, the desktop", page1.status === 200 && /text\/html/.test(page1.type) &&
	      page1.body.includes("Agent desktop"), `${page1.status} ${page1.type}`);
	const js = await get("/ctid.js");
	check("GET /ctid.js: 200 javascript", js.status === 200 && /javascript/.test(js.type), `${js.status} ${js.type}`);
	const idx = await get("/");
	check("GET /: index.html links both pages", idx.status === 200 && idx.body.includes("wallboard.html") &&
	      idx.body.includes("agent.html"), idx.status);
	const esc = await new Promise((res) => {
		const req = http.request({ host: "127.0.0.1", port, path: "/../ctid.conf" }, (r) => {
			let body = "";
			r.on("data", (d) => (body += d));
			r.on("end", () => res({ status: r.statusCode, body }));
		});
		req.on("error", (e) => res({ status: 0, body: String(e) }));
		req.end();
	});
	check("GET /../ctid.conf does not leave web_root", !esc.body.includes("token-of-boss"), esc.status);
	check("GET /missing.html: 404", (await get("/missing.html")).status === 404);

	let browser = null;
	try {
		// A fresh profile in the test's directory; Debian's chromium, never a downloaded one.
		browser = await chromium.launchPersistentContext(`${T}/chromium-profile`, {
			executablePath: "/usr/bin/chromium",
			headless: true,
			args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			       "--disable-background-networking", "--disable-component-update", "--disable-sync"],
			viewport: { width: 1100, height: 760 },
		});
		await scenario(browser, base, crmAsked, ctid);
	} catch (e) {
		check("scenario ran to its end", false, e.stack.split("\n").slice(0, 3).join(" | "));
	}
	if (browser)
		await browser.close();
	return finish(browser, ctid, crm);
}

async function finish(browser, ctid, crm) {
	const rc = ctid.exitCode !== null ? ctid.exitCode : await new Promise((r) => {
		ctid.on("exit", (code) => r(code));
		ctid.kill("SIGTERM");
	});
	check("ctid exits 0 on SIGTERM", rc === 0, `rc=${rc}`);
	crm.close();
	if (failed)
		console.log(fs.readFileSync(`${T}/ctid.log`, "utf8").split("\n").slice(-40).map((l) => "# " + l).join("\n"));
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
}

async function login(page, url, token) {
	await page.goto(url);
	await page.fill("#token", token);
	await page.click("#login-btn");
}

async function scenario(browser, base, crmAsked, ctid) {
	const board = browser.pages()[0] || await browser.newPage();
	const errors = [];
	browser.on("weberror", (e) => errors.push(String(e.error())));

	// Wallboard first: it must see caller 1 waiting.
	await login(board, base + "/wallboard.html?interval=5", "token-of-boss");
	check("wallboard: supervisor logged in", await waitFor(board, () => !document.getElementById("board").classList.contains("hidden")));
	check("wallboard: both agents listed, LoggedOut",
	      await waitFor(board, () => ["1001", "1002"].every((a) =>
		      document.querySelector(`#agents tr[data-agent="${a}"] .state`)?.textContent === "LoggedOut")));
	check("wallboard: trunk pstn on sim2 with no alarm, D-channel up",
	      await waitFor(board, () => {
		      const r = document.querySelector('#trunks tr[data-span="sim2"]');
		      return r && r.querySelector(".alarms").textContent === "OK" && r.querySelector(".dchan").textContent === "up";
	      }));
	check("wallboard: caller 1 waiting in billing (waiting 1, offered 1)",
	      await waitFor(board, () => {
		      const r = document.querySelector('#queues tr[data-queue="billing"]');
		      return r && r.querySelector(".waiting").textContent === "1" && r.querySelector(".offered").textContent === "1";
	      }), await text(board, "#queues"));
	check("wallboard: the waiting caller holds one channel of the inbound trunk",
	      await waitFor(board, () => document.querySelector('#trunks tr[data-span="sim2"] .usage')?.textContent === "1 / 30"),
	      await text(board, '#trunks tr[data-span="sim2"]'));
	await board.screenshot({ path: `${ART}/wallboard-waiting.png`, fullPage: true });
	// The chart counts offers from its first QueueStatsEvent on; whether caller 1 came before that depends on
	// how fast this machine is, so caller 2 is judged against what the chart holds once it has started.
	const chartSum = () => [...document.querySelectorAll("#chart .bar-offered")]
		.reduce((s, e) => s + Number(e.getAttribute("data-value")), 0);
	await waitFor(board, () => document.querySelectorAll("#chart .bar-offered").length > 0, null, 25000);
	const offeredBefore = await board.evaluate(chartSum);

	// Agent 1001: bad token first, then the right one.
	const a1 = await browser.newPage();
	await login(a1, base + "/agent.html", "not-a-token");
	check("desktop: a wrong token is refused and said so",
	      await waitFor(a1, () => /authenticationFailed/.test(document.getElementById("login-error").textContent)));
	await login(a1, base + "/agent.html", "token-of-1001");
	check("desktop 1001: logged in, NotReady",
	      await waitFor(a1, () => document.getElementById("agent-state").textContent === "NotReady"), await text(a1, "#agent-state"));
	check("desktop 1001: shows its agent id", (await text(a1, "#agent-id")) === "1001");
	// What an agent may not ask (on the desktop's own connection).
	const ask = (cmd) => a1.evaluate((c) => ctid.send(c), cmd);	// eslint-disable-line no-undef
	let r = await ask({ command: "SnapshotTrunks" });
	check("agent: SnapshotTrunks is for supervisors", r.error === "privilegeViolation", JSON.stringify(r));
	r = await ask({ command: "SnapshotQueues" });
	check("agent: SnapshotQueues is for supervisors", r.error === "privilegeViolation", JSON.stringify(r));
	r = await ask({ command: "QueryCallHistory", agent: "1002" });
	check("agent: another agent's history refused", r.error === "privilegeViolation", JSON.stringify(r));
	r = await ask({ command: "QueryCallHistory", limit: 0 });
	check("agent: QueryCallHistory limit 0 is invalidMessage", r.error === "invalidMessage", JSON.stringify(r));
	r = await ask({ command: "SnapshotAgents" });
	check("agent: SnapshotAgents gives itself only", r.agents && r.agents.length === 1 && r.agents[0].agent === "1001" &&
	      r.agents[0].name === "Alice", JSON.stringify(r));
	await a1.selectOption("#reason", "3");
	await a1.click("#btn-notready");
	check("desktop 1001: NotReady with reason 3",
	      await waitFor(a1, () => document.getElementById("state-reason").textContent === "reason 3"));
	check("wallboard: 1001 NotReady with reason 3",
	      await waitFor(board, () => {
		      const r = document.querySelector('#agents tr[data-agent="1001"]');
		      return r && r.querySelector(".state").textContent === "NotReady" && r.children[3].textContent === "3";
	      }));

	// Ready: caller 1 is delivered at once and pops.
	await a1.click("#btn-ready");
	check("desktop 1001: call 1 pops (Ringing or already Talking)",
	      await waitFor(a1, () => document.getElementById("pop-callid").textContent === "1"));
	check("desktop 1001: ANI 0301000001", (await text(a1, "#pop-ani")) === "0301000001");
	check("desktop 1001: DNIS 800100", (await text(a1, "#pop-dnis")) === "800100");
	check("desktop 1001: IVR digits 1", (await text(a1, "#pop-digits")) === "1");
	check("desktop 1001: queue billing", (await text(a1, "#pop-queue")) === "billing");
	check("desktop 1001: customer record from the SQLite table",
	      (await text(a1, '#customer dd[data-field="name"]')) === "Li Wei" &&
	      (await text(a1, '#customer dd[data-field="account"]')) === "ACC-7731" &&
	      (await text(a1, '#customer dd[data-field="balance"]')) === "-152.5", await text(a1, "#customer"));
	check("desktop 1001: the phone answered: Talking",
	      await waitFor(a1, () => document.getElementById("call-state").textContent === "Talking" &&
			    document.getElementById("agent-state").textContent === "Talking"));
	await a1.screenshot({ path: `${ART}/agent-1001-call.png`, fullPage: true });

	// Answer: the desktop sends AnswerCall and shows ctid's reply, whatever it is.
	await a1.evaluate(() => { document.getElementById("btn-answer").disabled = false; });
	await a1.click("#btn-answer");
	check("desktop 1001: Answer shows ctid's reply to AnswerCall",
	      await waitFor(a1, () => /^AnswerCall: (ok|\w+ \(.+\))$/.test(document.getElementById("status").textContent)),
	      await text(a1, "#status"));

	await a1.click("#btn-hold");
	check("desktop 1001: Hold -> HoldCall ok, call Held",
	      await waitFor(a1, () => document.getElementById("status").textContent === "HoldCall: ok" &&
			    document.getElementById("call-state").textContent === "Held"), await text(a1, "#status"));
	check("wallboard: call 1 shown held", await waitFor(board, () =>
		document.querySelector('#calls tr[data-call="1"] .call-state')?.textContent === "held"));
	await a1.click("#btn-retrieve");
	check("desktop 1001: Retrieve -> RetrieveCall ok, Talking",
	      await waitFor(a1, () => document.getElementById("status").textContent === "RetrieveCall: ok" &&
			    document.getElementById("call-state").textContent === "Talking"), await text(a1, "#status"));

	// Wallboard while 1001 talks.
	check("wallboard: answered 1, waiting 0",
	      await waitFor(board, () => {
		      const r = document.querySelector('#queues tr[data-queue="billing"]');
		      return r && r.querySelector(".answered").textContent === "1" && r.querySelector(".waiting").textContent === "0";
	      }), await text(board, '#queues tr[data-queue="billing"]'));
	check("wallboard: the call uses a channel on each trunk",
	      await waitFor(board, () => document.querySelector('#trunks tr[data-span="sim3"] .usage')?.textContent === "1 / 30" &&
			    document.querySelector('#trunks tr[data-span="sim2"] .usage')?.textContent === "1 / 30"),
	      await text(board, "#trunks"));
	await board.click('#calls tr[data-call="1"] button.listen');
	check("wallboard: listen sends MonitorStart and shows the reply",
	      await waitFor(board, () => /^MonitorStart listen call 1: (ok|\w+ \(.+\))$/.test(document.getElementById("status").textContent)),
	      await text(board, "#status"));
	await board.click('#calls tr[data-call="1"] button.barge');
	check("wallboard: barge sends MonitorStart and shows the reply",
	      await waitFor(board, () => /^MonitorStart barge call 1: /.test(document.getElementById("status").textContent)),
	      await text(board, "#status"));

	// Agent 1002 on a second desktop, Ready; 1001 transfers call 1 to 1002.
	const a2 = await browser.newPage();
	await a2.goto(base + "/agent.html?token=token-of-1002");	/* logs in by itself */
	check("desktop 1002: logged in", await waitFor(a2, () => document.getElementById("agent-state").textContent === "NotReady"));
	await a2.click("#btn-ready");
	check("desktop 1002: Ready", await waitFor(a2, () => document.getElementById("agent-state").textContent === "Ready"));
	await a1.fill("#transfer-to", "1002");
	await a1.click("#btn-transfer");
	check("desktop 1001: SingleStepTransfer ok, call transferred to 1002",
	      await waitFor(a1, () => document.getElementById("status").textContent === "SingleStepTransfer: ok" &&
			    document.getElementById("call-state").textContent === "Transferred to 1002"), await text(a1, "#status"));
	check("desktop 1001: wrap-up timer runs",
	      await waitFor(a1, () => document.getElementById("agent-state").textContent === "WorkingAfterCall" &&
			    /^\d+:\d\d$/.test(document.getElementById("wrapup").textContent)), await text(a1, "#wrapup"));
	check("desktop 1002: call 1 pops with the same fields and customer",
	      await waitFor(a2, () => document.getElementById("pop-callid").textContent === "1" &&
			    document.getElementById("pop-ani").textContent === "0301000001" &&
			    document.getElementById("pop-digits").textContent === "1" &&
			    document.querySelector('#customer dd[data-field="name"]')?.textContent === "Li Wei"));
	check("desktop 1002: Talking", await waitFor(a2, () => document.getElementById("call-state").textContent === "Talking"));
	await a2.screenshot({ path: `${ART}/agent-1002-transferred.png`, fullPage: true });
	check("wallboard: the transfer counted once (offered 1, answered 1)",
	      await waitFor(board, () => {
		      const r = document.querySelector('#queues tr[data-queue="billing"]');
		      return r && r.querySelector(".offered").textContent === "1" && r.querySelector(".answered").textContent === "1";
	      }), await text(board, '#queues tr[data-queue="billing"]'));
	check("wallboard: call 1 now at 1002", await waitFor(board, () =>
		document.querySelector('#calls tr[data-call="1"]')?.children[3].textContent === "1002"));
	// The wallboard's agents agree with QueryAgentState (asked on the wallboard's own connection).
	check("wallboard: agent states match QueryAgentState",
	      await waitFor(board, async () => {
		      for (const a of ["1001", "1002"]) {
			      const q = await ctid.send({ command: "QueryAgentState", agent: a });	// eslint-disable-line no-undef
			      const shown = document.querySelector(`#agents tr[data-agent="${a}"] .state`)?.textContent;
			      if (!q.agentState || q.agentState !== shown)
				      return false;
		      }
		      return true;
	      }), await text(board, "#agents"));
	await board.screenshot({ path: `${ART}/wallboard-transferred.png`, fullPage: true });

	// 1001's history: call 1 from the CDR store.
	check("desktop 1001: history shows call 1 from 0301000001 to 800100, digits 1, billing",
	      await waitFor(a1, () => {
		      const r = document.querySelector('#history-rows tr[data-call="1"]');
		      return r && r.children[2].textContent === "0301000001" && r.children[3].textContent === "800100" &&
			      r.children[4].textContent === "1" && r.children[5].textContent === "billing";
	      }), await text(a1, "#history-rows"));

	// Wrap-up over: 1001 Ready again; caller 2 (not in the table) pops with the CRM's record.
	check("desktop 1001: Ready after 5 s of wrap-up",
	      await waitFor(a1, () => document.getElementById("agent-state").textContent === "Ready" &&
			    document.getElementById("wrapup").textContent === "-", null, 12000), await text(a1, "#agent-state"));
	await a1.evaluate(() => {	/* note the events the desktop gets from here on */
		const orig = ctid.onEvent;	// eslint-disable-line no-undef
		window.seen = [];
		ctid.onEvent = (e) => { window.seen.push(e); orig(e); };	// eslint-disable-line no-undef
	});
	ctid.kill("SIGUSR1");	/* caller 2 now: 1001 is the only Ready agent */
	check("desktop 1001: call 2 pops before its record is found",
	      await waitFor(a1, () => document.getElementById("pop-ani").textContent === "0301000002" &&
			    document.getElementById("customer").textContent.includes("no record"), null, 15000),
	      await text(a1, "#call"));
	check("desktop 1001: call 2 pops, customer record from the HTTP CRM",
	      await waitFor(a1, () => document.getElementById("pop-ani").textContent === "0301000002" &&
			    document.querySelector('#customer dd[data-field="name"]')?.textContent === "Zhang Min" &&
			    document.querySelector('#customer dd[data-field="tariff"]')?.textContent === "business", null, 25000),
	      await text(a1, "#call"));
	const seen = await a1.evaluate(() => window.seen.filter((e) => e.callID === "2").map((e) => e.event + (e.customer ? "+customer" : "")));
	check("desktop 1001: DeliveredEvent without the record, then CallInformationEvent with it",
	      seen.indexOf("DeliveredEvent") >= 0 && seen.indexOf("CallInformationEvent+customer") > seen.indexOf("DeliveredEvent"),
	      JSON.stringify(seen));
	check("CRM asked for caller 2 only (caller 1 was in the table)",
	      crmAsked.length === 1 && crmAsked[0] === "/customers/0301000002", JSON.stringify(crmAsked));
	check("wallboard: offered 2 after caller 2",
	      await waitFor(board, () => document.querySelector('#queues tr[data-queue="billing"] .offered')?.textContent === "2"));
	check("wallboard: the chart counted caller 2 as offered",
	      await waitFor(board, (want) => [...document.querySelectorAll("#chart .bar-offered")]
		      .reduce((s, e) => s + Number(e.getAttribute("data-value")), 0) === want, offeredBefore + 1),
	      await board.innerHTML("#chart"));
	await a1.screenshot({ path: `${ART}/agent-1001-call2.png`, fullPage: true });
	await board.screenshot({ path: `${ART}/wallboard.png`, fullPage: true });

	// Log out while talking: refused, and the desktop says so.
	await a1.click("#btn-logout");
	check("desktop 1001: Log out while talking shows invalidAgentState",
	      await waitFor(a1, () => /^SetAgentState: invalidAgentState \(/.test(document.getElementById("status").textContent)),
	      await text(a1, "#status"));
	// Hang up call 2 from the desktop: cleared with cause 16, gone from the wallboard, wrap-up.
	await a1.click("#btn-hangup");
	check("desktop 1001: Hang up -> ClearConnection ok, call cleared with cause 16",
	      await waitFor(a1, () => document.getElementById("status").textContent === "ClearConnection: ok" &&
			    document.getElementById("call-state").textContent === "Cleared (cause 16)"), await text(a1, "#call-state"));
	check("wallboard: call 2 gone, 1001 in wrap-up",
	      await waitFor(board, () => !document.querySelector('#calls tr[data-call="2"]') &&
			    document.querySelector('#agents tr[data-agent="1001"] .state')?.textContent === "WorkingAfterCall"));
	// A trunk alarm as ctid sends it turns the trunk red on the wallboard (read in the same turn:
	// ctid's own TrunkStateEvent every second redraws the row).
	const shown = await board.evaluate(() => {
		onEvent({ event: "TrunkStateEvent", trunk: "pstn", span: "sim2", role: "inbound",	// eslint-disable-line no-undef
			  alarms: "RED", alarmBits: 2, dchanUp: false, busy: 0, channels: 30,
			  chanState: "...............D..............." });
		const r = document.querySelector('#trunks tr[data-span="sim2"]');
		return [r.querySelector(".alarms").textContent, r.querySelector(".alarms").className, r.querySelector(".dchan").textContent];
	});
	check("wallboard: a TrunkStateEvent with RED shows the alarm and the D-channel down",
	      shown[0] === "RED" && shown[1].includes("alarm-bad") && shown[2] === "down", JSON.stringify(shown));

	for (const f of ["wallboard-waiting", "agent-1001-call", "agent-1002-transferred", "wallboard-transferred", "agent-1001-call2", "wallboard"]) {
		const st = fs.statSync(path.join(ART, f + ".png"), { throwIfNoEntry: false });
		check(`screenshot ${f}.png saved`, st && st.size > 10000, st ? st.size : "missing");
	}
	check("no JavaScript errors in the pages", errors.length === 0, errors.join(" | "));
}

main().catch((e) => {
	console.log(`not ok ${++n} - test_web.js: ${e.stack}`);
	process.exit(1);
});
