// screens.js BASE_URL OUT_DIR AGENT_TOKEN AGENT_ID SUPERVISOR_TOKEN QUEUE
//
// The demo's screens in headless Chromium (Debian's chromium, driven by playwright-core from
// tests/web/node_modules: the browser test's driver, installed by `make deps`): the agent desktop
// (BASE_URL/agent.html) of one agent, opened as a second session of that agent (the page does not
// change a logged-in agent's state), and the supervisor wallboard (BASE_URL/wallboard.html), both
// served by ctid. Takes
//   OUT_DIR/desktop.png        when the agent's first call is connected (screen pop shown)
//   OUT_DIR/wallboard.png      at the same moment (agents talking, callers waiting)
//   OUT_DIR/wallboard-end.png  once the queue shows every call answered
// and writes OUT_DIR/screens.json: what the pages showed at those moments (text of the fields), for
// examples/demo.sh to check. Prints "screens: ..." lines; exit 0, or 1 if a page did not show what
// was expected in time (the screenshot is taken anyway).
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require(path.join(__dirname, "../../tests/web/node_modules/playwright-core"));

const [BASE, OUT, TOKEN, AGENT, SUPER, QUEUE] = process.argv.slice(2);
if (!SUPER || !QUEUE) {
	console.error("usage: screens.js BASE_URL OUT_DIR AGENT_TOKEN AGENT_ID SUPERVISOR_TOKEN QUEUE");
	process.exit(2);
}
const shown = { desktop: {}, wallboard: {}, wallboardEnd: {} };
let failed = 0;

async function waitFor(page, what, fn, arg, ms) {
	try {
		await page.waitForFunction(fn, arg, { timeout: ms, polling: 100 });
		return true;
	} catch (e) {
		console.log(`screens: ${what}: not shown within ${ms / 1000} s`);
		failed++;
		return false;
	}
}

async function fields(page, ids) {
	const o = {};
	for (const id of ids)
		o[id] = ((await page.textContent("#" + id).catch(() => "")) || "").trim();
	return o;
}

async function board(page) {
	return page.evaluate((q) => {
		const text = (el) => (el ? el.textContent.trim() : "");
		const agents = {};
		for (const r of document.querySelectorAll("#agents tr[data-agent]"))
			agents[r.dataset.agent] = text(r.querySelector(".state"));
		const qr = document.querySelector(`#queues tr[data-queue="${q}"]`);
		return { agents, queue: qr ? Array.from(qr.children).map(text) : [],
			 calls: document.querySelectorAll("#calls tr[data-call]").length };
	}, QUEUE);
}

(async () => {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "ctid-demo-chromium-"));
	let ctx;
	try {
		ctx = await chromium.launchPersistentContext(profile, {
			executablePath: "/usr/bin/chromium",
			headless: true,
			args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			       "--disable-background-networking", "--disable-component-update", "--disable-sync"],
			viewport: { width: 1100, height: 800 },
		});
		const wall = await ctx.newPage();
		await wall.goto(`${BASE}/wallboard.html?token=${encodeURIComponent(SUPER)}&interval=10`);
		const desk = await ctx.newPage();
		await desk.goto(`${BASE}/agent.html?token=${encodeURIComponent(TOKEN)}`);
		await waitFor(desk, "desktop logged in", (a) => document.getElementById("agent-id").textContent === a,
			      AGENT, 30000);
		console.log(`screens: desktop of ${AGENT} and the wallboard open`);
		// The agent's first call, connected: screen pop on the desktop.
		await waitFor(desk, "a connected call on the desktop",
			      () => document.getElementById("agent-state").textContent === "Talking" &&
				    document.getElementById("pop-ani").textContent.trim() !== "", null, 90000);
		await wall.waitForTimeout(500);	/* the wallboard's next refresh */
		shown.desktop = await fields(desk, ["agent-id", "agent-state", "pop-ani", "pop-dnis", "pop-digits",
						    "pop-queue"]);
		shown.wallboard = await board(wall);
		await desk.screenshot({ path: path.join(OUT, "desktop.png"), fullPage: true });
		await wall.screenshot({ path: path.join(OUT, "wallboard.png"), fullPage: true });
		console.log(`screens: desktop.png (call from ${shown.desktop["pop-ani"]}), wallboard.png`);
		// The end: every caller answered (queue row: name, waiting, ... answered ...).
		await waitFor(wall, "all agents back to Ready on the wallboard", () => {
			const s = Array.from(document.querySelectorAll("#agents tr[data-agent] .state")).map((e) => e.textContent);
			return s.length > 0 && s.filter((x) => x === "Talking" || x === "Ringing").length === 0 &&
			       s.filter((x) => x === "Ready").length >= 3;
		}, null, 90000);
		await wall.waitForTimeout(2500);	/* one more QueueStatsEvent */
		shown.wallboardEnd = await board(wall);
		await wall.screenshot({ path: path.join(OUT, "wallboard-end.png"), fullPage: true });
		console.log("screens: wallboard-end.png");
	} catch (e) {
		console.log(`screens: ${e.message}`);
		failed++;
	} finally {
		fs.writeFileSync(path.join(OUT, "screens.json"), JSON.stringify(shown, null, 1) + "\n");
		if (ctx)
			await ctx.close().catch(() => {});
		fs.rmSync(profile, { recursive: true, force: true });
	}
	process.exit(failed ? 1 : 0);
})();
