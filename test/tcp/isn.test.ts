// Initial sequence numbers (RFC 9293 MUST-8, RFC 6528): ISN = M + F(4-tuple, secret), M a clock of
// 4 µs ticks, for every connection; SYN cookies only while half-open entries are over their bound.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";

const diff = (a: number, b: number) => (a - b) >>> 0;

test("the same 4-tuple reconnected every 0.8 s gets ISSs that rise with the clock: 250 per ms", () => {
  const p = new Peer();
  p.stack.listen(5000, 4);
  const iss: number[] = [];
  for (let i = 0; i < 3; i++) {
    p.tcp({ dport: 5000, seq: 1000, flags: "S", mss: 1460 });
    iss.push(p.expect("SA", { ack: 1001 }).seq);
    p.tcp({ dport: 5000, seq: 1001, flags: "R" }); // gone again: the next SYN meets LISTEN
    p.advance(800);
  }
  assert.equal(diff(iss[1], iss[0]), 200_000);
  assert.equal(diff(iss[2], iss[1]), 200_000);
  assert.equal(p.stack.stats().tcpSynCookiesSent, 0);
});

test("SYN cookies only over the half-open bound: the sixth SYN of a flood gets one, and its ACK still opens", () => {
  const p = new Peer(); // ten slots: at most five half-open
  const l = p.stack.listen(5000, 10);
  for (let i = 0; i < 5; i++) { p.sport = 31000 + i; p.tcp({ dport: 5000, seq: 100, flags: "S" }); p.expect("SA"); }
  assert.equal(p.stack.stats().tcpSynCookiesSent, 0);
  p.sport = 31005;
  p.tcp({ dport: 5000, seq: 100, flags: "S", mss: 1460 });
  const sa = p.expect("SA", { ack: 101 });
  assert.equal(p.stack.stats().tcpSynCookiesSent, 1);
  assert.ok(!p.stack.connsText().includes(":31005"), "no state kept for it");
  p.tcp({ dport: 5000, seq: 101, ack: sa.seq + 1, flags: "PA", data: "flood" });
  const id = p.stack.accept(l);
  assert.ok(id >= 0);
  assert.equal(p.recvText(id), "flood");
});

test("a SYN reusing a TIME-WAIT 4-tuple gets an ISS above the old connection's numbers", () => {
  const p = new Peer({ msl: 30_000 });
  const c = p.established();
  const sent = 3000;
  assert.equal(p.stack.send(c.id, new Uint8Array(sent)), sent);
  for (let s = p.next(); s; s = p.next()) { // acknowledge each flight until all of it has gone
    p.tcp({ dport: 5000, seq: c.snd, ack: s.seq + s.data.length, flags: "A" });
  }
  p.stack.close(c.id);
  p.expect("FA", { seq: c.rcv + sent });
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + sent + 1, flags: "FA" });
  p.expect("A");
  assert.match(p.stack.connsText(), /TIME-WAIT +10\.77\.0\.2:5000 /); // a record: its user closed it
  p.tcp({ dport: 5000, seq: c.snd + 100_000, flags: "S" });
  const sa = p.expect("SA", { ack: c.snd + 100_001 });
  const oldSndNxt = (c.rcv + sent + 1) >>> 0;
  assert.ok(diff(sa.seq, oldSndNxt) > 0 && diff(sa.seq, oldSndNxt) < 0x80000000, `ISS ${sa.seq} above ${oldSndNxt}`);
});
