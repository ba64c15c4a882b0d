// RST in every state, and RFC 5961's challenge ACKs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer, PEER_IP } from "../lib/harness.js";
import { E } from "../../host/engine/abi.js";

test("ESTABLISHED: an RST at exactly RCV.NXT resets (E_RESET), counted as tcpEstabResets", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd, flags: "R" });
  assert.equal(p.stack.state(c.id), "CLOSED");
  assert.equal(p.stack.recv(c.id), E.RESET);
  assert.equal(p.stack.stats().tcpEstabResets, 1);
  p.nothing();
});

test("ESTABLISHED: an in-window but inexact RST gets a challenge ACK and the connection stays", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd + 100, flags: "R" });
  p.expect("A", { seq: c.rcv, ack: c.snd });
  assert.equal(p.stack.state(c.id), "ESTABLISHED");
  assert.equal(p.stack.stats().tcpChallengeAcks, 1);
});

test("ESTABLISHED: an RST outside the window is dropped without reply", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd + 1_000_000, flags: "R" });
  p.nothing();
  assert.equal(p.stack.state(c.id), "ESTABLISHED");
});

test("ESTABLISHED: a SYN gets a challenge ACK, not a reset (RFC 5961 §4)", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd + 5, flags: "S" });
  p.expect("A", { seq: c.rcv, ack: c.snd });
  assert.equal(p.stack.state(c.id), "ESTABLISHED");
});

test("ESTABLISHED: an ACK for data never sent is answered with an ACK and dropped", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 5000, flags: "PA", data: "x" });
  p.expect("A", { ack: c.snd });
  assert.equal(p.stack.recv(c.id), E.AGAIN, "its data was not taken");
});

test("challenge ACKs are rate-limited to 100 per second (RFC 5961 §7)", () => {
  const p = new Peer();
  const c = p.established();
  for (let i = 0; i < 150; i++) p.tcp({ dport: 5000, seq: c.snd + 10 + i, flags: "R" });
  let acks = 0;
  while (p.next()) acks++;
  assert.equal(acks, 100);
  assert.equal(p.stack.stats().tcpChallengeAcksLimited, 50);
  p.advance(1000);
  p.tcp({ dport: 5000, seq: c.snd + 10, flags: "R" });
  p.expect("A");
});

for (const [name, setup] of [
  ["SYN-RECEIVED", (p: Peer) => {
    p.stack.listen(5000, 4);
    p.tcp({ dport: 5000, seq: 1000, flags: "S" });
    const sa = p.expect("SA");
    return { snd: 1001, rcv: sa.seq + 1, check: () => assert.equal(p.stack.connsText().includes("SYN-RECEIVED"), false) };
  }],
  ["FIN-WAIT-1", (p: Peer) => {
    const c = p.established(); p.stack.shutdown(c.id); p.expect("FA");
    return { snd: c.snd, rcv: c.rcv, check: () => assert.equal(p.stack.state(c.id), "CLOSED") };
  }],
  ["FIN-WAIT-2", (p: Peer) => {
    const c = p.established(); p.stack.shutdown(c.id); p.expect("FA");
    p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "A" });
    assert.equal(p.stack.state(c.id), "FIN-WAIT-2");
    return { snd: c.snd, rcv: c.rcv + 1, check: () => assert.equal(p.stack.state(c.id), "CLOSED") };
  }],
  ["CLOSE-WAIT", (p: Peer) => {
    const c = p.established(); p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "FA" }); p.expect("A");
    return { snd: c.snd + 1, rcv: c.rcv, check: () => assert.equal(p.stack.recv(c.id) === 0 || p.stack.state(c.id) === "CLOSED", true) };
  }],
  ["LAST-ACK", (p: Peer) => {
    const c = p.established(); p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "FA" }); p.expect("A");
    p.stack.close(c.id); p.expect("FA");
    return { snd: c.snd + 1, rcv: c.rcv, check: () => assert.equal(p.stack.state(c.id), "CLOSED") };
  }],
  ["CLOSING", (p: Peer) => {
    const c = p.established(); p.stack.shutdown(c.id); p.expect("FA");
    p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "FA" }); p.expect("A");
    assert.equal(p.stack.state(c.id), "CLOSING");
    return { snd: c.snd + 1, rcv: c.rcv, check: () => assert.equal(p.stack.state(c.id), "CLOSED") };
  }],
] as const) {
  test(`${name}: an inexact in-window RST is challenged, an exact one closes`, () => {
    const p = new Peer();
    const s = setup(p);
    p.tcp({ dport: 5000, seq: s.snd + 10, flags: "R" });
    p.expect("A", { ack: s.snd });
    p.tcp({ dport: 5000, seq: s.snd, flags: "R" });
    p.nothing();
    s.check();
  });
}

test("TIME-WAIT ignores RSTs (RFC 1337): the one a closed peer answers our late second ACK with ends nothing", () => {
  const p = new Peer({ msl: 1000 });
  const c = p.established();
  p.stack.shutdown(c.id);
  p.expect("FA", { seq: c.rcv });
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "FA" });
  p.expect("A", { seq: c.rcv + 1, ack: c.snd + 1 });
  assert.equal(p.stack.state(c.id), "TIME-WAIT");
  // Our ACK was slow to arrive, so the peer sent its FIN again; that one is acknowledged too.
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "FA" });
  p.expect("A", { seq: c.rcv + 1, ack: c.snd + 1 });
  // The first ACK closed the peer; the second finds nothing there and draws a RST at exactly
  // RCV.NXT (Linux does this). Neither it nor an inexact one ends TIME-WAIT or is answered.
  p.tcp({ dport: 5000, seq: c.snd + 1, flags: "R" });
  p.tcp({ dport: 5000, seq: c.snd + 10, flags: "R" });
  p.nothing();
  assert.equal(p.stack.state(c.id), "TIME-WAIT");
  assert.equal(p.stack.stats().tcpRstIgnored, 2);
  p.advance(2001);
  assert.equal(p.stack.state(c.id), "CLOSED");
});

test("SYN-SENT: an RST without an acceptable ACK is ignored", () => {
  const p = new Peer();
  const id = p.stack.connect(PEER_IP, 6000);
  const syn = p.expect("S");
  p.sport = 6000;
  p.tcp({ dport: syn.srcPort, seq: 0, flags: "R" });
  assert.equal(p.stack.state(id), "SYN-SENT");
});

test("abort sends RST at SND.NXT and frees the connection", () => {
  const p = new Peer();
  const c = p.established();
  p.stack.abort(c.id);
  p.expect("RA", { seq: c.rcv });
  assert.equal(p.stack.state(c.id), "CLOSED");
});

test("closing a listener resets the connection it had not handed out yet, and that slot serves again", () => {
  const p = new Peer({ layout: { conns: 1 } });
  const l = p.stack.listen(6000, 1);
  p.tcp({ dport: 6000, seq: 100, flags: "S", mss: 1460 });
  const sa = p.expect("SA");
  p.tcp({ dport: 6000, seq: 101, ack: sa.seq + 1, flags: "A" });
  assert.equal(p.stack.close(l), 0);
  p.expect("RA", { seq: sa.seq + 1, ack: 101 });
  p.nothing();
  assert.ok(p.stack.listen(6000, 1) >= 0, "the port listens again");
  p.sport = 40001; // the one connection slot takes a new peer
  p.tcp({ dport: 6000, seq: 500, flags: "S", mss: 1460 });
  p.expect("SA", { ack: 501 });
});
