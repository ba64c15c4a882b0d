// A fixed, quick set of simulator seeds (the long soak is `npm run soak -- --seeds N`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { soakSeed } from "../../lab/soak.js";
import { Wire, NO_FAULTS } from "../../lab/netsim.js";

for (let seed = 1; seed <= 24; seed++) {
  test(`soak seed ${seed}: every byte echoed intact, every connection CLOSED, memory flat`, () => {
    const r = soakSeed(seed);
    assert.ok(r.ok, `${r.reason} (reproduce: npm run soak -- --seed ${seed})`);
    assert.ok(r.bytes > 0 && r.connections === 12);
  });
}

test("the simulator is deterministic: one seed, one history", () => {
  const a = soakSeed(7), b = soakSeed(7);
  assert.deepEqual(a.wire, b.wire);
  assert.equal(a.virtualMs, b.virtualMs);
});

test("the faults are real: a lossy seed loses, corrupts, duplicates and reorders frames", () => {
  const r = soakSeed(40);
  assert.ok(r.wire.lost > 0 && r.wire.corrupted > 0 && r.wire.duplicated > 0 && r.wire.reordered > 0, JSON.stringify(r.wire));
});

test("an outage longer than the retries: the connection times out instead of hanging", () => {
  const wire = new Wire(99, { ...NO_FAULTS, delayMs: 5 });
  const a = wire.add("10.77.0.2", 2);
  wire.add("10.77.0.3", 3);
  const id = a.stack.connect("10.77.0.3", 7);
  wire.run(() => a.stack.state(id) === "ESTABLISHED", 10_000);
  assert.equal(a.stack.state(id), "ESTABLISHED");
  (wire.faults as { loss: number }).loss = 1; // the cable is cut
  a.stack.send(id, new Uint8Array(100));
  wire.kick();
  wire.run(() => a.stack.state(id) === "CLOSED", 3_600_000);
  assert.equal(a.stack.state(id), "CLOSED");
  assert.equal(a.stack.recv(id), -110);
});
