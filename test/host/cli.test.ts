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
  [["serve", "--tap", "tap0", "--ip", "0.0.0.0/24"], /0\.0\.0\.0 is not an address \(use --dhcp/],
  [["serve", "--tap", "tap0", "--ip", "224.0.0.5/24"], /multicast/],
  [["serve", "--tap", "tap0", "--ip", "10.77.0.0/24"], /network's own address/],
  [["serve", "--tap", "tap0", "--ip", "10.77.0.255/24"], /broadcast address/],
  [["serve", "--tap", "tap0", "--ip", "127.0.0.2/8"], /loopback/],
  [["serve", "--tap", "tap0", "--ip", "10.77.0.2/24", "--gw", "10.0.0.1"], /--gw 10\.0\.0\.1 is not on 10\.77\.0\.0\/24/],
  [["serve", "--tap", "tap0", "--ip", "10.77.0.2/24", "--gw", "10.77.0.255"], /cannot be a router/],
  [["serve", "--tap", "tap0", "--ip", "10.77.0.2/24", "--dhcp"], /--ip and --dhcp exclude each other/],
  [["serve", "--tap", "tap0", "--dhcp", "--ip", "10.77.0.2/24"], /--ip and --dhcp exclude each other/],
  [["serve", "--tap", "tap0", "--dhcp", "--gw", "10.77.0.1"], /--gw with --dhcp/],
  [["serve", "--tap", "tap0", "--ip", "10.77.0.2/24", "--no-store"], /--no-store is a board's .*V8 has no code store/],
  [["drill"], /drill needs at least one script/],
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

const SERVE_FLAGS = ["--tap", "--ip", "--dhcp", "--gw", "--mac", "--board", "--services", "--name", "--pcap", "--conns",
  "--rx-ring", "--tx-ring", "--udp-sockets", "--msl", "--no-store", "--verbose"];

test("serve --help gives every flag a line of meaning and a default, and exits 0", () => {
  for (const args of [["serve", "--help"], ["serve", "-h"], ["serve", "--tap", "tap0", "--help"]]) {
    const r = run(...args);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^usage: synack serve/);
    for (const flag of SERVE_FLAGS) {
      const at = r.out.split("\n").findIndex((l) => l.trimStart().startsWith(flag + " ") || l.trim() === flag);
      assert.ok(at >= 0, `${flag} in serve --help`);
      const entry = r.out.split("\n").slice(at, at + 2).join("\n");
      assert.match(entry, /default: \S/, `${flag}: its default`);
    }
  }
});

test("drill --help and demo --help explain the command and exit 0; --help lists every command", () => {
  const drill = run("drill", "--help");
  assert.equal(drill.code, 0, drill.err);
  assert.match(drill.out, /^usage: synack drill/);
  assert.match(drill.out, /--tolerant +\S.*\n +default: off/);
  const demo = run("demo", "-h");
  assert.equal(demo.code, 0, demo.err);
  assert.match(demo.out, /^usage: synack demo\n\n\S/);
  const all = run("--help");
  assert.equal(all.code, 0, all.err);
  for (const c of ["serve", "drill", "demo"]) assert.match(all.out, new RegExp(`^  ${c} +\\S`, "m"));
  for (const flag of SERVE_FLAGS) assert.ok(all.out.includes(flag), flag);
});

test("a usage error names the command's own help", () => {
  assert.match(run("serve", "--bogus").err, /\(synack serve --help\)/);
  assert.match(run("launch").err, /\(synack --help\)/);
});

test("--dhcp picks the same MAC for the same TAP every run, another for another TAP", () => {
  const a = parseServe(["--tap", "tap0", "--dhcp"]).mac;
  const b = parseServe(["--tap", "tap0", "--dhcp"]).mac;
  const c = parseServe(["--tap", "tap1", "--dhcp"]).mac;
  assert.deepEqual(Array.from(a), Array.from(b));
  assert.notDeepEqual(Array.from(a), Array.from(c));
  assert.equal(a[0], 0x02, "locally administered, unicast");
});

test("a fresh clone (no build/): the command says what to run instead of a stack trace", async () => {
  const { mkdtempSync, cpSync, rmSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(resolve(tmpdir(), "synack-fresh-"));
  try {
    cpSync(resolve(PACKAGE_ROOT, "bin"), resolve(dir, "bin"), { recursive: true });
    writeFileSync(resolve(dir, "package.json"), JSON.stringify({ type: "module" }));
    const r = spawnSync(process.execPath, [resolve(dir, "bin/synack.js"), "serve", "--tap", "tap0"], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^synack: not built yet .*run `npm run build`/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("pcap timestamps carry microseconds", async () => {
  const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { PcapWriter } = await import("../../host/link/pcap.js");
  const dir = mkdtempSync(resolve(tmpdir(), "synack-pcap-"));
  try {
    const w = new PcapWriter(resolve(dir, "t.pcap"));
    for (let i = 0; i < 50; i++) { const t0 = performance.now(); while (performance.now() - t0 < 0.05); w.write(new Uint8Array(60)); }
    w.close();
    const b = readFileSync(resolve(dir, "t.pcap"));
    const micros: number[] = [];
    for (let off = 24; off < b.length; off += 16 + 60) micros.push(b.readUInt32LE(off + 4));
    assert.equal(micros.length, 50);
    assert.ok(micros.some((u) => u % 1000 !== 0), `sub-millisecond digits: ${micros.slice(0, 5)}`);
    assert.ok(micros.every((u) => u < 1_000_000));
  } finally { rmSync(dir, { recursive: true, force: true }); }
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
