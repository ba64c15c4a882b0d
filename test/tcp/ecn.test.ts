// ECN (RFC 3168) is counted: connections that agreed on it, CE marks received, and the window
// reductions answering the peer's ECE (at most one per window). The behaviour of each step is in
// the drill scripts test/drill/ecn-*.pkt.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer, tcpFrame, type SegSpec } from "../lib/harness.js";
import { fixChecksums } from "../../host/link/wire.js";

const ECE = 0x40, CWR = 0x80, CE = 3;

/** A frame from the peer with ECE/CWR flags and an IP ECN field beside what SegSpec allows. */
function ecnFrame(p: Peer, o: SegSpec & { extra?: number; ecn?: number }): void {
  const f = tcpFrame({ sport: p.sport, ...o });
  f[14 + 20 + 13] |= o.extra ?? 0;
  f[15] = o.ecn ?? 0;
  fixChecksums(f);
  p.frame(f);
}

test("counted: one ECN connection, each CE mark, and one reduction for two ECEs in a window", () => {
  const p = new Peer();
  const l = p.stack.listen(5000, 4);
  ecnFrame(p, { dport: 5000, seq: 100, flags: "S", mss: 1000, extra: ECE | CWR });
  const sa = p.next()!;
  assert.equal(sa.flags, 0x12 | ECE, "a SYN,ACK agreeing with ECE alone");
  p.tcp({ dport: 5000, seq: 101, ack: sa.seq + 1, flags: "A" });
  const id = p.stack.accept(l);
  assert.equal(p.stack.stats().tcpEcnNegotiated, 1);
  ecnFrame(p, { dport: 5000, seq: 101, ack: sa.seq + 1, flags: "PA", data: "x", ecn: CE });
  ecnFrame(p, { dport: 5000, seq: 102, ack: sa.seq + 1, flags: "PA", data: "y", ecn: CE });
  assert.equal(p.stack.stats().tcpEcnCeReceived, 2);
  assert.equal(p.stack.send(id, new Uint8Array(3000)), 3000);
  p.out.length = 0;
  for (const acked of [1000, 2000]) ecnFrame(p, { dport: 5000, seq: 103, ack: sa.seq + 1 + acked, flags: "A", extra: ECE });
  assert.equal(p.stack.stats().tcpEcnReductions, 1);
});

test("a peer that does not offer ECN gets a plain SYN,ACK and nothing is counted", () => {
  const p = new Peer();
  p.stack.listen(5000, 4);
  ecnFrame(p, { dport: 5000, seq: 100, flags: "S", mss: 1000, extra: ECE }); // ECE without CWR: not an offer
  assert.equal(p.next()!.flags, 0x12, "a plain SYN,ACK");
  assert.equal(p.stack.stats().tcpEcnNegotiated, 0);
});
