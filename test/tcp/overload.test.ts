// Overload (RFC 4987, issues 8 and 16): half-open connections never starve established ones, a SYN
// that finds no connection record is dropped and counted (as Linux and lwIP refuse it), a cookie
// ACK that finds none is answered with a RST, and the console stays reachable in a full table.
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

test("12 echo clients, 10 slots: a SYN without a record is dropped and counted, none is left believing", () => {
  const p = new Peer();
  const served: { sport: number; isn: number; sa: number }[] = [];
  for (let i = 0; i < 12; i++) {
    p.sport = 40000 + i;
    p.tcp({ dport: 7, seq: 5000 * i, flags: "S", mss: 1460 });
    const sa = p.next();
    if (i < 9) {
      assert.ok(sa && sa.flags === 0x12, `client ${i} gets a SYN-ACK`);
      p.tcp({ dport: 7, seq: 5000 * i + 1, ack: sa.seq + 1, flags: "A" });
      p.nothing();
      served.push({ sport: p.sport, isn: 5000 * i + 1, sa: (sa.seq + 1) >>> 0 });
    } else {
      assert.equal(sa, null, `client ${i}: refused by silence, no cookie handshake to reset later`);
    }
  }
  assert.equal(p.stack.stats().tcpDropNoSlot, 3, "every refusal counted");
  assert.equal(p.stack.stats().tcpCookieNoSlotRsts, 0);
  assert.equal(p.stack.stats().tcpSynCookiesSent, 0);
  assert.match(p.stack.statsText(), /tcpDropNoSlot +3\n/);
  // One echo client leaves (RST): the refused client's retransmitted SYN now gets in.
  const gone = served[0];
  p.sport = gone.sport;
  p.tcp({ dport: 7, seq: gone.isn, flags: "R" });
  p.advance(10); // echo sees the reset and closes: the record is free
  p.sport = 40009;
  p.tcp({ dport: 7, seq: 5000 * 9, flags: "S", mss: 1460 });
  const sa = p.expect("SA", { ack: 5000 * 9 + 1 });
  p.tcp({ dport: 7, seq: 5000 * 9 + 1, ack: sa.seq + 1, flags: "PA", data: "late" });
  p.advance(50);
  assert.equal(Buffer.from(p.expect("PA").data).toString(), "late", "served, echoed");
  // The table is full again, and the console is still reachable (its slot is kept in reserve).
  const { reply } = handshake(p, 46000, 23, 9000);
  assert.equal(reply === null || (reply.flags & 0x04) === 0, true, "console handshake not reset");
  p.advance(10);
  assert.ok(/:46000/.test(p.stack.connsText()));
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

test("refusals show on the status page, served once a record is free", () => {
  const p = new Peer({ services: SERVICES.echo | SERVICES.http, layout: { conns: 2 } });
  const first = handshake(p, 47000, 7, 100);
  handshake(p, 47001, 7, 200);
  p.sport = 47002;
  p.tcp({ dport: 7, seq: 300, flags: "S", mss: 1460 });
  p.nothing(); // refused
  p.sport = 47000;
  p.tcp({ dport: 7, seq: 101, ack: first.sa.seq + 1, flags: "R" });
  p.advance(10);
  const { sa } = handshake(p, 47003, 80, 400);
  p.tcp({ dport: 80, seq: 401, ack: sa.seq + 1, flags: "PA", data: "GET / HTTP/1.1\r\nHost: a\r\n\r\n" });
  p.advance(10);
  let page = "";
  for (let s = p.next(); s; s = p.next()) page += Buffer.from(s.data).toString();
  assert.match(page, /<td>tcpDropNoSlot<td class=n>1<\/tr>/);
});
