// scripts/setup-wasm3.sh takes wasm3's source only from an sdist with the pinned sha256.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, cpSync, writeFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";

const SCRIPT = resolve(PACKAGE_ROOT, "scripts/setup-wasm3.sh");
const pinned = /SHA256=([0-9a-f]{64})/.exec(readFileSync(SCRIPT, "utf8"))![1];

test("setup-wasm3 refuses an sdist whose sha256 is not the pinned one", () => {
  const dir = mkdtempSync(resolve(tmpdir(), "synack-setup-"));
  try {
    mkdirSync(resolve(dir, "scripts"));
    cpSync(SCRIPT, resolve(dir, "scripts/setup-wasm3.sh"));
    mkdirSync(resolve(dir, "third_party/download"), { recursive: true });
    writeFileSync(resolve(dir, "third_party/download/pywasm3-0.5.0.tar.gz"), "not the real sdist");
    const r = spawnSync("bash", [resolve(dir, "scripts/setup-wasm3.sh")], { encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /expected [0-9a-f]{64}: refused/);
    assert.equal(existsSync(resolve(dir, "third_party/wasm3")), false, "nothing extracted");
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("the pinned sha256 is the one of the sdist this tree was set up from", { skip: existsSync(resolve(PACKAGE_ROOT, "third_party/download/pywasm3-0.5.0.tar.gz")) ? false : "no sdist downloaded here" }, () => {
  const got = createHash("sha256").update(readFileSync(resolve(PACKAGE_ROOT, "third_party/download/pywasm3-0.5.0.tar.gz"))).digest("hex");
  assert.equal(got, pinned);
});
