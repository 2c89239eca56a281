// clients/js/resock.js against a real resockd, in Node (>= 20 with
// --experimental-websocket, or 22+): resume after dropped connections with
// every message exactly once and in order both ways, fan-out to another
// client, and an explicit "lost" when the session expired while away.
//
//   node --experimental-websocket js_client_test.mjs RESOCKD RESOCK_JS
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";

const [resockdPath, resockJs] = process.argv.slice(2);
const { ResockClient } = await import(pathToFileURL(resockJs).href);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failures = 0;
function check(what, ok, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : ` ${detail}`}`);
  if (!ok) failures++;
}

// Starts resockd on port 0 and resolves with {proc, port}.
function startResockd(args) {
  const proc = spawn(resockdPath, ["--listen", "127.0.0.1:0", "--secret", "js-test", "--no-demo", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  proc.stderr.on("data", (d) => (err += d));
  proc.logs = () => err;
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/^PORT (\d+)$/m);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.on("exit", (code) => reject(new Error(`resockd exited with ${code}: ${err}`)));
  });
}

// Resolves when pred() holds, rejects after ms.
async function until(pred, ms, what) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await sleep(10);
  }
}

function record(client) {
  const log = { events: [], messages: [] };
  for (const name of ["connecting", "connected", "resumed", "lost", "error", "closed"])
    client.on(name, (e) => log.events.push({ name, ...e }));
  client.on("message", (m) => log.messages.push(m));
  log.count = (name) => log.events.filter((e) => e.name === name).length;
  return log;
}

async function resumeScenario() {
  const { proc, port } = await startResockd([]);
  const url = `ws://127.0.0.1:${port}/rs/ws`;
  try {
    const a = new ResockClient({ url });
    const b = new ResockClient({ url });
    const la = record(a);
    const lb = record(b);
    a.subscribe("bulk");
    a.start();
    b.start();
    await until(() => a.connected && b.connected, 5000, "both connected");
    await sleep(100); // the subscription is processed
    const N = 500;
    const DROPS = 6;
    // Messages flow while the connection is dropped repeatedly: sends go on
    // while disconnected (queued) and are resent after each resume.
    for (let i = 1; i <= N; i++) {
      a.send("count", { i });
      b.publish("bulk", { i });
      if (i % Math.floor(N / DROPS) === 0) {
        // Each drop hits an established session, so each must give one
        // resume (a drop during a handshake would only restart it).
        await until(() => a.connected, 5000, "reconnected");
        a.dropConnection();
        await sleep(5);
      }
      if (i % 50 === 0) await sleep(10);
    }
    await until(() => la.messages.length >= 2 * N && a.pending === 0 && b.pending === 0, 20000,
                "all messages");
    await sleep(200); // anything extra (a duplicate) would arrive now
    const seqs = la.messages.map((m) => m.seq);
    check("seqs are exactly 1..2N", seqs.length === 2 * N && seqs.every((s, k) => s === k + 1),
          `got ${seqs.length}`);
    const replies = la.messages.filter((m) => m.ch === undefined).map((m) => m.data);
    check("route ran once per message, in order",
          replies.length === N && replies.every((r, k) => r.c === k + 1 && r.n === k + 1),
          JSON.stringify(replies.find((r, k) => r.c !== k + 1 || r.n !== k + 1)));
    const bulk = la.messages.filter((m) => m.ch === "bulk").map((m) => m.data.i);
    check("fan-out: every bulk message once, in order",
          bulk.length === N && bulk.every((v, k) => v === k + 1), `got ${bulk.length}`);
    check(`resumed once per drop (${DROPS})`, la.count("resumed") === DROPS,
          `resumed=${la.count("resumed")}`);
    check("nothing lost", la.count("lost") === 0 && lb.count("lost") === 0);
    check("no error events", la.count("error") === 0 && lb.count("error") === 0,
          JSON.stringify(la.events.filter((e) => e.name === "error")));
    a.stop();
    b.stop();
    check("closed emitted", la.count("closed") === 1);
  } finally {
    proc.kill("SIGTERM");
  }
}

async function lostScenario() {
  const { proc, port } = await startResockd(["--session-ttl", "300"]);
  const url = `ws://127.0.0.1:${port}/rs/ws`;
  try {
    const c = new ResockClient({ url, backoffMin: 50, backoffMax: 200 });
    const log = record(c);
    c.start();
    await until(() => c.connected, 5000, "connected");
    // Away for longer than the TTL: point the client at a closed port, then
    // back.
    c.opts.url = "ws://127.0.0.1:9/rs/ws";
    c.dropConnection();
    await sleep(800);
    c.opts.url = url;
    await until(() => log.count("lost") === 1 && c.connected, 10000, "lost + new session");
    const lost = log.events.find((e) => e.name === "lost");
    check("lost after the TTL, with a reason", ["expired", "unknown"].includes(lost.reason),
          JSON.stringify(lost));
    check("a new session follows", log.count("connected") === 2);
    c.stop();
    await sleep(100);
    proc.kill("SIGTERM");
    await new Promise((r) => proc.on("exit", r));
    check("resockd ran the disconnect hook (expired)",
          /event=disconnect .*reason=expired/.test(proc.logs()));
  } finally {
    proc.kill("SIGTERM");
  }
}

// SIGTERM: resockd closes every client with 1001 "going away" (after the
// close envelope), so clients know the server left on purpose.
async function shutdownScenario() {
  const { proc, port } = await startResockd([]);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/rs/ws`, "resock.v1");
  const envelopes = [];
  const closed = new Promise((resolve) => (ws.onclose = (e) => resolve(e.code)));
  ws.onmessage = (e) => envelopes.push(JSON.parse(e.data));
  ws.onopen = () => ws.send(JSON.stringify({ t: "hello", v: 1 }));
  await until(() => envelopes.some((e) => e.t === "welcome"), 5000, "welcome");
  proc.kill("SIGTERM");
  const code = await closed;
  const exit = await new Promise((r) => proc.on("exit", (c) => r(c)));
  check("SIGTERM: close envelope 1001", envelopes.some((e) => e.t === "close" && e.code === 1001),
        JSON.stringify(envelopes.map((e) => e.t)));
  check("SIGTERM: WebSocket closed with 1001", code === 1001, `got ${code}`);
  check("SIGTERM: resockd exits 0", exit === 0, `got ${exit}`);
}

try {
  await resumeScenario();
  await lostScenario();
  await shutdownScenario();
} catch (e) {
  console.log(`FAIL ${e.message}`);
  failures++;
}
console.log(failures ? `${failures} failure(s)` : "PASS");
process.exit(failures ? 1 : 0);
