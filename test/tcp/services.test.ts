// The built-in services over in-memory TCP, and the no-growth promise over 10,000 connections.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";
import { chargenExpected } from "../lib/chargen.js";


/** Handshake with a service port from a given peer port; returns the numbers. */
function open(p: Peer, port: number, sport: number, isn = 1000): { snd: number; rcv: number } {
  p.sport = sport;
  p.tcp({ dport: port, seq: isn, flags: "S", mss: 1460 });
  const sa = p.expect("SA");
  p.tcp({ dport: port, seq: isn + 1, ack: sa.seq + 1, flags: "A" });
  return { snd: isn + 1, rcv: (sa.seq + 1) >>> 0 };
}

test("echo (7) returns the bytes, and closes after the peer's FIN (half-close honoured)", () => {
  const p = new Peer();
  const c = open(p, 7, 41000);
  p.tcp({ dport: 7, seq: c.snd, ack: c.rcv, flags: "PA", data: "ping\n" });
  p.expect("PA", { seq: c.rcv, ack: c.snd + 5, data: "ping\n" });
  p.tcp({ dport: 7, seq: c.snd + 5, ack: c.rcv + 5, flags: "FA" });
  p.expect("A", { ack: c.snd + 6 });
  p.expect("FA", { seq: c.rcv + 5, ack: c.snd + 6 });
});

test("discard (9) takes data and answers nothing but ACKs", () => {
  const p = new Peer();
  const c = open(p, 9, 41001);
  p.tcp({ dport: 9, seq: c.snd, ack: c.rcv, flags: "PA", data: "x".repeat(1000) });
  p.advance(50);
  p.expect("A", { ack: c.snd + 1000, wnd: 4096 - 1000 }); // read, but an edge move under one MSS is not advertised (SWS)
});

test("chargen (19) sends the RFC 864 pattern, continuous across segments", () => {
  const p = new Peer();
  const c = open(p, 19, 41002);
  let got = "";
  for (let s = p.next(); s; s = p.next()) got += Buffer.from(s.data).toString("latin1");
  assert.ok(got.length >= 1460, `sent ${got.length}`);
  assert.equal(got, chargenExpected(got.length).toString("latin1"));
  p.tcp({ dport: 19, seq: c.snd, ack: c.rcv + got.length, flags: "A" });
  let more = "";
  for (let s = p.next(); s; s = p.next()) more += Buffer.from(s.data).toString("latin1");
  assert.ok(more.length > 0);
  assert.equal(more, chargenExpected(more.length, got.length).toString("latin1"));
});

test("chargen (19) stays on the pattern past its 7030-byte period, whatever the piece sizes", () => {
  const p = new Peer({ layout: { conns: 4, rxRing: 4096, txRing: 1500 } }); // pieces that end mid-line
  const c = open(p, 19, 41012);
  let got = Buffer.alloc(0);
  for (let round = 0; round < 40 && got.length < 20_000; round++) {
    for (let s = p.next(); s; s = p.next()) got = Buffer.concat([got, s.data]);
    p.tcp({ dport: 19, seq: c.snd, ack: c.rcv + got.length, flags: "A" });
    p.advance(250); // past Nagle's and the SWS override's waits
  }
  assert.ok(got.length >= 20_000, `received ${got.length}`);
  assert.ok(got.equals(chargenExpected(got.length)), "every byte on the pattern, across the period");
});

test("console (23): help, stats, conns, unknown, overlong line, quit closes first -> TIME-WAIT", () => {
  const p = new Peer();
  const c = open(p, 23, 41003);
  let rcv = c.rcv, snd = c.snd, text = "";
  const drain = () => { for (let s = p.next(); s; s = p.next()) { text += Buffer.from(s.data).toString(); rcv = (s.seq + s.data.length) >>> 0; if (s.flags & 1) rcv++; } };
  const say = (line: string) => {
    p.tcp({ dport: 23, seq: snd, ack: rcv, flags: "PA", data: line });
    snd += line.length;
    drain();
    p.tcp({ dport: 23, seq: snd, ack: rcv, flags: "A" });
    drain();
  };
  drain();
  assert.match(text, /^synack \S+ console: help/);
  say("help\r\n");
  assert.match(text, /conns/);
  say("stats\n");
  assert.match(text, /tcpPassiveOpens\s+1\n/);
  say("conns\n");
  assert.match(text, /ESTABLISHED\s+10\.77\.0\.2:23\s+10\.77\.0\.1:41003/);
  say("frobnicate\n");
  assert.match(text, /unknown command: frobnicate/);
  say("y".repeat(200) + "\n");
  assert.match(text, /error: line longer than 128 bytes/);
  say("quit\n");
  assert.match(text, /bye\n$/);
  const st = p.stack.connsText();
  assert.match(st, /FIN-WAIT-2/, "our FIN went first and was acknowledged");
  p.tcp({ dport: 23, seq: snd, ack: rcv, flags: "FA" });
  p.expect("A", { ack: snd + 1 });
  assert.match(p.stack.connsText(), /TIME-WAIT\s+10\.77\.0\.2:23/);
});

test("10,000 connections through echo: every byte back, and linear memory never grows", () => {
  const p = new Peer({ msl: 10 });
  const before = p.stack.memoryBytes();
  for (let i = 0; i < 10_000; i++) {
    const isn = (i * 7919) >>> 0;
    const c = open(p, 7, 1024 + (i % 60000), isn);
    const msg = `conn ${i}`;
    p.tcp({ dport: 7, seq: c.snd, ack: c.rcv, flags: "PA", data: msg });
    const back = p.next();
    assert.ok(back && Buffer.from(back.data).toString() === msg, `echo ${i}`);
    p.tcp({ dport: 7, seq: c.snd + msg.length, ack: c.rcv + msg.length, flags: "FA" });
    p.next(); // ACK of our FIN... then the echo service closes
    for (let s = p.next(); s; s = p.next()) { /* the FIN */ }
    p.tcp({ dport: 7, seq: c.snd + msg.length + 1, ack: c.rcv + msg.length + 1, flags: "A" });
    if (i % 1000 === 999) p.advance(100);
  }
  assert.equal(p.stack.memoryBytes(), before);
  const stats = p.stack.stats();
  assert.equal(stats.tcpPassiveOpens, 10_000);
  assert.doesNotMatch(p.stack.connsText(), /:7\s+10\.77\.0\.1/, "no connection left over");
});

test("console sessions are bounded: the fourth at once is told it is busy and closed", () => {
  const p = new Peer();
  const texts: string[] = [];
  for (let i = 0; i < 4; i++) {
    open(p, 23, 43000 + i, 1000 * (i + 1));
    let t = "", fin = false;
    for (let s = p.next(); s; s = p.next()) { t += Buffer.from(s.data).toString(); fin ||= (s.flags & 1) === 1; }
    texts.push(t + (fin ? "<FIN>" : ""));
  }
  for (let i = 0; i < 3; i++) assert.match(texts[i], /synack> $/);
  assert.equal(texts[3], "synack console: busy, try again later\n<FIN>");
});

test("console on the board's small send ring: a report longer than the ring arrives whole, line by line", () => {
  const p = new Peer({ layout: {} }); // the board default: 2 KiB send ring, smaller than `stats`
  const c = open(p, 23, 41100);
  let rcv = c.rcv, text = "";
  const drain = () => { for (let s = p.next(); s; s = p.next()) { text += Buffer.from(s.data).toString(); rcv = (s.seq + s.data.length) >>> 0; } };
  drain();
  p.tcp({ dport: 23, seq: c.snd, ack: rcv, flags: "PA", data: "stats\n" });
  for (let round = 0; round < 20 && !/\nsynack> $/.test(text.slice(60)); round++) {
    drain();
    p.tcp({ dport: 23, seq: c.snd + 6, ack: rcv, flags: "A" });
    p.advance(10);
  }
  drain();
  const lines = text.split("\n").map((l) => l.replace(/^synack> /, "")).filter((l) => /^\s*\w+\s+\d+$/.test(l));
  const names = Object.keys(p.stack.stats());
  assert.ok(text.length > 2048, `the report (${text.length} bytes) is longer than the send ring`);
  assert.deepEqual(lines.map((l) => l.trim().split(/\s+/)[0]), names, "every counter, once, in order");
  assert.match(text, /\nsynack> $/, "the prompt comes after the last line");
});
