// RFC 2018 SACK and RFC 6675 loss recovery: SACK-permitted agreed only when both SYNs carry it
// (SYN cookies remember it); as receiver, SACK blocks for held out-of-order data, most recent
// first; as sender, a scoreboard that repairs several holes in one round trip, enters recovery on
// DupThresh duplicates or on a hole found lost, rescues the last hole, forgets everything on a
// timeout, and shrugs off malformed options. Without SACK, NewReno as before (congestion.test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer, type SegSpec } from "../lib/harness.js";
import type { TcpSegment } from "../../host/link/wire.js";

const MSS = 1460;
const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const MSS_OPT = [2, 4, MSS >> 8, MSS & 255];
const SACK_OK = [1, 1, 4, 2];
const TS = (val: number, ecr: number) => [1, 1, 8, 10, ...be32(val), ...be32(ecr)];
/** A SACK option (after two NOPs) with blocks [left, right). */
const SACK = (...blocks: [number, number][]) => [1, 1, 5, 2 + 8 * blocks.length, ...blocks.flatMap(([l, r]) => [...be32(l), ...be32(r)])];

/** A passive open on port 5000 whose SYN carries `synOptions`; the accepted id and numbers. */
function open(p: Peer, synOptions: number[], ackOptions: number[] = []) {
  const l = p.stack.listen(5000, 4);
  p.tcp({ dport: 5000, seq: 1000, flags: "S", options: synOptions });
  const sa = p.expect("SA");
  p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1, flags: "A", options: ackOptions });
  const id = p.stack.accept(l);
  assert.ok(id >= 0);
  return { id, sa, snd: 1001, rcv: (sa.seq + 1) >>> 0 };
}
const openSack = (p: Peer) => open(p, [...MSS_OPT, ...SACK_OK]);

/** Bulk senders: a send ring large enough for many segments in flight. */
const big = () => new Peer({ layout: { conns: 4, rxRing: 4096, txRing: 65536 } });

/** Every segment the module sends now, in order. */
function all(p: Peer): TcpSegment[] {
  const out: TcpSegment[] = [];
  for (let s = p.next(); s; s = p.next()) out.push(s);
  return out;
}
const dataSeqs = (segs: TcpSegment[]) => segs.filter((s) => s.data.length > 0).map((s) => s.seq);

/**
 * A SACK connection sending bulk data with `inFlight` full segments outstanding: the window grown
 * by ACKs of one segment each. Returns the connection, SND.UNA and a function to send the peer's
 * ACKs (with SACK blocks given in segments above SND.UNA).
 */
function bulk(p: Peer, inFlight: number, bytes = 60_000) {
  const c = openSack(p);
  assert.equal(p.stack.send(c.id, new Uint8Array(bytes)), bytes);
  let acked = 0;
  let sent = dataSeqs(all(p)).length;
  while (sent - acked < inFlight) {
    acked += 1;
    p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + acked * MSS, flags: "A" });
    sent += dataSeqs(all(p)).length;
  }
  const una = (c.rcv + acked * MSS) >>> 0;
  const seg = (i: number) => (una + i * MSS) >>> 0;
  /** The peer's ACK at SND.UNA + ackSegs segments, SACKing [from, to) segment ranges. */
  const ack = (ackSegs: number, ...blocks: [number, number][]) =>
    p.tcp({ dport: 5000, seq: c.snd, ack: seg(ackSegs), flags: "A", options: blocks.length ? SACK(...blocks.map(([a, b]) => [seg(a), seg(b)] as [number, number])) : [] });
  return { c, una, seg, ack, sent: sent - acked };
}

test("SACK-permitted: a SYN that offers it gets it back; one that does not, does not", () => {
  const p = new Peer();
  assert.equal(openSack(p).sa.sackOk, true);
  const q = new Peer();
  assert.equal(open(q, MSS_OPT).sa.sackOk, false);
});

test("our SYN offers SACK-permitted; a SYN,ACK without it leaves SACK off (no blocks on our ACKs)", () => {
  const p = new Peer();
  const id = p.stack.connect(0x0a4d0001, 6000);
  const syn = p.expect("S");
  assert.equal(syn.sackOk, true);
  p.sport = 6000;
  p.tcp({ dport: syn.srcPort, seq: 5000, ack: syn.seq + 1, flags: "SA", mss: MSS });
  p.expect("A");
  assert.equal(p.stack.state(id), "ESTABLISHED");
  p.tcp({ dport: syn.srcPort, seq: 5101, ack: syn.seq + 1, flags: "PA", data: "x".repeat(100) });
  const a = p.expect("A", { ack: 5001 });
  assert.deepEqual(a.sack, [], "SACK was not agreed: no blocks");
});

test("receiver: ACKs carry a block per held range, the most recent first (RFC 2018 §4)", () => {
  const p = new Peer();
  const c = openSack(p);
  const data = (off: number, len: number) => p.tcp({ dport: 5000, seq: c.snd + off, ack: c.rcv, flags: "PA", data: "y".repeat(len) });
  const at = (a: number, b: number): [number, number] => [c.snd + a, c.snd + b];
  data(100, 100);
  assert.deepEqual(p.expect("A", { ack: c.snd }).sack, [at(100, 200)]);
  data(300, 100);
  assert.deepEqual(p.expect("A", { ack: c.snd }).sack, [at(300, 400), at(100, 200)]);
  data(500, 100);
  assert.deepEqual(p.expect("A", { ack: c.snd }).sack, [at(500, 600), at(300, 400), at(100, 200)]);
  data(150, 100); // overlaps the oldest range: the merged range now leads
  assert.deepEqual(p.expect("A", { ack: c.snd }).sack, [at(100, 250), at(500, 600), at(300, 400)]);
  data(0, 100); // fills the first hole: the ACK moves, the rest keep their order
  assert.deepEqual(p.expect("A", { ack: c.snd + 250 }).sack, [at(500, 600), at(300, 400)]);
  data(250, 50);
  assert.deepEqual(p.expect("A", { ack: c.snd + 400 }).sack, [at(500, 600)]);
  data(400, 100);
  assert.deepEqual(p.expect("A", { ack: c.snd + 600 }).sack, [], "nothing held: no blocks");
});

test("receiver: next to timestamps an ACK carries three blocks, without them four", () => {
  const run = (ts: boolean) => {
    const p = new Peer();
    const c = ts ? open(p, [...MSS_OPT, ...SACK_OK, ...TS(100, 0)], TS(110, 0)) : openSack(p);
    let last: TcpSegment | null = null;
    for (let i = 0; i < 4; i++) {
      p.tcp({ dport: 5000, seq: c.snd + 200 * i + 100, ack: c.rcv, flags: "PA", data: "z".repeat(100), options: ts ? TS(120 + i, 0) : [] });
      last = p.expect("A", { ack: c.snd });
    }
    return last!;
  };
  const withTs = run(true);
  assert.ok(withTs.ts);
  assert.equal(withTs.sack.length, 3);
  assert.equal(withTs.sack[0][0], 1001 + 700, "the newest first");
  assert.equal(run(false).sack.length, 4);
});

test("SYN cookies remember SACK-permitted: the cookie's SYN,ACK offers it and the connection uses it", () => {
  for (const offered of [true, false]) {
    const p = new Peer();
    const l = p.stack.listen(5000, 1);
    p.sport = 30000;
    p.tcp({ dport: 5000, seq: 100, flags: "S", mss: MSS }); // fills the backlog of one
    p.expect("SA");
    p.sport = 30001;
    p.tcp({ dport: 5000, seq: 7000, flags: "S", options: offered ? [...MSS_OPT, ...SACK_OK] : MSS_OPT });
    const sa = p.expect("SA");
    assert.equal(p.stack.stats().tcpSynCookiesSent, 1);
    assert.equal(sa.sackOk, offered);
    p.tcp({ dport: 5000, seq: 7001, ack: sa.seq + 1, flags: "A" });
    assert.equal(p.stack.stats().tcpSynCookiesOk, 1);
    const id = p.stack.accept(l);
    assert.ok(id >= 0);
    p.tcp({ dport: 5000, seq: 7101, ack: sa.seq + 1, flags: "PA", data: "q".repeat(50) });
    const a = p.expect("A", { ack: 7001 });
    assert.deepEqual(a.sack, offered ? [[7101, 7151]] : []);
  }
});

test("sender: two holes in one window are both resent before any cumulative ACK moves (no partial-ACK round trip)", () => {
  const p = big();
  const b = bulk(p, 8);
  // Segments 0 and 3 are lost; the peer SACKs 1, 2, 4, 5, 6 as they arrive.
  b.ack(0, [1, 2]);
  b.ack(0, [1, 3]);
  assert.deepEqual(dataSeqs(all(p)), [b.seg(8), b.seg(9)], "two duplicates: no resend yet, but Limited Transmit sends new data as SACKed data leaves pipe");
  b.ack(0, [4, 5], [1, 3]);
  const first = dataSeqs(all(p));
  assert.equal(first[0], b.seg(0), "the third duplicate: the first hole, at once");
  b.ack(0, [4, 6], [1, 3]);
  b.ack(0, [4, 7], [1, 3]);
  const second = dataSeqs(all(p));
  assert.ok(second.includes(b.seg(3)), "three segments SACKed above it: the second hole, in the same round trip");
  const resent = [...first, ...second];
  for (const i of [1, 2, 4, 5, 6]) assert.ok(!resent.includes(b.seg(i)), `SACKed segment ${i} is not resent`);
  assert.equal(p.stack.stats().tcpSackRecoveries, 1);
  assert.equal(p.stack.stats().tcpTimeouts ?? 0, 0);
});

test("sender: a resend lost again is resent once data sent after it is SACKed, not left to the RTO", () => {
  const p = big();
  const b = bulk(p, 8);
  b.ack(0, [1, 4]); // recovery; segment 0 resent, cwnd 4 segments
  assert.deepEqual(dataSeqs(all(p)), [b.seg(0)]);
  b.ack(0, [1, 8]); // 4..7 arrived: pipe is down to the resend, three new segments go
  assert.deepEqual(dataSeqs(all(p)), [b.seg(8), b.seg(9), b.seg(10)]);
  b.ack(0, [1, 11]); // the new segments arrived, the resend of 0 did not: it was lost too
  const out = dataSeqs(all(p));
  assert.equal(out[0], b.seg(0), "segment 0 again, at once");
  assert.equal(p.stack.stats().tcpSackLostRetransmits, 1);
  b.ack(12);
  assert.equal(p.stack.stats().tcpSackRecoveries, 1, "one recovery throughout");
});

test("sender: one ACK SACKing more than two segments above a hole starts recovery without three duplicates", () => {
  const p = big();
  const b = bulk(p, 8);
  b.ack(0, [1, 4]); // a stretch ACK: one duplicate, three segments SACKed above segment 0
  assert.equal(dataSeqs(all(p))[0], b.seg(0), "IsLost(SND.UNA): resent on the first duplicate");
  assert.equal(p.stack.stats().tcpSackRecoveries, 1);
});

test("sender: recovery keeps cwnd - pipe: it does not resend what pipe says is still in flight", () => {
  const p = big();
  const b = bulk(p, 8);
  b.ack(0, [1, 4]); // recovery: ssthresh = cwnd = 4 segments; segment 0 resent
  const out = dataSeqs(all(p));
  // pipe: segments 4..7 (not lost: too little SACKed above them) and the retransmission = 5 > cwnd.
  assert.deepEqual(out, [b.seg(0)], "only the retransmission: pipe is at cwnd");
  b.ack(0, [1, 5]); // segment 4 left the network: pipe 4, still not below cwnd by a segment
  assert.deepEqual(dataSeqs(all(p)), []);
  b.ack(0, [1, 6]); // segment 5 too: pipe 3, one segment may go; segments 1..4 need no resend
  const next = dataSeqs(all(p));
  assert.equal(next.length, 1);
  assert.equal(next[0], b.seg(b.sent), "new data (NextSeg rule 2): nothing else is lost");
});

test("sender: a lost last segment is rescued once a partial ACK comes (RFC 6675 rule 4), not left to the RTO", () => {
  const p = big();
  const c = openSack(p);
  // Exactly seven segments of data: two ACKs open the window to send them all; no more is queued.
  p.stack.send(c.id, new Uint8Array(7 * MSS));
  const seg = (i: number) => (c.rcv + i * MSS) >>> 0;
  let sent = dataSeqs(all(p)).length;
  for (const i of [1, 2]) {
    p.tcp({ dport: 5000, seq: c.snd, ack: seg(i), flags: "A" });
    sent += dataSeqs(all(p)).length;
  }
  assert.equal(sent, 7, "everything is in flight");
  const sack = (ack: number, l: number, r: number) => p.tcp({ dport: 5000, seq: c.snd, ack: seg(ack), flags: "A", options: SACK([seg(l), seg(r)]) });
  // Segments 2 and 6 (the last) are lost; 3, 4, 5 arrive.
  sack(2, 3, 4);
  sack(2, 3, 5);
  sack(2, 3, 6);
  assert.deepEqual(dataSeqs(all(p)), [seg(2)], "recovery: the first hole");
  p.tcp({ dport: 5000, seq: c.snd, ack: seg(6), flags: "A" }); // the repair arrives; 6 is still missing
  assert.deepEqual(dataSeqs(all(p)), [seg(6)], "the rescue: the last segment, without waiting for the RTO");
  assert.equal(p.stack.stats().tcpTimeouts ?? 0, 0);
  p.tcp({ dport: 5000, seq: c.snd, ack: seg(7), flags: "A" });
  assert.deepEqual(dataSeqs(all(p)), []);
});

test("malformed SACK options and impossible blocks are ignored and counted; the ACK itself still counts", () => {
  const p = big();
  const b = bulk(p, 6);
  const una = b.una;
  const opt = (kindLen: number[], blocks: number[]) => [1, 1, ...kindLen, ...blocks.flatMap(be32)];
  const cases: number[][] = [
    opt([5, 9], [una, una + 100, 0]).slice(0, 2 + 9).concat([0]), // length 9: not 2 + 8n
    opt([5, 2], []).concat([1, 1]), // no block at all
    SACK([b.seg(2), b.seg(1)]), // left > right
    SACK([b.seg(2), b.seg(2)]), // empty
    SACK([b.seg(1), (una + 1_000_000) >>> 0]), // beyond SND.MAX
    SACK([(una - 1_000_000) >>> 0, (una - 999_000) >>> 0]), // far below SND.UNA
  ];
  let moved = 0;
  for (const o of cases) {
    const options = o.length % 4 ? o.concat(Array(4 - (o.length % 4)).fill(0)) : o;
    moved += 1;
    p.tcp({ dport: 5000, seq: b.c.snd, ack: b.seg(moved), flags: "A", options });
    all(p);
  }
  assert.equal(p.stack.stats().tcpSackIgnored, cases.length);
  assert.equal(p.stack.stats().tcpSackRecoveries, 0, "nothing was taken from them");
  assert.equal(p.stack.stats().tcpDropOptions ?? 0, 0, "the segments themselves were fine");
  // A SACK option longer than the header has room for is a malformed header: the segment goes.
  const bad: SegSpec = { dport: 5000, seq: b.c.snd, ack: b.seg(moved + 1), flags: "A", options: [1, 1, 5, 42, ...Array(32).fill(0)] };
  p.tcp(bad);
  assert.equal(p.stack.stats().tcpDropOptions, 1);
  // The connection is intact: the next ACK moves SND.UNA and data keeps flowing.
  p.tcp({ dport: 5000, seq: b.c.snd, ack: b.seg(moved + 1), flags: "A" });
  assert.ok(dataSeqs(all(p)).length > 0);
  assert.equal(p.stack.state(b.c.id), "ESTABLISHED");
});

test("with SACK off, SACK blocks from the peer are ignored and duplicate ACKs count as RFC 5681 says (NewReno)", () => {
  const p = big();
  const c = open(p, MSS_OPT);
  p.stack.send(c.id, new Uint8Array(60_000));
  let acked = 0, sent = dataSeqs(all(p)).length;
  while (sent - acked < 8) {
    acked += 1;
    p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + acked * MSS, flags: "A" });
    sent += dataSeqs(all(p)).length;
  }
  const una = (c.rcv + acked * MSS) >>> 0;
  const block = SACK([una + MSS, una + 4 * MSS]);
  p.tcp({ dport: 5000, seq: c.snd, ack: una, flags: "A", options: block });
  assert.deepEqual(dataSeqs(all(p)), [], "no SACK rule without SACK agreed");
  p.tcp({ dport: 5000, seq: c.snd, ack: una, flags: "A", options: block });
  p.tcp({ dport: 5000, seq: c.snd, ack: una, flags: "A", options: block });
  assert.equal(dataSeqs(all(p))[0], una, "the third duplicate: NewReno's fast retransmit");
  assert.equal(p.stack.stats().tcpSackRecoveries, 0);
  assert.equal(p.stack.stats().tcpFastRetransmits, 1);
});
