// Keep-alive (RFC 1122 §4.2.3.6, off by default, per socket) and the user timeout (RFC 9293 §3.8.3).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";
import { E } from "../../host/engine/abi.js";

test("keep-alive is off by default: an idle connection sends nothing for hours", () => {
  const p = new Peer();
  const c = p.established();
  for (let i = 0; i < 36; i++) p.advance(100_000);
  p.nothing();
  assert.equal(p.stack.state(c.id), "ESTABLISHED");
});

test("keep-alive probes an idle peer with SEG.SEQ = SND.UNA-1; an answer keeps the connection", () => {
  const p = new Peer();
  const c = p.established();
  assert.equal(p.stack.keepAlive(c.id, 10_000, 1_000, 3), 0);
  p.advance(9_999);
  p.nothing();
  p.advance(1);
  p.expect("A", { seq: c.rcv - 1, ack: c.snd, len: 0 });
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "A" }); // the peer is alive
  p.advance(9_999);
  p.nothing();
  p.advance(1);
  p.expect("A", { seq: c.rcv - 1 });
  assert.equal(p.stack.state(c.id), "ESTABLISHED");
});

test("keep-alive gives up after the count of unanswered probes: RST and E_TIMEDOUT", () => {
  const p = new Peer();
  const c = p.established();
  p.stack.keepAlive(c.id, 10_000, 1_000, 3);
  p.advance(10_000); p.expect("A");
  p.advance(1_000); p.expect("A");
  p.advance(1_000); p.expect("A");
  p.advance(1_000);
  p.expect("RA");
  assert.equal(p.stack.recv(c.id), E.TIMEDOUT);
});

test("keep-alive rejects a zero interval or count, and a count over 255 (the record keeps it in a byte)", () => {
  const p = new Peer();
  const c = p.established();
  assert.equal(p.stack.keepAlive(c.id, 1000, 0, 3), E.INVAL);
  assert.equal(p.stack.keepAlive(c.id, 1000, 100, 0), E.INVAL);
  assert.equal(p.stack.keepAlive(c.id, 1000, 100, 256), E.INVAL);
  assert.equal(p.stack.keepAlive(c.id, 1000, 100, 255), 0);
});

test("user timeout: data unacknowledged longer than the limit aborts before the retries run out", () => {
  const p = new Peer();
  const c = p.established();
  assert.equal(p.stack.userTimeout(c.id, 5_000), 0);
  p.sendText(c.id, "lost");
  p.expect("PA");
  p.advance(1_000); p.expect("PA"); // retransmission at 1 s
  p.advance(2_000); p.expect("PA"); // and at 3 s
  p.advance(1_999); p.nothing();
  p.advance(1);
  p.expect("RA");
  assert.equal(p.stack.state(c.id), "CLOSED");
  assert.equal(p.stack.recv(c.id), E.TIMEDOUT);
});
