// RFC 6298 retransmission under the fake clock: 1 s initial RTO, doubling, abort after the limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer, PEER_IP } from "../lib/harness.js";
import { E } from "../../host/engine/abi.js";

/** Advance in 10 ms steps until the module sends something; returns the elapsed ms. */
function waitForOutput(p: Peer, limit = 200_000): number {
  let t = 0;
  while (t < limit) {
    p.advance(10);
    t += 10;
    if (p.out.length) return t;
  }
  return -1;
}

test("SYN is retransmitted after 1 s, 2 s, 4 s ... for 3 minutes (MUST-23), then the attempt fails with E_TIMEDOUT", () => {
  const p = new Peer();
  const id = p.stack.connect(PEER_IP, 6000);
  const syn = p.expect("S");
  const gaps: number[] = [];
  for (;;) {
    const dt = waitForOutput(p, 61_000);
    if (dt < 0 || !p.out.length) break;
    const s = p.next();
    if (!s) break;
    assert.equal(s.seq, syn.seq, "the same SYN");
    gaps.push(dt);
    if (gaps.length > 10) break;
    assert.equal(p.stack.state(id), "SYN-SENT");
  }
  // SYNs at 0, 1, 3, 7, 15, 31, 63 and 123 s (the RTO's bound is 60 s); none at 183 s, 184 s now.
  assert.deepEqual(gaps, [1000, 2000, 4000, 8000, 16000, 32000, 60000]);
  assert.equal(p.stack.state(id), "CLOSED");
  assert.equal(p.stack.recv(id), E.TIMEDOUT);
  assert.equal(p.stack.stats().tcpAttemptFails, 1);
});

test("SYN-ACK is retransmitted when the handshake's last ACK is lost", () => {
  const p = new Peer();
  p.stack.listen(5000, 4);
  p.tcp({ dport: 5000, seq: 1000, flags: "S" });
  const sa = p.expect("SA");
  assert.equal(waitForOutput(p), 1000);
  p.expect("SA", { seq: sa.seq, ack: 1001 });
});

test("data is retransmitted from SND.UNA with exponential backoff; an ACK stops it", () => {
  const p = new Peer();
  const c = p.established();
  p.sendText(c.id, "hello");
  p.expect("PA", { seq: c.rcv, data: "hello" });
  const first = waitForOutput(p);
  p.expect("PA", { seq: c.rcv, data: "hello" });
  const second = waitForOutput(p);
  p.expect("PA", { seq: c.rcv, data: "hello" });
  assert.equal(second, first * 2, `backoff ${first} then ${second}`);
  assert.ok(first >= 1000, "RTO is at least 1 s (RFC 6298 §2.4)");
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 5, flags: "A" });
  assert.equal(waitForOutput(p, 30_000), -1, "nothing more after the ACK");
  assert.equal(p.stack.stats().tcpRetransSegs, 2);
});

test("FIN is retransmitted too", () => {
  const p = new Peer();
  const c = p.established();
  p.stack.close(c.id);
  const fin = p.expect("FA");
  waitForOutput(p);
  p.expect("FA", { seq: fin.seq });
});

test("after the bounded number of tries the connection is aborted with RST and E_TIMEDOUT", () => {
  const p = new Peer();
  const c = p.established();
  p.sendText(c.id, "x");
  p.expect("PA");
  let n = 0;
  while (waitForOutput(p, 130_000) > 0) {
    const s = p.next()!;
    if (s.flags & 0x04) break; // RST
    n++;
  }
  assert.equal(n, 8, "retransmissions before giving up");
  assert.equal(p.stack.state(c.id), "CLOSED");
  assert.equal(p.stack.recv(c.id), E.TIMEDOUT);
});

test("three duplicate ACKs trigger a fast retransmit of the first unacknowledged segment", () => {
  const p = new Peer();
  const c = p.established();
  assert.equal(p.stack.send(c.id, new Uint8Array(4096)), 4096);
  for (let i = 0; i < 2; i++) p.expect("A", { len: 1460 });
  p.expect("PA", { len: 4096 - 2 * 1460 });
  for (let i = 0; i < 3; i++) p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "A" });
  p.expect("A", { seq: c.rcv, len: 1460 });
});

test("the RTO follows measured round trips: a fast path keeps it at the 1 s floor", () => {
  const p = new Peer();
  const c = p.established();
  for (let i = 0; i < 5; i++) {
    p.sendText(c.id, "ping");
    p.expect("PA");
    p.advance(50);
    p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 4 * (i + 1), flags: "A" });
  }
  const row = p.stack.connsText().split("\n").find((l) => l.includes("ESTABLISHED"))!;
  assert.equal(Number(row.trim().split(/\s+/).pop()), 1000);
});

test("while retransmitting from SND.UNA, a bare ACK still carries the highest sequence number sent", () => {
  const p = new Peer();
  const c = p.established();
  p.sendText(c.id, "0123456789");
  p.expect("PA", { seq: c.rcv });
  p.advance(1000);
  p.expect("PA", { seq: c.rcv }); // gone back to SND.UNA
  // Data from the peer makes us ACK: the ACK's sequence number is SND.MAX, not the rolled-back SND.NXT.
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "x" });
  p.tcp({ dport: 5000, seq: c.snd + 1, ack: c.rcv, flags: "PA", data: "y" });
  p.expect("A", { seq: c.rcv + 10, ack: c.snd + 2 });
});

test("two retransmission timeouts in a row make the module ask ARP again (a wrong MAC heals)", () => {
  const p = new Peer();
  const c = p.established();
  p.sendText(c.id, "anyone?");
  p.expect("PA");
  p.advance(1000);
  p.expect("PA");
  assert.equal(p.arpRequests, 0, "one timeout is not enough to doubt the neighbour");
  p.advance(2000);
  p.expect("PA");
  assert.equal(p.arpRequests, 1);
});
