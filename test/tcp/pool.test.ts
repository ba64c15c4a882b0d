// Memory by need (issue 16): the rings draw 128-byte blocks from one shared pool. A connection
// offers only the window the pool has promised it (never more, never shrinking the right edge),
// every slot keeps a floor for its window that writers cannot take, and a busy pool slows writers
// and senders down without dropping an accepted byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";

test("a shared pool: a connection starts with the floor every slot can have, grows with use while the pool has room, its edge never moving left", () => {
  const p = new Peer({ layout: { conns: 4, rxRing: 4096, txRing: 2048, poolBytes: 8192 } });
  const c = p.established();
  let seq = c.snd;
  // 64 blocks, 8 stay for sending; one connection may grow to its 32-block ring or half of the
  // 56 windows may take, so the others' floor is (56 - 28) / 3 blocks (layout.ts rcvBufferFor).
  const floor = 9 * 128;
  let wnd = floor, adv = (c.snd + floor) >>> 0; // the SYN,ACK offered the floor (as the first segments fill it)
  const seen: number[] = [];
  for (let i = 0; i < 8; i++) {
    const sent: Uint8Array[] = []; // the sender fills the window, the application reads it all
    for (let off = 0; off < wnd; off += 1460) sent.push(new Uint8Array(Math.min(1460, wnd - off)).fill(i));
    for (const d of sent) { p.tcp({ dport: 5000, seq, ack: c.rcv, flags: "PA", data: d }); seq += d.length; }
    const got = p.stack.recv(c.id, 8192) as Uint8Array;
    assert.deepEqual(Buffer.from(got), Buffer.concat(sent), "intact");
    p.advance(50);
    let last = null;
    for (let s = p.next(); s; s = p.next()) {
      assert.ok(s.wnd <= 4096, `never more than its ring: ${s.wnd}`);
      assert.ok(((s.ack + s.wnd - adv) | 0) >= 0, "the right edge never moves left");
      adv = (s.ack + s.wnd) >>> 0;
      last = s;
    }
    assert.ok(last, "acknowledged");
    assert.equal(last.ack, seq >>> 0);
    wnd = last.wnd;
    seen.push(wnd);
  }
  assert.ok(Math.max(...seen) >= 3 * 1024, `grown with use, up to what the pool leaves: ${seen.join(" ")}`);
});

test("a busy pool: writers take only what leaves every slot its floor; a new connection gets its window, nothing accepted is lost", () => {
  const p = new Peer({ layout: { conns: 4, rxRing: 4096, txRing: 4096, poolBytes: 4096 }, services: 0 });
  const a = p.established(5000, 1000, 1460, 65535);
  // 32 blocks: 4 stay for sending, each slot's floor is 4 (512 bytes), and 12 are for buffers to
  // grow: A's writer gets the 4 and the 12 not yet grown into, not all it asks.
  const queued = p.stack.send(a.id, new Uint8Array(4096).fill(7));
  assert.equal(queued, 16 * 128);
  const out: number[] = [];
  for (let s = p.next(); s; s = p.next()) out.push(s.data.length);
  assert.equal(out.reduce((x, y) => x + y, 0), queued);
  // B's SYN,ACK offers its floor: the writer could not take it.
  p.sport = 40001;
  const lb = p.stack.listen(6000, 4);
  p.tcp({ dport: 6000, seq: 3000, flags: "S", mss: 1460 });
  const sa = p.expect("SA", { wnd: 512 });
  p.tcp({ dport: 6000, seq: 3001, ack: sa.seq + 1, flags: "A" });
  const b = p.stack.accept(lb);
  assert.ok(b >= 0);
  // A's window was promised: its peer's full window is accepted while the writer holds the rest.
  p.sport = 40000;
  p.tcp({ dport: 5000, seq: a.snd, ack: a.rcv, flags: "PA", data: new Uint8Array(512).fill(9) });
  p.advance(50);
  p.expect("A", { ack: a.snd + 512, wnd: 0 });
  p.sport = 40001;
  p.tcp({ dport: 6000, seq: 3001, ack: sa.seq + 1, flags: "PA", data: "on time and whole" });
  assert.equal(p.recvText(b), "on time and whole");
  const got = p.stack.recv(a.id, 4096) as Uint8Array;
  assert.equal(got.length, 512);
  assert.ok(got.every((x) => x === 9), "A's bytes intact");
  // A's data is acknowledged: its blocks go back. A's receive buffer grew meanwhile (its peer
  // filled it, it was read at once: 512 -> 1024 bytes, 4 of the 12 growth blocks kept), so
  // writers may now have 4 + 8 blocks.
  p.sport = 40000;
  p.tcp({ dport: 5000, seq: a.snd + 512, ack: (a.rcv + queued) >>> 0, flags: "A" });
  assert.equal(p.stack.send(a.id, new Uint8Array(4096).fill(7)), 12 * 128);
});
