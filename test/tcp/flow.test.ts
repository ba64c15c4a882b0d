// Flow control: receive window, zero-window probes, out-of-order reassembly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";

const RX = 4096;

test("the advertised window shrinks as the buffer fills, and a read reopens it with an update", () => {
  const p = new Peer();
  const c = p.established();
  let seq = c.snd;
  for (let i = 0; i < RX / 1024; i++) {
    p.tcp({ dport: 5000, seq, ack: c.rcv, flags: "PA", data: new Uint8Array(1024).fill(i) });
    seq += 1024;
  }
  p.advance(100);
  let last = p.next()!;
  for (let s = p.next(); s; s = p.next()) last = s;
  assert.equal(last.ack, seq >>> 0);
  assert.equal(last.wnd, 0, "buffer full: zero window");
  // Beyond the window: not accepted, ACKed with the unchanged window.
  p.tcp({ dport: 5000, seq, ack: c.rcv, flags: "PA", data: "overflow" });
  p.expect("A", { ack: seq, wnd: 0 });
  const got = p.stack.recv(c.id, RX) as Uint8Array;
  assert.equal(got.length, RX);
  assert.equal(got[0], 0); assert.equal(got[RX - 1], RX / 1024 - 1);
  p.expect("A", { ack: seq, wnd: RX });
});

test("zero window: no data is sent; persist probes back off; data flows when the window opens", () => {
  const p = new Peer();
  const c = p.established(5000, 1000, 1460, 0); // the peer advertises a zero window
  p.sendText(c.id, "queued");
  p.nothing();
  const probes: number[] = [];
  let t = 0;
  while (probes.length < 3 && t < 60_000) {
    p.advance(10); t += 10;
    const s = p.next();
    if (s) {
      probes.push(t);
      assert.equal(s.seq, c.rcv, "the probe carries the first byte");
      assert.equal(s.data.length, 1);
      p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "A", wnd: 0 });
    }
  }
  assert.equal(probes.length, 3);
  assert.ok(probes[2] - probes[1] > probes[1] - probes[0], `probes back off: ${probes}`);
  assert.equal(p.stack.stats().tcpZeroWindowProbes, 3);
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "A", wnd: 4096 });
  const s = p.expect("PA");
  assert.equal(Buffer.from(s.data).toString(), "queued");
});

test("segments within the peer's window only", () => {
  const p = new Peer();
  const c = p.established(5000, 1000, 1460, 3000);
  assert.equal(p.stack.send(c.id, new Uint8Array(6000)), 4096, "the send buffer takes 4096");
  p.expect("A", { len: 1460 });
  p.expect("A", { len: 1460 });
  p.nothing(); // the 80 bytes left of the window would be a silly segment (RFC 9293 §3.8.6.2.1)
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 2920, flags: "A", wnd: 3000 });
  p.expect("PA", { seq: c.rcv + 2920, len: 4096 - 2920 });
});

test("out-of-order segments are held, duplicate-ACKed, and delivered in order when the hole fills", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd + 10, ack: c.rcv, flags: "PA", data: "BBBBBBBBBB" });
  p.expect("A", { ack: c.snd });
  p.tcp({ dport: 5000, seq: c.snd + 20, ack: c.rcv, flags: "PA", data: "CCCCCCCCCC" });
  p.expect("A", { ack: c.snd });
  assert.equal(p.stack.recv(c.id), -11, "nothing readable yet");
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "AAAAAAAAAA" });
  p.expect("A", { ack: c.snd + 30 });
  assert.equal(p.recvText(c.id), "AAAAAAAAAABBBBBBBBBBCCCCCCCCCC");
  assert.equal(p.stack.stats().tcpOooSegs, 2);
});

test("overlapping and duplicate segments are trimmed; every byte arrives exactly once", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "0123456789" });
  p.tcp({ dport: 5000, seq: c.snd + 5, ack: c.rcv, flags: "PA", data: "56789abcde" });
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "0123" });
  p.advance(100);
  assert.equal(p.recvText(c.id), "0123456789abcde");
});

test("delayed ACK: one segment is acknowledged within 40 ms, two at once", () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "a" });
  p.nothing();
  p.advance(40);
  p.expect("A", { ack: c.snd + 1 });
  p.tcp({ dport: 5000, seq: c.snd + 1, ack: c.rcv, flags: "PA", data: "b" });
  p.tcp({ dport: 5000, seq: c.snd + 2, ack: c.rcv, flags: "PA", data: "c" });
  p.expect("A", { ack: c.snd + 3 });
});
