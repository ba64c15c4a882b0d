// The board owner's preparation (boards/esp32/README.md, "Build and flash") on a fresh clone of
// this checkout: the module it leaves for idf.py is byte for byte the one the tests run, and the
// board firmware boots it and answers ping and echo. The clone reuses this checkout's node_modules
// and wasm3 source (symlinks: the script installs neither when present), so what runs is the
// script's own module build.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { NATIVE_BOARD } from "../../host/engine/board.js";
import { isRoot, STACK_IP } from "../../host/link/netns.js";
import { serveInNetns, Served } from "../lib/served.js";

const README = resolve(PACKAGE_ROOT, "boards/esp32/README.md");
const TESTED = resolve(PACKAGE_ROOT, "build/synack.wasm");
const git = (cwd: string, ...args: string[]) => spawnSync("git", args, { cwd, encoding: "buffer", maxBuffer: 1 << 28 });
const isCheckout = git(PACKAGE_ROOT, "rev-parse", "--git-dir").status === 0;
const skip = !isCheckout ? "not a git checkout" : !existsSync(TESTED) ? "build/synack.wasm not built" : false;

/** The preparation command as the README gives it. */
function readmeStep(): string {
  const m = /^bash scripts\/prepare-esp32\.sh$/m.exec(readFileSync(README, "utf8"));
  assert.ok(m, "boards/esp32/README.md names `bash scripts/prepare-esp32.sh`");
  return m[0];
}

/**
 * A fresh clone of HEAD, plus what this checkout has not committed yet (tracked changes and new
 * files), so that a developer's run compares like with like; on a clean checkout (CI) it is the
 * commit alone.
 */
function freshClone(dir: string): string {
  const clone = join(dir, "synack");
  assert.equal(git(dir, "clone", "-q", PACKAGE_ROOT, clone).status, 0, "git clone");
  const diff = git(PACKAGE_ROOT, "diff", "HEAD", "--binary").stdout;
  if (diff.length) {
    const r = spawnSync("git", ["apply", "--binary", "-"], { cwd: clone, input: diff });
    assert.equal(r.status, 0, `uncommitted changes apply to the clone: ${r.stderr}`);
  }
  for (const f of git(PACKAGE_ROOT, "ls-files", "--others", "--exclude-standard", "-z").stdout.toString().split("\0").filter(Boolean)) {
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    cpSync(join(PACKAGE_ROOT, f), join(clone, f));
  }
  symlinkSync(resolve(PACKAGE_ROOT, "node_modules"), join(clone, "node_modules"));
  symlinkSync(resolve(PACKAGE_ROOT, "third_party"), join(clone, "third_party"));
  return clone;
}

describe("the board owner's preparation on a fresh clone", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "synack-prepare-"));
  let module = "";
  let log = "";
  before(() => {
    const clone = freshClone(dir);
    assert.equal(existsSync(join(clone, "build")), false, "the clone starts without build/");
    const r = spawnSync("bash", ["-c", readmeStep()], { cwd: clone, encoding: "utf8" });
    log = r.stdout + r.stderr;
    assert.equal(r.status, 0, log);
    module = join(clone, "build/synack.wasm");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("it leaves build/synack.wasm byte for byte the module npm run build made and the tests run", () => {
    assert.match(log, /prepare-esp32: build\/synack\.wasm \(\d+ bytes\) and third_party\/wasm3 ready/);
    const prepared = readFileSync(module), tested = readFileSync(TESTED);
    assert.equal(prepared.length, tested.length, "same size");
    assert.ok(prepared.equals(tested), "same bytes");
  });

  describe("the board firmware boots the prepared module", { skip: !isRoot() ? "needs root" : !existsSync(NATIVE_BOARD) ? "build/synack-native not built" : false }, () => {
    let s: Served;
    before(async () => { s = await serveInNetns("native", [], { SYNACK_WASM: module }); });
    after(async () => { await s?.stop(); });

    test("ping: ICMP echo replies", async () => {
      const r = await s.ns.run("ping", ["-c", "2", "-i", "0.2", "-W", "2", STACK_IP]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.toString(), /2 received/);
    });

    test("echo (port 7): 20 KB come back intact", async () => {
      const data = randomBytes(20_000);
      const r = await s.ns.run("nc", ["-N", "-w", "10", STACK_IP, "7"], data, 60_000);
      assert.equal(r.stdout.length, data.length, r.stderr);
      assert.ok(r.stdout.equals(data));
    });
  });
});
