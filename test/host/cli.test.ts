// The synack command's errors: one line on stderr and a non-zero exit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { PACKAGE_ROOT, Stack } from "../../host/engine/stack.js";
import { parseServe } from "../../host/cli/cli.js";
import { isRoot } from "../../host/link/netns.js";

const BIN = resolve(PACKAGE_ROOT, "bin/synack.js");
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 20_000 });
  return { code: r.status, err: r.stderr, out: r.stdout };
}

for (const [args, why] of [
  [[], /missing command/],
  [["launch"], /unknown command: launch/],
  [["serve", "--ip", "10.77.0.2/24"], /--tap IFNAME is required/],
  [["serve", "--tap", "tap0"], /--ip A.B.C.D\/N is required/],
  [["serve", "--tap", "tap0", "--ip", "10.77.0.2"], /bad --ip/],
  [["serve", "--tap", "tap0", "--ip", "10.77.0.300/24"], /bad --ip/],
  [["serve", "--tap", "tap0", "--ip", "10.77.0.2/24", "--mac", "01:00:00:00:00:01"], /unicast/],
  [["serve", "--tap", "tap0", "--ip", "10.77.0.2/24", "--gw", "x"], /bad --gw/],
  [["serve", "--tap", "tap0", "--ip", "10.77.0.2/24", "--bogus"], /unknown flag: --bogus/],
  [["serve", "--tap"], /--tap needs a value/],
] as [string[], RegExp][]) {
  test(`synack ${args.join(" ") || "(nothing)"}: one line, exit 2`, () => {
    const r = run(...args);
    assert.equal(r.code, 2);
    assert.match(r.err, why);
    assert.equal(r.err.trim().split("\n").length, 1, r.err);
  });
}

test("serve on a TAP that does not exist: one line, exit 1", { skip: isRoot() ? false : "needs root for /dev/net/tun" }, () => {
  const r = run("serve", "--tap", "synack-none0", "--ip", "10.77.0.2/24");
  assert.equal(r.code, 1);
  assert.match(r.err, /no such interface: synack-none0/);
  assert.equal(r.err.trim().split("\n").length, 1);
});

test("flags parse into what the stack gets", () => {
  const o = parseServe(["--tap", "tap9", "--ip", "10.77.0.9/16", "--gw", "10.77.0.1", "--mac", "02:aa:bb:cc:dd:ee", "--msl", "500"]);
  assert.equal(o.tap, "tap9");
  assert.equal(o.ip, 0x0a4d0009);
  assert.equal(o.prefixLen, 16);
  assert.equal(o.gw, 0x0a4d0001);
  assert.deepEqual(Array.from(o.mac), [2, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]);
  assert.equal(o.msl, 500);
});

test("the module imports exactly the ABI's functions from env", async () => {
  const { readFileSync } = await import("node:fs");
  const mod = new WebAssembly.Module(readFileSync(resolve(PACKAGE_ROOT, "build/synack.wasm")));
  const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`).sort();
  assert.deepEqual(imports, ["env.checksum", "env.log", "env.random_u32", "env.send_frame"]);
  const s = new Stack({ ip: "10.77.0.2", prefixLen: 24 });
  assert.equal(s.state(0), "CLOSED");
});
