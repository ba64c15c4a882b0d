// Closing: both roles, simultaneous close, half-close, TIME-WAIT.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";

test("active close: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED after 2*MSL", () => {
  const p = new Peer({ msl: 1000 });
  const c = p.established();
  p.stack.close(c.id);
  p.expect("FA", { seq: c.rcv, ack: c.snd });
  assert.equal(p.stack.state(c.id), "FIN-WAIT-1");
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "A" });
  assert.equal(p.stack.state(c.id), "FIN-WAIT-2");
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "FA" });
  p.expect("A", { seq: c.rcv + 1, ack: c.snd + 1 });
  // Closed by its user, the connection keeps TIME-WAIT as a record; its slot is free.
  assert.equal(p.stack.state(c.id), "CLOSED");
  assert.match(p.stack.connsText(), /\n -  TIME-WAIT +10\.77\.0\.2:5000 +10\.77\.0\.1:40000 /);
  p.advance(1999);
  assert.match(p.stack.connsText(), /TIME-WAIT/);
  p.advance(2);
  assert.doesNotMatch(p.stack.connsText(), /TIME-WAIT/);
  assert.ok(p.logs.some((l) => /^tcp \d+ 5000 10\.77\.0\.1:40000 TIME-WAIT -> CLOSED$/.test(l)), "logged as a slot's end is");
});

test("TIME-WAIT records: the slot serves another connection at once, the record still answers its peer", () => {
  const p = new Peer({ msl: 1000, layout: { conns: 1 } });
  const c = p.established();
  p.stack.close(c.id);
  p.expect("FA");
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "FA" });
  p.expect("A", { ack: c.snd + 1 });
  p.sport = 40001; // a second connection takes the one slot
  p.tcp({ dport: 5000, seq: 7000, flags: "S", mss: 1460 });
  const sa = p.expect("SA");
  p.tcp({ dport: 5000, seq: 7001, ack: sa.seq + 1, flags: "A" });
  assert.ok(p.stack.accept(c.listener) >= 0);
  p.sport = 40000; // the first peer's FIN again: the record acknowledges it
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "FA" });
  p.expect("A", { seq: c.rcv + 1, ack: c.snd + 1 });
  p.tcp({ dport: 5000, seq: c.snd + 1, ack: c.rcv + 1, flags: "R" }); // ignored in TIME-WAIT (RFC 1337)
  p.nothing();
  assert.match(p.stack.connsText(), /\n -  TIME-WAIT +10\.77\.0\.2:5000 +10\.77\.0\.1:40000 /);
  p.advance(2001); // 2*MSL ends the record; the slot's connection goes on
  assert.doesNotMatch(p.stack.connsText(), /TIME-WAIT/);
  assert.match(p.stack.connsText(), /ESTABLISHED +10\.77\.0\.2:5000 +10\.77\.0\.1:40001 /);
});

test("TIME-WAIT records are bounded (two per slot): one more ends the one closest to its deadline, counted", () => {
  const p = new Peer({ msl: 1000, layout: { conns: 1 } });
  const l = p.stack.listen(5000, 4);
  for (let i = 0; i < 3; i++) {
    p.sport = 40000 + i;
    p.tcp({ dport: 5000, seq: 100, flags: "S", mss: 1460 });
    const sa = p.expect("SA");
    p.tcp({ dport: 5000, seq: 101, ack: sa.seq + 1, flags: "A" });
    const id = p.stack.accept(l);
    p.stack.close(id);
    p.expect("FA");
    p.tcp({ dport: 5000, seq: 101, ack: sa.seq + 2, flags: "FA" });
    p.expect("A");
    p.advance(10);
  }
  const tw = p.stack.connsText().split("\n").filter((s) => /TIME-WAIT/.test(s));
  assert.equal(tw.length, 2);
  assert.ok(!tw.some((s) => s.includes(":40000 ")), "the oldest went first");
  assert.equal(p.stack.stats().tcpTimeWaitEvicted, 1);
});

test("TIME-WAIT: a retransmitted FIN is acknowledged again", () => {
  const p = new Peer({ msl: 1000 });
  const c = p.established();
  p.stack.close(c.id);
  p.expect("FA");
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "FA" });
  p.expect("A", { ack: c.snd + 1 });
  assert.match(p.stack.connsText(), /TIME-WAIT/);
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "FA" });
  p.expect("A", { seq: c.rcv + 1, ack: c.snd + 1 });
});

test("FIN-WAIT-1 receiving FIN+ACK of our FIN goes straight to TIME-WAIT", () => {
  const p = new Peer();
  const c = p.established();
  p.stack.shutdown(c.id);
  p.expect("FA");
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "FA" });
  p.expect("A", { ack: c.snd + 1 });
  assert.equal(p.stack.state(c.id), "TIME-WAIT");
});

test("simultaneous close: FIN-WAIT-1 -> CLOSING -> TIME-WAIT", () => {
  const p = new Peer();
  const c = p.established();
  p.stack.shutdown(c.id);
  p.expect("FA", { seq: c.rcv });
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "FA" }); // crossing FIN, ours not yet acked
  p.expect("A", { ack: c.snd + 1 });
  assert.equal(p.stack.state(c.id), "CLOSING");
  p.tcp({ dport: 5000, seq: c.snd + 1, ack: c.rcv + 1, flags: "A" });
  assert.equal(p.stack.state(c.id), "TIME-WAIT");
});

test("passive close: CLOSE-WAIT -> LAST-ACK -> CLOSED", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "FA" });
  p.expect("A", { ack: c.snd + 1 });
  assert.equal(p.stack.state(c.id), "CLOSE-WAIT");
  assert.equal(p.stack.recv(c.id), 0, "end of stream");
  p.stack.close(c.id);
  p.expect("FA", { seq: c.rcv, ack: c.snd + 1 });
  assert.equal(p.stack.state(c.id), "LAST-ACK");
  p.tcp({ dport: 5000, seq: c.snd + 1, ack: c.rcv + 1, flags: "A" });
  assert.equal(p.stack.state(c.id), "CLOSED");
});

test("half-close: after the peer's FIN the module still sends everything, then its FIN", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "question" });
  p.tcp({ dport: 5000, seq: c.snd + 8, ack: c.rcv, flags: "FA" });
  p.expect("A", { ack: c.snd + 9 });
  assert.equal(p.recvText(c.id), "question");
  assert.equal(p.stack.recv(c.id), 0);
  assert.equal(p.sendText(c.id, "answer 1 "), 9);
  p.expect("PA", { seq: c.rcv, data: "answer 1 " });
  p.tcp({ dport: 5000, seq: c.snd + 9, ack: c.rcv + 9, flags: "A" }); // (Nagle waits for this)
  assert.equal(p.sendText(c.id, "answer 2"), 8);
  p.expect("PA", { seq: c.rcv + 9, data: "answer 2" });
  p.stack.close(c.id);
  p.expect("FA", { seq: c.rcv + 17 });
  p.tcp({ dport: 5000, seq: c.snd + 9, ack: c.rcv + 18, flags: "A" });
  assert.equal(p.stack.state(c.id), "CLOSED");
});

test("the module as client closes first and data queued before close still goes out before FIN", () => {
  const p = new Peer();
  const c = p.activeEstablished();
  p.sendText(c.id, "bye");
  p.expect("PA", { data: "bye" });
  p.stack.close(c.id);
  p.expect("FA", { seq: c.rcv + 3 });
});

test("a new SYN with a higher sequence number reopens a connection in TIME-WAIT", () => {
  const p = new Peer({ msl: 30_000 });
  const c = p.established();
  p.stack.close(c.id);
  p.expect("FA");
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "FA" });
  p.expect("A");
  p.tcp({ dport: 5000, seq: c.snd + 100_000, flags: "S" });
  p.expect("SA", { ack: c.snd + 100_001 });
  assert.equal(p.stack.stats().tcpTimeWaitReused, 1);
});

test("closing with unread data resets the connection instead of losing it silently", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "unread" });
  p.stack.close(c.id);
  p.expect("RA", { seq: c.rcv });
});
