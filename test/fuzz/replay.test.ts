// Replays every saved fuzz case (test/fuzz/cases/*.json), plus a short fixed-seed fuzz run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { play, makeCase, FuzzCase } from "../../lab/fuzzcase.js";
import { Rng } from "../../lab/netsim.js";

const dir = resolve(PACKAGE_ROOT, "test/fuzz/cases");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

test("there are saved cases to replay", () => assert.ok(files.length > 0));

for (const f of files) {
  test(`fuzz case ${f}`, () => {
    const c = JSON.parse(readFileSync(resolve(dir, f), "utf8")) as FuzzCase;
    assert.equal(play(c), null);
  });
}

test("a fixed-seed fuzz run of 4096 frames in every state: no trap, invariants hold", () => {
  const rng = new Rng(20261124);
  for (let i = 0; i < 128; i++) {
    const c = makeCase(rng, 32);
    assert.equal(play(c), null, `case ${i} in ${c.scenario}`);
  }
});
