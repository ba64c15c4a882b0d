// The optional env.checksum import and the module's own loop must produce the same bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";

function session(checksumImport: boolean): Uint8Array[] {
  let r = 1;
  const p = new Peer({ random: () => (r = (r * 1103515245 + 12345) >>> 0), checksumImport });
  const sent: Uint8Array[] = [];
  const c = p.established();
  for (let i = 1; i <= 40; i++) {
    const data = new Uint8Array(i * 37).map((_, k) => (k * i) & 255); // odd and even lengths
    p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data });
    c.snd += data.length;
    p.stack.send(c.id, data);
    p.advance(50);
    for (let s = p.out.shift(); s; s = p.out.shift()) sent.push(s);
    p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + data.length, flags: "A" });
    c.rcv += data.length;
    p.stack.recv(c.id);
  }
  return sent;
}

test("checksums through env.checksum equal the wasm loop's, frame for frame", () => {
  const a = session(false), b = session(true);
  assert.ok(a.length >= 40);
  assert.equal(a.length, b.length);
  a.forEach((f, i) => assert.deepEqual(b[i], f, `frame ${i}`));
});

test("a segment checked by env.checksum is accepted, a corrupted one dropped", () => {
  const p = new Peer({ checksumImport: true });
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "ok" });
  p.advance(50);
  p.expect("A", { ack: c.snd + 2 });
  assert.equal(p.stack.stats().tcpDropChecksum, 0);
});
