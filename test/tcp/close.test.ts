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
  assert.equal(p.stack.state(c.id), "TIME-WAIT");
  p.advance(1999);
  assert.equal(p.stack.state(c.id), "TIME-WAIT");
  p.advance(2);
  assert.equal(p.stack.state(c.id), "CLOSED");
});

test("TIME-WAIT: a retransmitted FIN is acknowledged again", () => {
  const p = new Peer({ msl: 1000 });
  const c = p.established();
  p.stack.close(c.id);
  p.expect("FA");
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "FA" });
  p.expect("A", { ack: c.snd + 1 });
  assert.equal(p.stack.state(c.id), "TIME-WAIT");
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
