// RFC 7323 window scaling: offered on our SYNs, agreed only when both SYNs carry it, the peer's
// windows read with its shift, never on a SYN, and no option where the peer's SYN had none.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";

const WS = (shift: number) => [2, 4, 1460 >> 8, 1460 & 255, 1, 3, 3, shift]; // MSS, NOP, WS

test("an active open offers window scaling (shift 0: our rings fit 16 bits); the SYN's window is unscaled", () => {
  const p = new Peer();
  const id = p.stack.connect("10.77.0.1", 6000);
  assert.ok(id >= 0);
  const syn = p.expect("S");
  assert.equal(syn.wscale, 0);
  assert.equal(syn.wnd, 4096);
});

test("a SYN with window scaling is answered in kind, and the peer's later windows are shifted", () => {
  const p = new Peer({ layout: { conns: 4, rxRing: 4096, txRing: 65536 } });
  const l = p.stack.listen(5000, 4);
  p.tcp({ dport: 5000, seq: 1000, flags: "S", options: WS(2), wnd: 1000 });
  const sa = p.expect("SA");
  assert.equal(sa.wscale, 0, "our SYN,ACK carries the option: scaling is agreed");
  p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1, flags: "A", wnd: 1000 }); // 1000 << 2 = 4000 bytes
  const id = p.stack.accept(l);
  p.stack.send(id, new Uint8Array(6000));
  const sent: number[] = [];
  for (let s = p.next(); s; s = p.next()) if (s.data.length) sent.push(s.data.length);
  // A 4000-byte window: two full segments (the 1080-byte sliver waits, sender SWS avoidance);
  // read unscaled it would have been a single 1000-byte segment.
  assert.deepEqual(sent, [1460, 1460]);
});

test("a SYN without window scaling gets none back, and its windows are read as they are", () => {
  const p = new Peer({ layout: { conns: 4, rxRing: 4096, txRing: 65536 } });
  const l = p.stack.listen(5000, 4);
  p.tcp({ dport: 5000, seq: 1000, flags: "S", mss: 1460, wnd: 3000 });
  const sa = p.expect("SA");
  assert.equal(sa.wscale, -1, "no option in the SYN,ACK");
  p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1, flags: "A", wnd: 3000 });
  const id = p.stack.accept(l);
  p.stack.send(id, new Uint8Array(6000));
  const sent: number[] = [];
  for (let s = p.next(); s; s = p.next()) if (s.data.length) sent.push(s.data.length);
  assert.deepEqual(sent, [1460, 1460], "3000 bytes of window: two full segments, the 80-byte sliver waits");
});

test("an active open whose SYN,ACK has no window scaling reads the peer's windows unscaled", () => {
  const p = new Peer({ layout: { conns: 4, rxRing: 4096, txRing: 65536 } });
  const c = p.activeEstablished(6000, 5000, 2000); // SYN,ACK without the option, window 2000
  p.stack.send(c.id, new Uint8Array(6000));
  const sent: number[] = [];
  for (let s = p.next(); s; s = p.next()) if (s.data.length) sent.push(s.data.length);
  assert.deepEqual(sent, [1460], "2000 bytes of window, not 2000 << anything");
});
