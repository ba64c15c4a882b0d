// Overload (RFC 4987, issue 8): half-open connections never starve established ones, a cookie ACK
// that finds no slot is answered with a RST, and the console stays reachable in a full table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";
import { SERVICES } from "../../host/engine/abi.js";

/** A handshake from source port sport to dport; returns the SYN-ACK's and the answer to the ACK. */
function handshake(p: Peer, sport: number, dport: number, isn: number) {
  p.sport = sport;
  p.tcp({ dport, seq: isn, flags: "S", mss: 1460 });
  const sa = p.expect("SA", { ack: isn + 1 });
  p.tcp({ dport, seq: isn + 1, ack: sa.seq + 1, flags: "A" });
  return { sa, reply: p.next() };
}

test("24 half-open SYNs over 4 ports do not keep a real client from being served", () => {
  const p = new Peer();
  const ports = [5000, 5001, 5002, 5003];
  const ls = ports.map((port) => p.stack.listen(port, 8));
  for (let i = 0; i < 24; i++) {
    p.sport = 30000 + i;
    p.tcp({ dport: ports[i % 4], seq: 1000 * i, flags: "S", mss: 1460 });
    p.expect("SA");
  }
  const half = p.stack.connsText().split("\n").filter((l) => l.includes("SYN-RECEIVED")).length;
  assert.ok(half <= 5, `half-open entries bounded: ${half}`);
  assert.ok(p.stack.stats().tcpSynCookiesSent > 0, "SYNs over the bound were answered with cookies");
  // A real client completes its handshake and is served.
  const { sa, reply } = handshake(p, 45000, 5000, 777);
  assert.equal(reply, null, "no RST for the real client");
  const id = p.stack.accept(ls[0]);
  assert.ok(id >= 0, "accepted");
  assert.equal(p.stack.state(id), "ESTABLISHED");
  p.tcp({ dport: 5000, seq: 778, ack: sa.seq + 1, flags: "PA", data: "real" });
  assert.equal(p.recvText(id), "real");
});

test("12 echo clients, 10 slots: the ones without a slot get a RST, none is left believing", () => {
  const p = new Peer();
  const served: number[] = [];
  const reset: number[] = [];
  for (let i = 0; i < 12; i++) {
    const { sa, reply } = handshake(p, 40000 + i, 7, 5000 * i);
    if (reply === null) served.push(i);
    else {
      assert.equal(reply.flags & 0x04, 0x04, "a RST");
      assert.equal(reply.seq, (sa.seq + 1) >>> 0, "seq = SEG.ACK, acceptable to the peer");
      reset.push(i);
    }
  }
  assert.equal(served.length, 9, "one slot stays in reserve for the console");
  assert.deepEqual(reset, [9, 10, 11]);
  assert.equal(p.stack.stats().tcpCookieNoSlotRsts, 3);
  // The console is still reachable.
  const { reply } = handshake(p, 46000, 23, 9000);
  assert.equal(reply === null || (reply.flags & 0x04) === 0, true, "console handshake not reset");
  p.advance(10);
  const conns = p.stack.connsText();
  assert.ok(/:46000/.test(conns), conns);
});

test("without a console listening nothing is held in reserve: all 10 slots serve echo", () => {
  const p = new Peer({ services: SERVICES.echo });
  let served = 0;
  for (let i = 0; i < 10; i++) if (handshake(p, 43000 + i, 7, 7000 * i).reply === null) served++;
  assert.equal(served, 10);
  assert.equal(p.stack.stats().tcpCookieNoSlotRsts, 0);
});

test("a one-slot table still serves (no slot kept in reserve)", () => {
  const p = new Peer({ layout: { conns: 1 } });
  assert.equal(handshake(p, 44000, 7, 1).reply, null);
});
