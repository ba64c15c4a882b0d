// The W5500 driver against the simulated chip (C unit tests in test/board/w5500_test.c).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";

test("W5500 MACRAW driver against the strict chip model: reset timing, one SEND in flight, RSR after RECV, link down/up, padding, VLAN, filters, draining, SPI costs", () => {
  const r = spawnSync(resolve(PACKAGE_ROOT, "build/w5500-test"), { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const m = /^(\d+) passed, (\d+) failed$/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(Number(m[2]), 0, r.stdout);
  assert.ok(Number(m[1]) >= 60, r.stdout);
});
