// A connect to a host on the link that does not answer ARP fails with EHOSTUNREACH once ARP has
// asked three times, a second apart (as Linux does), instead of retransmitting SYNs to ETIMEDOUT.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer, PEER_IP } from "../lib/harness.js";
import { E } from "../../host/engine/abi.js";

const ABSENT = 0x0a4d0009; // 10.77.0.9: on our link, nobody there

/** ARP who-has requests the module broadcast for ip. */
function whoHas(out: Uint8Array[], ip: number): number {
  return out.filter((f) => {
    const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
    return f.length >= 42 && v.getUint16(12) === 0x0806 && v.getUint16(20) === 1 && v.getUint32(38) === ip;
  }).length;
}

test("connect to an absent on-link host: three ARP requests, then EHOSTUNREACH after 3 s, counted", () => {
  const p = new Peer();
  const id = p.stack.connect(ABSENT, 80);
  assert.ok(id >= 0);
  assert.equal(p.stack.state(id), "SYN-SENT");
  for (let ms = 0; ms < 2900; ms += 100) p.advance(100);
  assert.equal(p.stack.state(id), "SYN-SENT", "still asking before 3 s");
  assert.equal(whoHas(p.out, ABSENT), 3, "three who-has, a second apart");
  for (let ms = 0; ms < 200; ms += 100) p.advance(100);
  assert.equal(p.stack.state(id), "CLOSED");
  assert.equal(p.stack.send(id, new Uint8Array(1)), E.HOSTUNREACH);
  const st = p.stack.stats();
  assert.equal(st.arpUnanswered, 1);
  assert.equal(st.tcpAttemptFails, 1);
  assert.equal(p.stack.close(id), 0);
});

test("a peer that answers ARP is not affected by another host's failed lookup", () => {
  const p = new Peer();
  const dead = p.stack.connect(ABSENT, 80);
  p.advance(10);
  const live = p.stack.connect(PEER_IP, 6000); // the peer answers ARP but not the SYN (yet)
  for (let ms = 0; ms < 3100; ms += 100) p.advance(100);
  assert.equal(p.stack.state(dead), "CLOSED");
  assert.equal(p.stack.state(live), "SYN-SENT", "the reachable peer's open goes on");
});
