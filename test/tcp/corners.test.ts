// The RFC corners a careful peer finds (issue 8): window scale options, urgent pointers past the
// segment, unknown options and reserved bits, sender SWS avoidance, and the RTO after a
// retransmitted handshake.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer, tcpFrame } from "../lib/harness.js";
import { fixChecksums } from "../../host/link/wire.js";

/** Advance in 10 ms steps until the module sends something; returns the elapsed ms (-1: never). */
function waitForOutput(p: Peer, limit = 60_000): number {
  for (let t = 10; t <= limit; t += 10) { p.advance(10); if (p.out.length) return t; }
  return -1;
}

test("RFC 7323: a SYN asking for window scale 15 is answered (used as 14, logged)", () => {
  const p = new Peer();
  p.stack.listen(5000, 4);
  p.tcp({ dport: 5000, seq: 1000, flags: "S", options: [2, 4, 5, 180, 1, 3, 3, 15] });
  const sa = p.expect("SA", { ack: 1001 });
  assert.ok(p.logs.some((l) => /window scale 15 used as 14/.test(l)), p.logs.join("\n"));
  p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1, flags: "A" });
  assert.equal(p.stack.stats().tcpDropOptions, 0);
});

test("RFC 7323 §2.2: a window scale option on a data segment is ignored, the data taken", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "scaled?", options: [1, 3, 3, 15], wnd: 100 });
  p.advance(50);
  const a = p.expect("A", { ack: c.snd + 7 });
  assert.ok(a);
  assert.equal(p.recvText(c.id), "scaled?");
  // The window is taken unscaled: 100 bytes, so a 300-byte write goes out as 100.
  p.stack.send(c.id, new Uint8Array(100));
  p.expect("PA", { len: 100 });
});

test("RFC 9293 §3.8.5: an urgent pointer beyond the segment's end: the data is taken and ACKed", () => {
  const p = new Peer();
  const c = p.established();
  const f = tcpFrame({ sport: 40000, dport: 5000, seq: c.snd, ack: c.rcv, flags: "UPA", data: "ab" });
  f[52] = 0; f[53] = 9; // urgent pointer 9, past the 2 data bytes
  fixChecksums(f);
  p.frame(f);
  p.advance(50);
  p.expect("A", { ack: c.snd + 2 });
  assert.equal(p.recvText(c.id), "ab");
});

test("unknown options, reserved bits, ECE and CWR are ignored, never a reason to drop", () => {
  const p = new Peer();
  const c = p.established();
  // Option kind 253 (experimental, length 4) and a zero-length-data timestamp-like kind 99.
  const f = tcpFrame({ sport: 40000, dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "xy",
    options: [253, 4, 0xab, 0xcd, 99, 6, 1, 2, 3, 4, 1, 0] });
  f[46] |= 0x0f; // the four reserved bits next to the data offset
  f[47] |= 0xc0; // CWR and ECE
  fixChecksums(f);
  p.frame(f);
  p.advance(50);
  p.expect("A", { ack: c.snd + 2 });
  assert.equal(p.recvText(c.id), "xy");
});

test("RFC 9293 §3.8.6.2.1 sender SWS avoidance: a 10-byte window is not filled with 10-byte segments", () => {
  const p = new Peer();
  const c = p.established(5000, 1000, 1460, 2000);
  assert.equal(p.stack.send(c.id, new Uint8Array(4000)), 4000);
  const a = p.expect("A", { len: 1460 });
  p.nothing(); // 540 more would fit, but that is less than a segment and half the window
  // The peer acknowledges it but its reader is slow: the window reopens by 10 bytes.
  let ack = a.seq + 1460;
  p.tcp({ dport: 5000, seq: c.snd, ack, flags: "A", wnd: 10 });
  p.nothing(); // 10 < MSS, < half the largest window (1000), and 2540 bytes still queued
  for (let i = 0; i < 3; i++) {
    p.tcp({ dport: 5000, seq: c.snd, ack, flags: "A", wnd: 10 + i });
    p.nothing();
  }
  // Half the largest window offered (1000 bytes) is worth sending.
  p.tcp({ dport: 5000, seq: c.snd, ack, flags: "A", wnd: 1000 });
  p.expect("A", { seq: ack, len: 1000 });
  ack += 1000;
  // The override timer: a small window left alone is used after a short while anyway.
  p.tcp({ dport: 5000, seq: c.snd, ack, flags: "A", wnd: 10 });
  p.nothing();
  const dt = waitForOutput(p, 2000);
  assert.ok(dt >= 100 && dt <= 1000, `override after ${dt} ms`);
  p.expect("A", { seq: ack, len: 10 });
});

test("sender SWS avoidance still sends a short write at once when all of it fits", () => {
  const p = new Peer();
  const c = p.established(5000, 1000, 1460, 2000);
  p.sendText(c.id, "hi");
  p.expect("PA", { data: "hi" });
});

test("RFC 6298 §5.7: after a retransmitted SYN-ACK the first data RTO is 3 s", () => {
  const p = new Peer();
  p.stack.listen(5000, 4);
  p.tcp({ dport: 5000, seq: 1000, flags: "S", mss: 1460 });
  const sa = p.expect("SA");
  assert.equal(waitForOutput(p), 1000);
  p.expect("SA", { seq: sa.seq });
  p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1, flags: "A" });
  const id = p.stack.accept(p.stack.listen(5001, 1) - 1); // listener ids are consecutive
  assert.ok(id >= 0, "accepted");
  p.sendText(id, "hello");
  p.expect("PA", { data: "hello" });
  assert.equal(waitForOutput(p, 10_000), 3000);
  p.expect("PA", { data: "hello" });
});

test("RFC 6298 §5.7: after a retransmitted SYN the first data RTO is 3 s", () => {
  const p = new Peer();
  const id = p.stack.connect(0x0a4d0001, 6000);
  const syn = p.expect("S");
  assert.equal(waitForOutput(p), 1000);
  p.expect("S", { seq: syn.seq });
  p.sport = 6000;
  p.tcp({ dport: syn.srcPort, seq: 5000, ack: syn.seq + 1, flags: "SA", mss: 1460 });
  p.expect("A");
  p.sendText(id, "hello");
  p.expect("PA", { data: "hello" });
  assert.equal(waitForOutput(p, 10_000), 3000);
});

test("without a handshake retransmission the first data RTO stays 1 s", () => {
  const p = new Peer();
  const c = p.established();
  p.sendText(c.id, "hello");
  p.expect("PA");
  assert.equal(waitForOutput(p, 10_000), 1000);
});
