// Stopping synack serve (Ctrl-C, SIGTERM): connections are closed with a FIN, peers get a grace
// period, and what is still open after it is reset; listeners go first so nothing new arrives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";
import { closeEverything } from "../../host/engine/lifecycle.js";

/** The engine's close-all on the scripted peer's stack: the module runs (p.advance(0)) after each call. */
const engine = (p: Peer) => ({ closeAll: async (abort: boolean) => { const n = p.stack.closeAll(abort); p.advance(0); return n; } });

test("close everything: FIN to each peer; once both sides have closed nothing is left to reset", async () => {
  const p = new Peer();
  const c = p.established();
  const echo = (() => { p.sport = 41000; p.tcp({ dport: 7, seq: 100, flags: "S", mss: 1460 }); const sa = p.expect("SA"); p.tcp({ dport: 7, seq: 101, ack: sa.seq + 1, flags: "A" }); return sa; })();
  let slept = 0;
  const done = closeEverything(engine(p), {
    graceMs: 2000,
    sleep: async (ms) => {
      slept += ms; p.advance(ms);
      if (slept === 100) { // the peers acknowledge both FINs and close too
        p.sport = 40000; p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv + 1, flags: "FA" });
        p.sport = 41000; p.tcp({ dport: 7, seq: 101, ack: echo.seq + 2, flags: "FA" });
      }
    },
  });
  const fins = [p.next()!, p.next()!];
  assert.deepEqual(fins.map((s) => s.flags & 0x01), [1, 1], "a FIN to each");
  assert.equal(await done, 0, "nothing reset");
  assert.equal(slept, 100);
  assert.match(p.stack.connsText(), /TIME-WAIT +10\.77\.0\.2:5000 /); // a record now: closed by its user
  const acks = [p.next()!, p.next()!];
  assert.deepEqual(acks.map((s) => s.flags), [0x10, 0x10], "the peers' FINs are acknowledged");
  // The listeners are gone: a new SYN is refused.
  p.sport = 42000;
  p.tcp({ dport: 7, seq: 1, flags: "S" });
  p.expect("RA");
});

test("close everything: a peer that never ACKs our FIN is reset after the grace period", async () => {
  const p = new Peer();
  const c = p.established();
  let slept = 0;
  const reset = await closeEverything(engine(p), {
    graceMs: 2000, sleep: async (ms) => { slept += ms; },
  });
  assert.equal(reset, 1);
  assert.equal(slept, 2000);
  p.expect("FA", { seq: c.rcv });
  p.expect("RA", { seq: c.rcv + 1 });
  assert.equal(p.stack.state(c.id), "CLOSED");
});

test("close everything: unread data means RST at once (RFC 2525), and a second signal hurries", async () => {
  const p = new Peer();
  const c = p.established();
  p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "unread" });
  p.out.length = 0;
  const reset = await closeEverything(engine(p), { graceMs: 2000, sleep: async () => {}, hurry: Promise.resolve() });
  assert.equal(reset, 0);
  p.expect("RA");
  p.nothing();
});
