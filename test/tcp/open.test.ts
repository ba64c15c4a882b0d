// Opening a connection: passive, active, simultaneous; MSS; backlog; refusal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer, PEER_IP } from "../lib/harness.js";
import { E } from "../../host/engine/abi.js";

test("passive open: LISTEN -> SYN-RECEIVED -> ESTABLISHED with SYN seq=X, SYN-ACK ack=X+1, ACK ack=Y+1", () => {
  const p = new Peer();
  const l = p.stack.listen(5000, 4);
  assert.equal(p.stack.state(l), "LISTEN");
  p.tcp({ dport: 5000, seq: 1000, flags: "S", mss: 1460 });
  const sa = p.expect("SA", { ack: 1001 });
  assert.equal(sa.mss, 1460, "SYN-ACK carries our MSS");
  assert.equal(p.stack.accept(l), E.AGAIN, "not accepted before the handshake completes");
  p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1, flags: "A" });
  const id = p.stack.accept(l);
  assert.equal(p.stack.state(id), "ESTABLISHED");
  assert.deepEqual(p.logs.filter((l) => l.startsWith("tcp")).map((l) => l.split(" ").slice(-3).join(" ")),
    ["LISTEN -> SYN-RECEIVED", "SYN-RECEIVED -> ESTABLISHED"]);
  p.nothing();
});

test("active open: SYN-SENT -> ESTABLISHED, the SYN carries MSS 1460 and a random ephemeral port", () => {
  const p = new Peer();
  const id = p.stack.connect(PEER_IP, 6000);
  assert.equal(p.stack.state(id), "SYN-SENT");
  const syn = p.expect("S");
  assert.equal(syn.mss, 1460);
  assert.ok(syn.srcPort >= 49152, `ephemeral port ${syn.srcPort}`);
  p.sport = 6000;
  p.tcp({ dport: syn.srcPort, seq: 7000, ack: syn.seq + 1, flags: "SA", mss: 1000 });
  p.expect("A", { seq: syn.seq + 1, ack: 7001 });
  assert.equal(p.stack.state(id), "ESTABLISHED");
  // Segments respect the peer's MSS of 1000.
  assert.equal(p.stack.send(id, new Uint8Array(2500)), 2500);
  const a = p.expect("A", { len: 1000 });
  const b = p.expect("A", { len: 1000 });
  const c = p.expect("PA", { len: 500 }); // no short segment in flight: Nagle lets the tail go
  assert.equal(b.seq, a.seq + 1000);
  assert.equal(c.seq, b.seq + 1000);
});

test("simultaneous open: SYN-SENT -> SYN-RECEIVED -> ESTABLISHED", () => {
  const p = new Peer();
  const id = p.stack.connect(PEER_IP, 6000);
  const syn = p.expect("S");
  p.sport = 6000;
  p.tcp({ dport: syn.srcPort, seq: 9000, flags: "S", mss: 1460 }); // crossing SYN
  p.expect("SA", { seq: syn.seq, ack: 9001 });
  assert.equal(p.stack.state(id), "SYN-RECEIVED");
  p.tcp({ dport: syn.srcPort, seq: 9000, ack: syn.seq + 1, flags: "SA", mss: 1460 });
  assert.equal(p.stack.state(id), "ESTABLISHED");
});

test("connection refused: RST,ACK to our SYN -> CLOSED with E_REFUSED", () => {
  const p = new Peer();
  const id = p.stack.connect(PEER_IP, 6000);
  const syn = p.expect("S");
  p.sport = 6000;
  p.tcp({ dport: syn.srcPort, seq: 0, ack: syn.seq + 1, flags: "RA" });
  assert.equal(p.stack.state(id), "CLOSED");
  assert.equal(p.stack.recv(id), E.REFUSED);
  assert.equal(p.stack.stats().tcpAttemptFails, 1);
});

test("SYN-SENT: an ACK for something we never sent gets a RST with seq=SEG.ACK", () => {
  const p = new Peer();
  p.stack.connect(PEER_IP, 6000);
  const syn = p.expect("S");
  p.sport = 6000;
  p.tcp({ dport: syn.srcPort, seq: 1, ack: syn.seq + 100, flags: "SA" });
  p.expect("R", { seq: syn.seq + 100 });
});

test("lost SYN-ACK: a retransmitted SYN in SYN-RECEIVED is answered by the same SYN-ACK", () => {
  const p = new Peer();
  p.stack.listen(5000, 4);
  p.tcp({ dport: 5000, seq: 1000, flags: "S" });
  const sa = p.expect("SA", { ack: 1001 });
  p.tcp({ dport: 5000, seq: 1000, flags: "S" });
  p.expect("SA", { seq: sa.seq, ack: 1001 });
});

test("backlog full: the next SYN is answered with a SYN cookie, and its ACK opens the connection", () => {
  const p = new Peer();
  const l = p.stack.listen(5000, 2);
  for (let i = 0; i < 2; i++) { p.sport = 41000 + i; p.tcp({ dport: 5000, seq: 100 * i, flags: "S" }); p.expect("SA"); }
  p.sport = 42000;
  p.tcp({ dport: 5000, seq: 5000, flags: "S", mss: 1460 });
  const sa = p.expect("SA", { ack: 5001 });
  assert.equal(sa.mss, 1460);
  const st = p.stack.stats();
  assert.equal(st.tcpDropBacklog, 1);
  assert.equal(st.tcpSynCookiesSent, 1);
  assert.ok(!p.stack.connsText().includes(":42000"), "no state kept for the cookie SYN");
  p.tcp({ dport: 5000, seq: 5001, ack: sa.seq + 1, flags: "PA", data: "via cookie" });
  assert.equal(p.stack.stats().tcpSynCookiesOk, 1);
  const id = p.stack.accept(l);
  assert.ok(id >= 0);
  assert.equal(p.stack.state(id), "ESTABLISHED");
  assert.equal(p.recvText(id), "via cookie");
});

test("a forged cookie ACK gets a RST and creates nothing", () => {
  const p = new Peer();
  p.stack.listen(5000, 2);
  p.tcp({ dport: 5000, seq: 5001, ack: 0x12345678, flags: "A" });
  p.expect("R", { seq: 0x12345678 });
  assert.equal(p.stack.stats().tcpSynCookiesBad, 1);
  assert.equal(p.stack.stats().tcpSynCookiesOk, 0);
});

test("SYN to a port with no listener: RST,ACK with seq=0 and ack=SEG.SEQ+1", () => {
  const p = new Peer();
  p.tcp({ dport: 4444, seq: 777, flags: "S" });
  p.expect("RA", { seq: 0, ack: 778 });
});

test("a stray ACK to a port with no connection: RST with seq=SEG.ACK", () => {
  const p = new Peer();
  p.tcp({ dport: 4444, seq: 777, ack: 31337, flags: "A" });
  p.expect("R", { seq: 31337 });
  p.tcp({ dport: 4444, seq: 777, flags: "R" });
  p.nothing(); // never answer a RST
});
