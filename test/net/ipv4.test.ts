// IPv4 as RFC 1122 expects of a host: fragment reassembly (bounded, timed, hostile fragments
// counted and dropped), ICMP destination unreachable for an unknown protocol or a closed UDP port
// (rate-limited), and RFC 1191 path MTU with RFC 5927's check of the quoted segment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer, tcpFrame, arpFrame } from "../lib/harness.js";
import { fixChecksums } from "../../host/link/wire.js";

/** Split the IPv4 datagram of frame f into fragments at the given payload offsets (multiples of 8). */
function fragment(f: Uint8Array, cuts: number[]): Uint8Array[] {
  const hdr = f.subarray(14, 34);
  const payload = f.subarray(34, 14 + ((f[16] << 8) | f[17]));
  const edges = [0, ...cuts, payload.length];
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const part = payload.subarray(edges[i], edges[i + 1]);
    const g = new Uint8Array(34 + part.length);
    g.set(f.subarray(0, 14)); g.set(hdr, 14); g.set(part, 34);
    const total = 20 + part.length;
    g[16] = total >> 8; g[17] = total & 255;
    const more = i + 2 < edges.length ? 0x2000 : 0;
    const off = (edges[i] / 8) | more;
    g[20] = off >> 8; g[21] = off & 255;
    g[18] = 0x12; g[19] = 0x34; // identification
    out.push(g);
  }
  for (const g of out) fixIpChecksum(g);
  return out;
}
function fixIpChecksum(g: Uint8Array): void {
  g[24] = 0; g[25] = 0;
  let s = 0;
  for (let i = 14; i < 34; i += 2) s += (g[i] << 8) | g[i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  const c = ~s & 0xffff; g[24] = c >> 8; g[25] = c & 255;
}

/** An ICMP echo request of n data bytes from the peer. */
function ping(n: number): Uint8Array {
  const f = tcpFrame({ dport: 1, seq: 0, flags: "A" }).slice(0, 34);
  const g = new Uint8Array(34 + 8 + n);
  g.set(f); g[23] = 1; const total = 20 + 8 + n; g[16] = total >> 8; g[17] = total & 255;
  g[34] = 8; g[38] = 0x77; g[40] = 0; g[41] = 1;
  for (let i = 0; i < n; i++) g[42 + i] = i & 255;
  fixChecksums(g);
  return g;
}

/** Frames the module sent that are ICMP, as [type, code, quoted bytes]. */
function icmpOut(p: Peer): { type: number; code: number; quote: Uint8Array; len: number }[] {
  const r = p.out.filter((f) => f[23] === 1).map((f) => ({ type: f[34], code: f[35], quote: f.subarray(42), len: f.length - 42 }));
  p.out.length = 0;
  return r;
}

test("a TCP segment in two fragments is reassembled: the data is taken and ACKed", () => {
  const p = new Peer();
  const c = p.established();
  const data = new Uint8Array(1000).map((_, i) => (i * 7) & 255);
  const f = tcpFrame({ sport: 40000, dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data });
  const [a, b] = fragment(f, [512]);
  p.frame(b); // out of order
  p.nothing();
  p.frame(a);
  p.advance(50);
  p.expect("A", { ack: c.snd + 1000 });
  const got = p.stack.recv(c.id) as Uint8Array;
  assert.deepEqual(Array.from(got), Array.from(data));
  const st = p.stack.stats();
  assert.equal(st.ipReasmOks, 1);
  assert.equal(st.ipReasmReqds, 2);
});

test("hostile fragments are counted and dropped: overlap, too many, too large, never completed", () => {
  const p = new Peer();
  const c = p.established();
  const f = tcpFrame({ sport: 40000, dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: new Uint8Array(1000) });
  // Overlap: the second fragment starts inside the first.
  const [a] = fragment(f, [512]);
  const [, b2] = fragment(f, [504]);
  p.frame(a); p.frame(b2);
  assert.equal(p.stack.stats().ipDropFragOverlap, 1);
  // Too many: 20 tiny fragments of one datagram.
  const tiny = fragment(f, Array.from({ length: 20 }, (_, i) => 8 * (i + 1)));
  for (const g of tiny.slice(0, 18)) p.frame(g);
  assert.equal(p.stack.stats().ipDropFragTooMany, 1);
  // Never completed: the first half alone (of another datagram) expires.
  const lone = a.slice(); lone[18] = 0x56; fixIpChecksum(lone);
  p.frame(lone);
  p.advance(16_000);
  assert.ok(p.stack.stats().ipDropFragTimeout >= 1);
  p.nothing();
  // The connection is untouched.
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "still" });
  p.advance(50);
  p.expect("A", { ack: c.snd + 5 });
  assert.equal(Buffer.from(p.stack.recv(c.id) as Uint8Array).toString(), "still");
});

test("a fragmented ping is answered", () => {
  const p = new Peer();
  const [a, b] = fragment(ping(200), [104]);
  p.frame(a); p.frame(b);
  const r = icmpOut(p);
  assert.equal(r.length, 1);
  assert.equal(r[0].type, 0);
  assert.equal(r[0].len, 200, "the same 200 data bytes back");
});

/** The same fragment from another source address and/or with another identification. */
function from(g: Uint8Array, o: { src?: number; id?: number }): Uint8Array {
  const h = g.slice();
  if (o.src !== undefined) { h[26] = o.src >>> 24; h[27] = (o.src >> 16) & 255; h[28] = (o.src >> 8) & 255; h[29] = o.src & 255; }
  if (o.id !== undefined) { h[18] = o.id >> 8; h[19] = o.id & 255; }
  fixIpChecksum(h);
  return h;
}
const OTHER_SENDER = 0x0a4d0009; // 10.77.0.9

/**
 * Issue 19's exchange: the peer leaves one datagram incomplete, then 10.77.0.9 sends a 408-byte
 * echo request in two fragments, then the peer a TCP data segment in three under another id
 * (360 bytes: inside the board's first window).
 */
function strayThenTwoDatagrams(p: Peer): void {
  const c = p.established();
  // The peer leaves one datagram incomplete: its first fragment only.
  const [stray] = fragment(ping(400), [200]);
  p.frame(from(stray, { id: 0x0bad }));
  // 10.77.0.9 introduces itself (so the reply can go out) and sends a 408-byte echo request in two fragments.
  const arp = arpFrame({ op: 1 }); arp.set([10, 77, 0, 9], 28); arp[27] = 9;
  p.frame(arp); p.out.length = 0;
  const [e1, e2] = fragment(ping(400), [208]);
  p.frame(from(e1, { src: OTHER_SENDER, id: 0x0e01 })); p.frame(from(e2, { src: OTHER_SENDER, id: 0x0e01 }));
  const r = icmpOut(p);
  assert.equal(r.length, 1, "the echo reply");
  assert.equal(r[0].len, 400);
  // The peer's TCP data segment in three fragments, under another identification, is delivered.
  const data = new Uint8Array(360).map((_, i) => (i * 13) & 255);
  const f = tcpFrame({ sport: 40000, dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data });
  for (const g of fragment(f, [120, 240])) p.frame(from(g, { id: 0x0c00 }));
  p.advance(50);
  p.expect("A", { ack: c.snd + 360 });
  assert.deepEqual(Array.from(p.stack.recv(c.id) as Uint8Array), Array.from(data));
  assert.equal(p.stack.stats().ipReasmOks, 2);
}

test("a stray first fragment does not starve reassembly: another sender's datagram, then the same sender's with another id", () => {
  const p = new Peer(); // ten slots: two reassembly slots, the stray keeps one
  strayThenTwoDatagrams(p);
  assert.equal(p.stack.stats().ipDropFragEvicted, 0);
});

test("with the board's one reassembly slot, the stray is evicted and both datagrams still arrive", () => {
  const p = new Peer({ layout: {} });
  strayThenTwoDatagrams(p);
  assert.equal(p.stack.stats().ipDropFragEvicted, 1);
});

test("with every slot held by incomplete datagrams, a new one evicts the oldest, counted", () => {
  const p = new Peer();
  const [first] = fragment(ping(400), [200]);
  for (let id = 1; id <= 2; id++) { p.frame(from(first, { id })); p.advance(10); } // TEST_LAYOUT: 2 slots
  const [a, b] = fragment(ping(400), [208]);
  p.frame(from(a, { id: 3 })); p.frame(from(b, { id: 3 }));
  assert.equal(icmpOut(p).length, 1, "answered");
  assert.equal(p.stack.stats().ipDropFragEvicted, 1);
  // The evicted one was the oldest (id 1): its second half no longer completes it; id 2's does.
  const [, rest] = fragment(ping(400), [200]);
  p.frame(from(rest, { id: 1 }));
  assert.equal(icmpOut(p).length, 0);
  p.frame(from(rest, { id: 2 }));
  assert.equal(icmpOut(p).length, 1);
});

test("ICMP protocol unreachable for an unknown protocol, port unreachable for a closed UDP port", () => {
  const p = new Peer();
  const gre = tcpFrame({ dport: 1, seq: 0, flags: "A" }); gre[23] = 47; fixChecksums(gre);
  p.frame(gre);
  let r = icmpOut(p);
  assert.equal(r.length, 1);
  assert.deepEqual([r[0].type, r[0].code], [3, 2]);
  assert.equal(r[0].quote[9], 47, "quotes the offending header");
  const udp = tcpFrame({ dport: 1, seq: 0, flags: "A" }).slice(0, 34 + 13);
  udp[23] = 17; udp[16] = 0; udp[17] = 33;
  udp.set([0x9c, 0x40, 0x00, 0x35, 0x00, 0x0d, 0, 0, 104, 101, 108, 108, 111], 34);
  fixChecksums(udp);
  p.frame(udp);
  r = icmpOut(p);
  assert.deepEqual([r[0].type, r[0].code], [3, 3]);
  assert.equal((r[0].quote[22] << 8) | r[0].quote[23], 53, "quotes the UDP header");
  // Rate-limited: a burst of 50 gets at most 10 answers a second.
  for (let i = 0; i < 50; i++) p.frame(udp);
  assert.ok(icmpOut(p).length <= 10);
  assert.ok(p.stack.stats().icmpOutRateLimited >= 40);
  // Never about a broadcast.
  const bc = udp.slice(); bc[30] = 0xff; bc[31] = 0xff; bc[32] = 0xff; bc[33] = 0xff; fixChecksums(bc);
  p.advance(2000);
  p.frame(bc);
  assert.equal(icmpOut(p).length, 0);
});

/** An ICMP "fragmentation needed" quoting a segment the module sent. */
function fragNeeded(seg: Uint8Array, mtu: number): Uint8Array {
  const g = new Uint8Array(34 + 8 + 28);
  g.set(tcpFrame({ dport: 1, seq: 0, flags: "A" }).subarray(0, 34));
  g[23] = 1; g[16] = 0; g[17] = 20 + 8 + 28;
  g[34] = 3; g[35] = 4; g[40] = mtu >> 8; g[41] = mtu & 255;
  g.set(seg.subarray(14, 14 + 28), 42); // the module's own IP header and 8 bytes of TCP
  fixChecksums(g);
  return g;
}

test("RFC 1191: fragmentation needed lowers the segment size and resends in segments that fit", () => {
  const p = new Peer();
  const c = p.established();
  p.stack.send(c.id, new Uint8Array(2920));
  const out: Uint8Array[] = [];
  for (let f = p.out.shift(); f; f = p.out.shift()) out.push(f);
  assert.equal(out.length, 2);
  p.frame(fragNeeded(out[0], 1000));
  const a = p.expect("A", { seq: c.rcv, len: 960 });
  assert.ok(a);
  assert.equal(p.stack.stats().icmpInFragNeeded, 1);
  assert.ok(p.logs.some((l) => /path MTU 1000/.test(l)));
});

test("RFC 5927: a fragmentation needed quoting a sequence number not in flight is ignored", () => {
  const p = new Peer();
  const c = p.established();
  p.stack.send(c.id, new Uint8Array(1460));
  const seg = p.out.shift()!;
  const forged = seg.slice();
  const v = new DataView(forged.buffer);
  v.setUint32(38, (c.rcv + 100_000) >>> 0); // a sequence number we never sent
  p.frame(fragNeeded(forged, 600));
  assert.equal(p.stack.stats().icmpDropUnverified, 1);
  p.nothing();
  // A genuine one with a tiny MTU is floored at 576.
  p.frame(fragNeeded(seg, 100));
  p.expect("A", { seq: c.rcv, len: 536 });
});

test("Nagle: small writes wait while data is unacknowledged; TCP_NODELAY sends them at once", () => {
  const p = new Peer();
  const c = p.established();
  p.sendText(c.id, "a");
  p.expect("PA", { data: "a" });
  p.sendText(c.id, "b");
  p.sendText(c.id, "c");
  p.nothing();
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "A" });
  p.expect("PA", { data: "bc" });
  assert.equal(p.stack.noDelay(c.id, true), 0);
  p.sendText(c.id, "d");
  p.expect("PA", { data: "d" });
  p.sendText(c.id, "e");
  p.expect("PA", { data: "e" });
});

test("RFC 1191 with timestamps on: the segments' 12 bytes of options count against the path MTU too", () => {
  const p = new Peer();
  const ts = (val: number, ecr: number) => [1, 1, 8, 10, val >>> 24, (val >>> 16) & 255, (val >>> 8) & 255, val & 255,
    ecr >>> 24, (ecr >>> 16) & 255, (ecr >>> 8) & 255, ecr & 255];
  const l = p.stack.listen(5000, 4);
  p.tcp({ dport: 5000, seq: 1000, flags: "S", options: [2, 4, 1460 >> 8, 1460 & 255, ...ts(100, 0)] });
  const sa = p.expect("SA");
  p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1, flags: "A", options: ts(101, sa.ts![0]) });
  const id = p.stack.accept(l);
  p.stack.send(id, new Uint8Array(2896));
  const out: Uint8Array[] = [];
  for (let f = p.out.shift(); f; f = p.out.shift()) out.push(f);
  assert.equal(out.length, 2);
  p.frame(fragNeeded(out[0], 1000));
  const a = p.expect("A", { seq: (sa.seq + 1) >>> 0, len: 1000 - 40 - 12 });
  assert.ok(a.ts, "still with timestamps: the datagram is exactly the path's 1000 bytes");
});
