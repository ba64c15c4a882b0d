// RFC 7323 timestamps: agreed only when both SYNs carry them, then on every segment (their 12
// bytes out of the segment size), TS.Recent echoed, round trips timed from TSecr, and PAWS
// dropping a segment with an older timestamp.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";

const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const TS = (val: number, ecr: number) => [1, 1, 8, 10, ...be32(val), ...be32(ecr)];
const MSS = [2, 4, 1460 >> 8, 1460 & 255];

/** A passive open whose SYN offers timestamps (TSval 100); returns the numbers and our SYN,ACK. */
function openWithTs(p: Peer) {
  const l = p.stack.listen(5000, 4);
  p.tcp({ dport: 5000, seq: 1000, flags: "S", options: [...MSS, ...TS(100, 0)] });
  const sa = p.expect("SA");
  p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1, flags: "A", options: TS(110, sa.ts![0]) });
  const id = p.stack.accept(l);
  assert.ok(id >= 0);
  return { id, sa, snd: 1001, rcv: (sa.seq + 1) >>> 0 };
}

test("a SYN with timestamps is answered with ours (TSecr = its TSval); later segments carry them, 12 bytes off the MSS", () => {
  const p = new Peer();
  const c = openWithTs(p);
  assert.ok(c.sa.ts, "the SYN,ACK carries the option");
  assert.equal(c.sa.ts![1], 100, "TSecr echoes the SYN's TSval");
  assert.equal(c.sa.ts![0], p.clock.now() >>> 0, "TSval is our millisecond clock");
  p.stack.send(c.id, new Uint8Array(3000));
  const d = p.expect("A", { seq: c.rcv });
  assert.equal(d.data.length, 1448, "1460 - 12: the option's bytes come out of the segment");
  assert.deepEqual(d.ts, [p.clock.now() >>> 0, 110], "TSecr is the newest in-sequence TSval (the ACK's)");
});

test("a SYN without timestamps gets none, and no segment carries them", () => {
  const p = new Peer();
  const c = p.established();
  p.stack.send(c.id, new Uint8Array(3000));
  const d = p.expect("A", { seq: c.rcv });
  assert.equal(d.ts, null);
  assert.equal(d.data.length, 1460);
});

test("an active open offers timestamps on its SYN (TSecr 0)", () => {
  const p = new Peer();
  p.stack.connect("10.77.0.1", 6000);
  const syn = p.expect("S");
  assert.deepEqual(syn.ts, [p.clock.now() >>> 0, 0]);
});

test("RTTM: the round trip is timed from the echoed TSval, not from when the ACK happens to arrive", () => {
  const p = new Peer();
  const c = openWithTs(p);
  p.sendText(c.id, "x".repeat(10));
  const d = p.expect("PA");
  p.advance(100);
  // The ACK echoes a TSval 2000 ms older than the segment's: RTTM must believe 2100 ms.
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 10, flags: "A", options: TS(120, d.ts![0] - 2000) });
  const row = p.stack.connsText().split("\n").find((l) => l.includes("ESTABLISHED"))!;
  const rto = Number(row.trim().split(/\s+/).pop());
  // The handshake's ACK gave a first sample near 0; a 2.1 s one lifts the RTO well past the 1 s
  // floor, where a 100 ms sample (the arrival time) would have left it.
  assert.ok(rto > 2000, `RTO ${rto}`);
});

test("PAWS: a segment with an older timestamp is dropped and answered with an ACK; the next good one is taken", () => {
  const p = new Peer();
  const c = openWithTs(p);
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "abc", options: TS(200, 0) });
  p.advance(50);
  p.expect("A", { ack: c.snd + 3 });
  assert.equal(p.recvText(c.id), "abc");
  // An old duplicate from a wrapped sequence space: TSval 150 < TS.Recent 200.
  p.tcp({ dport: 5000, seq: c.snd + 3, ack: c.rcv, flags: "PA", data: "old", options: TS(150, 0) });
  const a = p.expect("A", { ack: c.snd + 3 });
  assert.ok(a, "answered with an ACK");
  assert.equal(p.stack.stats().tcpDropPaws, 1);
  assert.equal(p.recvText(c.id), -11, "nothing delivered");
  p.tcp({ dport: 5000, seq: c.snd + 3, ack: c.rcv, flags: "PA", data: "new", options: TS(210, 0) });
  p.advance(50);
  assert.equal(p.recvText(c.id), "new");
});

test("with timestamps, full segments are 1448 bytes and still acknowledged every second one", () => {
  const p = new Peer({ layout: { conns: 4, rxRing: 8192, txRing: 4096 } });
  p.tcp({ dport: 9, seq: 1000, flags: "S", options: [...MSS, ...TS(100, 0)] });
  const sa = p.expect("SA");
  let ts = 101, seq = 1001, acks = 0;
  p.tcp({ dport: 9, seq, ack: sa.seq + 1, flags: "A", options: TS(ts++, sa.ts![0]) });
  for (let i = 0; i < 20; i++) {
    p.tcp({ dport: 9, seq, ack: sa.seq + 1, flags: "A", data: new Uint8Array(1448), options: TS(ts++, sa.ts![0]) });
    seq += 1448;
    for (let s = p.next(); s; s = p.next()) acks++;
  }
  // Receiver SWS avoidance counts in the peer's real segment size (1460 - 12): no extra window
  // updates on top of the ACK for every second segment.
  assert.equal(acks, 10);
});

test("an MSS option smaller than the timestamps' 12 bytes leaves segments of 1 byte, never a wrapped, oversized MSS", () => {
  const p = new Peer();
  const l = p.stack.listen(5000, 4);
  p.tcp({ dport: 5000, seq: 1000, flags: "S", options: [2, 4, 0, 8, ...TS(100, 0)] });
  const sa = p.expect("SA");
  p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1, flags: "A", options: TS(110, sa.ts![0]) });
  const id = p.stack.accept(l);
  p.stack.send(id, new Uint8Array(3000));
  const d = p.expect("A", { seq: (sa.seq + 1) >>> 0 });
  assert.equal(d.data.length, 1, "MSS 8 less 12 option bytes: the smallest segment");
});
