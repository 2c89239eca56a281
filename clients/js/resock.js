// resock.js — the browser / Node client of the resock session protocol v1
// (see docs/protocol.md). A plain ES module, no build step, no dependency.
//
//   import { ResockClient } from "./resock.js";
//   const c = new ResockClient({ url: "ws://127.0.0.1:8080/rs/ws", auth: "ann" });
//   c.on("message", (m) => console.log(m.seq, m.ch, m.data));
//   c.subscribe("chat");
//   c.start();
//   c.send("chat", { text: "hi" });
//
// What it guarantees (DESIGN.md "Delivery contract"): every server message
// is handed to the application once and in order (duplicates after a resume
// are dropped, a gap makes it reconnect and resume instead of skipping);
// outgoing messages are kept until the server acknowledges them and are
// re-sent after a resume; a session that cannot be resumed is reported with
// a "lost" event, never silently replaced.
//
// WebSocket is the only transport for now; the fallback transports (SSE,
// XHR streaming, long polling) plug in behind the same events later.
//
// Events (client.on(name, fn)):
//   connecting {attempt, delayMs}      a connection attempt is scheduled
//   connected  {transport, sid}        a NEW session is up
//   resumed    {transport, sid, seq}   the session continued; seq = last delivered
//   lost       {reason, unconfirmed}   the session is gone ("expired", "overflow",
//                                      "unknown", "ticket"); `unconfirmed` of our
//                                      messages may or may not have been processed
//   message    {seq, ch, data, binary} a server message (ch undefined: direct)
//   error      {code, msg, c, ch}      an error envelope
//   disconnected {code, reason}        the transport connection dropped (will resume)
//   closed     {}                      stop() finished

const PROTOCOL = "resock.v1";

export class ResockClient {
  /**
   * @param {object} options
   * @param {string} [options.url] ws:// or wss:// URL of <prefix>/ws; default:
   *   this page's host with /rs/ws.
   * @param {string} [options.auth] sent as hello.auth.
   * @param {number} [options.backoffMin=100] first reconnect delay bound, ms.
   * @param {number} [options.backoffMax=10000] cap of the exponential backoff, ms.
   * @param {number} [options.connectTimeout=5000] no welcome by then: retry.
   * @param {number} [options.ackEvery=64] ack after this many messages ...
   * @param {number} [options.ackInterval=100] ... or this many ms, whichever first.
   * @param {typeof WebSocket} [options.WebSocket] implementation (tests, old Node).
   */
  constructor(options = {}) {
    this.opts = {
      url: options.url ?? defaultUrl(),
      auth: options.auth ?? "",
      backoffMin: options.backoffMin ?? 100,
      backoffMax: options.backoffMax ?? 10000,
      connectTimeout: options.connectTimeout ?? 5000,
      ackEvery: options.ackEvery ?? 64,
      ackInterval: options.ackInterval ?? 100,
      WebSocket: options.WebSocket ?? globalThis.WebSocket,
    };
    this.handlers = new Map();
    // Session state: survives reconnects, reset only when a session is lost.
    this.sid = "";
    this.tk = "";
    this.lastSeq = 0;      // highest server seq delivered to the application
    this.ackedSeq = 0;     // highest seq we have acknowledged to the server
    this.nextC = 1;        // client seq of our next message
    this.unacked = [];     // [{c, text}] in c order, kept until acked
    this.subs = new Set();     // channels we want
    this.unsubs = new Set();   // unsubscriptions still to tell the server
    this.hb = 25000;
    // Connection state.
    this.ws = null;
    this.welcomed = false;
    this.attempt = 0;
    this.stopped = true;
    this.timers = {};
  }

  /** Registers `fn` for event `name`; returns a function that unregisters it. */
  on(name, fn) {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name).add(fn);
    return () => this.handlers.get(name).delete(fn);
  }

  /** Starts connecting (no-op when already started). */
  start() {
    if (!this.stopped) return;
    if (!this.opts.WebSocket) throw new Error("resock: no WebSocket implementation available");
    this.stopped = false;
    this.attempt = 0;
    this.#schedule(0);
  }

  /** Ends the session (the server forgets it) and stops reconnecting. */
  stop() {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ws && this.welcomed) this.#sendEnv({ t: "close", code: 1000, reason: "bye" });
    this.#teardown(1000, "bye");
    this.#clearTimer("retry");
    this.#emit("closed", {});
  }

  /** Publishes JSON-able `data` to `channel`; returns its client seq. */
  publish(channel, data) {
    return this.#queue({ t: "msg", c: 0, ch: channel, d: data });
  }

  /** Sends `data` to server route `route` ("" or undefined: default handler). */
  send(route, data) {
    const env = route ? { t: "msg", c: 0, r: route, d: data } : { t: "msg", c: 0, d: data };
    return this.#queue(env);
  }

  subscribe(channel) {
    this.subs.add(channel);
    this.unsubs.delete(channel);
    if (this.welcomed) this.#sendEnv({ t: "sub", ch: channel });
  }

  unsubscribe(channel) {
    this.subs.delete(channel);
    if (this.welcomed) this.#sendEnv({ t: "unsub", ch: channel });
    else this.unsubs.add(channel);
  }

  /** Test / demo hook: drop the connection as if the network failed. */
  dropConnection() {
    if (!this.ws) return;
    this.#lostConnection(4100, "dropped by the application");
  }

  /** Unacknowledged outgoing messages. */
  get pending() {
    return this.unacked.length;
  }

  get connected() {
    return this.welcomed;
  }

  // --- internals -----------------------------------------------------------

  #emit(name, ev) {
    for (const fn of this.handlers.get(name) ?? []) {
      // An application handler that throws must not break the session.
      try {
        fn(ev);
      } catch (e) {
        console.error(`resock: "${name}" handler threw`, e);
      }
    }
  }

  #queue(env) {
    env.c = this.nextC++;
    const text = JSON.stringify(env);
    this.unacked.push({ c: env.c, text });
    if (this.welcomed) this.#sendText(text);
    return env.c;
  }

  #sendEnv(env) {
    this.#sendText(JSON.stringify(env));
  }

  #sendText(text) {
    if (!this.ws || this.ws.readyState !== 1) return;
    this.ws.send(text);
    this.#armHeartbeat();
  }

  // Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
  // a uniform delay in [0, min(max, min * 2^n)] spreads the reconnects of
  // many clients dropped at once, so a restarted server is not stampeded.
  #schedule(delayMs) {
    this.attempt += 1;
    this.#emit("connecting", { attempt: this.attempt, delayMs });
    this.#setTimer("retry", delayMs, () => this.#connect());
  }

  #backoff() {
    const cap = Math.min(this.opts.backoffMax, this.opts.backoffMin * 2 ** Math.min(this.attempt, 20));
    return Math.floor(Math.random() * cap);
  }

  #connect() {
    if (this.stopped) return;
    let ws;
    try {
      ws = new this.opts.WebSocket(this.opts.url, PROTOCOL);
    } catch (e) {
      this.#emit("error", { code: "connect", msg: String(e) });
      this.#schedule(this.#backoff());
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    // A proxy may accept the connection and pass nothing: no welcome in
    // time counts as a failed attempt.
    this.#setTimer("connect", this.opts.connectTimeout, () =>
      this.#lostConnection(4101, "connect timeout"),
    );
    ws.onopen = () => {
      const hello = { t: "hello", v: 1 };
      if (this.opts.auth) hello.auth = this.opts.auth;
      if (this.sid) hello.resume = { sid: this.sid, tk: this.tk, ack: this.lastSeq };
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (e) => this.#receive(e.data);
    ws.onclose = (e) => this.#lostConnection(e.code, e.reason);
    ws.onerror = () => {}; // onclose follows with the details we can get
  }

  // The connection is gone (or we decided it is): forget it and come back.
  #lostConnection(code, reason) {
    if (!this.ws) return;
    this.#teardown(4100, "reconnecting");
    this.#emit("disconnected", { code, reason });
    if (!this.stopped) this.#schedule(this.#backoff());
  }

  #teardown(code, reason) {
    const ws = this.ws;
    this.ws = null;
    this.welcomed = false;
    for (const t of ["connect", "ack", "ping", "pong"]) this.#clearTimer(t);
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(code, reason);
    } catch {
      // already closing: nothing to do
    }
  }

  #receive(text) {
    let env;
    try {
      env = JSON.parse(text);
    } catch {
      return; // the server only sends JSON; ignore garbage rather than die
    }
    this.lastInbound = Date.now(); // any inbound traffic proves the link alive
    switch (env.t) {
      case "welcome":
        return this.#welcome(env);
      case "msg":
        return this.#message(env);
      case "ack":
        // Cumulative: everything up to c is processed by the server.
        while (this.unacked.length && this.unacked[0].c <= env.c) this.unacked.shift();
        return;
      case "ping":
        return this.#sendEnv({ t: "pong" });
      case "pong":
        return this.#clearTimer("pong");
      case "error":
        return this.#emit("error", { code: env.code, msg: env.msg, c: env.c, ch: env.ch });
      case "close":
        // The server ended the session (shutdown, replaced, overflow): the
        // socket closes next and we reconnect; the welcome will tell.
        return;
      default:
        return; // suback, unsuback and future types need no action
    }
  }

  #welcome(env) {
    this.#clearTimer("connect");
    this.hb = env.hb || this.hb;
    const hadSession = this.sid !== "";
    if (env.resumed) {
      this.welcomed = true;
      this.attempt = 0;
      // The server has processed our messages up to env.ack: re-send the
      // rest, in order, before anything new.
      while (this.unacked.length && this.unacked[0].c <= env.ack) this.unacked.shift();
      this.#emit("resumed", { transport: "websocket", sid: this.sid, seq: this.lastSeq });
      for (const m of this.unacked) this.#sendText(m.text);
    } else {
      if (hadSession) {
        // Never silent: the application learns that the old session and the
        // messages it had not confirmed are gone.
        const unconfirmed = this.unacked.length;
        this.unacked = [];
        this.nextC = 1;
        this.#emit("lost", { reason: env.lost ?? "unknown", unconfirmed });
      }
      this.sid = env.sid;
      this.tk = env.tk;
      this.lastSeq = 0;
      this.ackedSeq = 0;
      this.welcomed = true;
      this.attempt = 0;
      this.#emit("connected", { transport: "websocket", sid: this.sid });
      // Messages queued before the first session was up (c = 1..) go now.
      for (const m of this.unacked) this.#sendText(m.text);
    }
    // Subscriptions are idempotent: re-sending them all is simpler and safer
    // than tracking which ones reached the server before a drop.
    for (const ch of this.subs) this.#sendEnv({ t: "sub", ch });
    for (const ch of this.unsubs) this.#sendEnv({ t: "unsub", ch });
    this.unsubs.clear();
    this.#armHeartbeat();
  }

  #message(env) {
    if (!this.welcomed) return;
    if (env.s <= this.lastSeq) return; // a replayed duplicate: already delivered
    if (env.s > this.lastSeq + 1) {
      // A gap cannot be skipped: reconnect and let the server replay.
      this.#lostConnection(4102, `gap: got ${env.s} after ${this.lastSeq}`);
      return;
    }
    this.lastSeq = env.s;
    const binary = env.b !== undefined;
    this.#emit("message", { seq: env.s, ch: env.ch, data: binary ? env.b : env.d, binary });
    if (this.lastSeq - this.ackedSeq >= this.opts.ackEvery) this.#sendAck();
    else if (!this.timers.ack) this.#setTimer("ack", this.opts.ackInterval, () => this.#sendAck());
  }

  #sendAck() {
    this.#clearTimer("ack");
    if (this.lastSeq === this.ackedSeq || !this.welcomed) return;
    this.ackedSeq = this.lastSeq;
    this.#sendEnv({ t: "ack", s: this.lastSeq });
  }

  // Heartbeat: after hb ms without sending anything, ping; no pong (or any
  // other inbound traffic) within hb means the link is dead.
  #armHeartbeat() {
    if (!this.welcomed) return;
    this.#setTimer("ping", this.hb, () => {
      const sentAt = Date.now();
      this.#sendEnv({ t: "ping" });
      this.#setTimer("pong", this.hb, () => this.#pongTimeout(sentAt, false));
    });
  }

  #pongTimeout(sentAt, secondLook) {
    if ((this.lastInbound ?? 0) >= sentAt) return; // traffic arrived: alive
    // Background tabs throttle timers: a timer that fires far too late says
    // nothing about the server. Let queued events run, then look again once.
    if (!secondLook && Date.now() - sentAt > this.hb + 1000) {
      this.#setTimer("pong", 1000, () => this.#pongTimeout(sentAt, true));
      return;
    }
    this.#lostConnection(4103, "heartbeat timeout");
  }

  #setTimer(name, ms, fn) {
    this.#clearTimer(name);
    this.timers[name] = setTimeout(() => {
      this.timers[name] = null;
      fn();
    }, ms);
  }

  #clearTimer(name) {
    if (this.timers[name]) clearTimeout(this.timers[name]);
    this.timers[name] = null;
  }
}

function defaultUrl() {
  const loc = globalThis.location;
  if (!loc) return "ws://127.0.0.1:8080/rs/ws";
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}/rs/ws`;
}
