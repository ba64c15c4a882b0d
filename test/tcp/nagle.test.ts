// Nagle with Minshall's refinement (RFC 896, RFC 1122 §4.2.3.4; Minshall 1999, as Linux's
// tcp_nagle_check): a short segment waits only while an earlier *short* segment is unacknowledged,
// so a stream whose send ring ends in a short tail does not wait on the peer's delayed ACK.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";

/** The board's send ring: one full segment and a 588-byte tail fit in it. */
const BOARD_LIKE = { conns: 4, rxRing: 4096, txRing: 2048, udpSockets: 2 };

test("a 2 KiB send ring's short tail goes out with the full segment, not after the delayed ACK", () => {
  const p = new Peer({ layout: BOARD_LIKE });
  const c = p.established();
  let una = c.rcv;
  for (let round = 0; round < 3; round++) {
    assert.equal(p.stack.send(c.id, new Uint8Array(2048).fill(round)), 2048, "the ring takes 2048");
    p.expect("A", { seq: una, len: 1460 });
    // The stall: the tail held until the peer's ACK, which a Linux peer delays (one segment).
    const tail = p.expect("PA", { seq: una + 1460, len: 588 });
    assert.equal(tail.data[0], round);
    p.nothing();
    // Two segments: the peer acknowledges at once; the next ring-full goes out the same way.
    una = (una + 2048) >>> 0;
    p.tcp({ dport: 5000, seq: c.snd, ack: una, flags: "A" });
    p.nothing();
  }
});

test("a short segment still waits while an earlier short one is unacknowledged", () => {
  const p = new Peer({ layout: BOARD_LIKE });
  const c = p.established();
  assert.equal(p.stack.send(c.id, new Uint8Array(1500)), 1500);
  p.expect("A", { len: 1460 });
  p.expect("PA", { len: 40 });
  p.sendText(c.id, "more");
  p.nothing(); // the 40-byte segment is in flight: Nagle holds "more"
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1460, flags: "A" });
  p.nothing(); // only the full segment acknowledged: the short one still is not
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1500, flags: "A" });
  p.expect("PA", { seq: c.rcv + 1500, data: "more" });
});

test("small writes after a full segment: the first goes, the rest wait for its ACK", () => {
  const p = new Peer({ layout: BOARD_LIKE });
  const c = p.established();
  assert.equal(p.stack.send(c.id, new Uint8Array(1460)), 1460);
  p.expect("PA", { len: 1460 });
  p.sendText(c.id, "a");
  p.expect("PA", { seq: c.rcv + 1460, data: "a" }); // no short segment in flight
  p.sendText(c.id, "b");
  p.sendText(c.id, "c");
  p.nothing();
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1461, flags: "A" });
  p.expect("PA", { data: "bc" });
});

test("a full send ring's short segment goes out while another short one is unacknowledged (an echo through a 2 KiB ring)", () => {
  const p = new Peer({ layout: BOARD_LIKE });
  const c = p.established();
  assert.equal(p.stack.send(c.id, new Uint8Array(1152).fill(1)), 1152);
  p.expect("PA", { seq: c.rcv, len: 1152 }); // short, and now unacknowledged
  // The rest of what arrived fills the ring: nothing more can join it, so holding it for the
  // peer's delayed ACK of the 1152 bytes would only stall the stream for 40 ms.
  assert.equal(p.stack.send(c.id, new Uint8Array(1200).fill(2)), 896, "the ring is full at 2048");
  const rest = p.expect("PA", { seq: c.rcv + 1152, len: 896 });
  assert.equal(rest.data[0], 2);
  p.nothing();
});

test("a short segment behind an unacknowledged short one still waits while the ring has room", () => {
  const p = new Peer({ layout: BOARD_LIKE });
  const c = p.established();
  assert.equal(p.stack.send(c.id, new Uint8Array(1152)), 1152);
  p.expect("PA", { len: 1152 });
  assert.equal(p.stack.send(c.id, new Uint8Array(500)), 500);
  p.nothing(); // 396 bytes of room left: Nagle holds the 500
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1152, flags: "A" });
  p.expect("PA", { seq: c.rcv + 1152, len: 500 });
});
