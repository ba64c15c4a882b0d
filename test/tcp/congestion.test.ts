// Congestion control: appropriate byte counting in slow start (RFC 3465) and NewReno fast
// recovery (RFC 6582), with send rings large enough to keep many segments in flight.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";

const MSS = 1460;
const big = () => new Peer({ layout: { conns: 4, rxRing: 4096, txRing: 65536 } });

/** Every data segment the module sends now, in order. */
function flight(p: Peer): { seq: number; len: number }[] {
  const out: { seq: number; len: number }[] = [];
  for (let s = p.next(); s; s = p.next()) if (s.data.length > 0) out.push({ seq: s.seq, len: s.data.length });
  return out;
}

test("slow start counts bytes: one ACK for three segments opens the window by two (L = 2), not one", () => {
  const p = big();
  const c = p.established();
  assert.equal(p.stack.send(c.id, new Uint8Array(60_000)), 60_000);
  const first = flight(p);
  assert.equal(first.length, 3, "the initial window: 4380 bytes, three segments");
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 3 * MSS, flags: "A" });
  assert.equal(flight(p).length, 5, "cwnd 4380 + min(4380, 2 * 1460) = 7300: five segments");
});

test("NewReno: a partial ACK in fast recovery resends the next hole at once, no timeout", () => {
  const p = big();
  const c = p.established();
  p.stack.send(c.id, new Uint8Array(60_000));
  // Grow the window to eight segments in flight.
  let acked = 0;
  let sent = flight(p).length;
  while (sent - acked < 8) {
    acked += 1;
    p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + acked * MSS, flags: "A" });
    sent += flight(p).length;
  }
  const una = c.rcv + acked * MSS;
  // Segments una and una + 2 are lost: the peer repeats its ACK for una (three duplicates).
  for (let i = 0; i < 3; i++) p.tcp({ dport: 5000, seq: c.snd, ack: una, flags: "A" });
  const fast = flight(p);
  assert.equal(fast[0].seq, una >>> 0, "fast retransmit of the first hole");
  // The resent segment fills the first hole; the ACK stops at the second: a partial ACK.
  p.tcp({ dport: 5000, seq: c.snd, ack: una + 2 * MSS, flags: "A" });
  const repair = flight(p);
  assert.ok(repair.length >= 1, "something is sent at once");
  assert.equal(repair[0].seq, (una + 2 * MSS) >>> 0, "the second hole, resent without waiting for the RTO");
  assert.equal(p.stack.stats().tcpFastRetransmits, 1, "one recovery, not a second fast retransmit");
  assert.equal(p.stack.stats().tcpTimeouts ?? 0, 0);
});

test("NewReno: after a timeout, duplicate ACKs for data sent before it start no fast retransmit", () => {
  const p = big();
  const c = p.established();
  p.stack.send(c.id, new Uint8Array(60_000));
  assert.equal(flight(p).length, 3);
  p.advance(1000); // the RTO: everything from SND.UNA is resent, recover = SND.MAX
  assert.equal(flight(p)[0].seq, c.rcv >>> 0);
  // Late duplicates of ACKs for the first flight (sent before the timeout) must not look like a new loss.
  for (let i = 0; i < 3; i++) p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "A" });
  assert.deepEqual(flight(p), [], "nothing resent on their account");
  assert.equal(p.stack.stats().tcpFastRetransmits, 0);
});
