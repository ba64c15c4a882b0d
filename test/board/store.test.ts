// The code store on the native board (boards/common/prepared.c, boards/native/store.c): the whole
// module compiled once into the store at start-up and run from there, bytes intact and no compiled
// code in the heap; --no-store (synack serve's flag, passed to the firmware) compiles into the heap
// instead; a store too small for the module is said so and the board serves from the heap; and a
// store kept in a file (--store FILE) is found by the next run of the same firmware, or prepared
// again when its code was corrupted, or stale at other addresses. The store flags' errors need only
// the built board; the rest needs root (namespaces, TAP).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readFileSync, readSync, writeSync, closeSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { NATIVE_BOARD } from "../../host/engine/board.js";
import { isRoot, createNetns, Netns, STACK_IP, PREFIX } from "../../host/link/netns.js";
import { serveInNetns, Served } from "../lib/served.js";
import { definedFunctions } from "../lib/functions.js";

const skip = !isRoot() ? "needs root" : !existsSync(NATIVE_BOARD) ? "build/synack-native not built (npm run build)" : false;
const FUNCTIONS = skip ? 0 : definedFunctions(resolve(PACKAGE_ROOT, "build/synack.wasm"));
const IN_STORE = /(\d+) functions run from the code store \((\d+) bytes(, compiled into it at this start)?\)/;

/** 20 KB through echo (port 7) come back intact. */
async function echoIntact(ns: Netns): Promise<void> {
  const data = randomBytes(20_000);
  const r = await ns.run("nc", ["-N", "-w", "10", STACK_IP, "7"], data, 30_000);
  assert.equal(r.stdout.length, data.length, r.stderr);
  assert.ok(r.stdout.equals(data), "the echo's bytes");
}

/** The status page, whole (curl checks its framing; exit 0). */
async function pageWhole(ns: Netns): Promise<void> {
  const r = await ns.run("curl", ["-s", "-m", "20", `http://${STACK_IP}/`], undefined, 30_000);
  assert.equal(r.code, 0, `curl: ${r.stderr}`);
  assert.match(r.stdout.toString(), /^<!doctype html>[^]*<\/html>\n$/);
}

/** The firmware's heap figures (--verbose): after start, and on leaving (bytes since before wasm3 started). */
function heap(log: string): { start: number; exit: number } {
  const start = /wasm3 heap (\d+) bytes/.exec(log), exit = /heap in use (\d+) bytes since before wasm3 started/.exec(log);
  assert.ok(start && exit, `the heap lines:\n${log}`);
  return { start: Number(start[1]), exit: Number(exit[1]) };
}

// Each serve's log is read once it has stopped: the board's lines reach synack serve's stderr on
// a pipe of their own, after its ready line or before.
let storeLog = "";

describe("synack serve --board native: the module runs from the code store", { skip }, () => {
  let s: Served;
  before(async () => { s = await serveInNetns("native", ["--verbose"]); });
  after(async () => { await s?.stop(); storeLog = s?.log() ?? ""; });

  test("echo and the status page come back intact", async () => {
    await echoIntact(s.ns);
    await pageWhole(s.ns);
  });

  test("the log says every function the module defines runs from the code store, compiled into it at this start", async () => {
    await s.stop();
    const m = IN_STORE.exec(s.log());
    assert.ok(m, s.log());
    assert.equal(Number(m[1]), FUNCTIONS);
    assert.ok(m[3], "compiled at this start: the store is blank at every start");
  });

  test("the code run while serving took no heap: at exit it is within 16 KB of what it was after start", () => {
    const h = heap(s.log());
    assert.ok(h.exit - h.start < 16_384, `heap ${h.start} bytes after start, ${h.exit} at exit`);
  });
});

describe("synack serve --board native --no-store: code compiled into the heap as it runs", { skip }, () => {
  let s: Served;
  before(async () => { s = await serveInNetns("native", ["--verbose", "--no-store"]); });
  after(async () => { await s?.stop(); });

  test("echo and the status page come back intact", async () => {
    await echoIntact(s.ns);
    await pageWhole(s.ns);
  });

  test("the log names no code store", async () => {
    await s.stop();
    assert.match(s.log(), /heap in use/, "the firmware's log, to its last line");
    assert.doesNotMatch(s.log(), /code store/);
  });

  test("the heap at exit holds compiled code: 32 KB more than with the store after the same exchange", () => {
    const withStore = heap(storeLog).exit, without = heap(s.log()).exit;
    assert.ok(without - withStore >= 32_768, `heap at exit: ${withStore} bytes with the store, ${without} without`);
  });
});

for (const [args, why] of [
  [["--store", "/nonexistent/store"], "--store /nonexistent/store: No such file or directory"],
  [["--store-bytes", "0"], "bad --store-bytes: 0"],
  [["--store-bytes", "4k"], "bad --store-bytes: 4k"],
] as [string[], string][]) {
  test(`the native board refuses ${args.join(" ")} in one line, exit 2`, { skip: existsSync(NATIVE_BOARD) ? false : "npm run build first" }, () => {
    const r = spawnSync(NATIVE_BOARD, ["--tap", "unused0", "--ip", `${STACK_IP}/${PREFIX}`, ...args], { encoding: "utf8", timeout: 10_000 });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `synack-native: ${why}\n`);
  });
}

/** The firmware run by itself in ns (its own loop and the example service), until stop(). */
interface Run { log(): string; stop(): Promise<void> }
async function board(ns: Netns, args: string[], fixedAddresses = false): Promise<Run> {
  const cmd = [...(fixedAddresses ? ["setarch", "-R"] : []), NATIVE_BOARD, "--tap", ns.tap, "--ip", `${STACK_IP}/${PREFIX}`, "--verbose", ...args];
  const child: ChildProcess = ns.spawn(cmd[0], cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let err = "";
  child.stderr!.on("data", (d) => { err += d; });
  const closed = new Promise((r) => child.once("close", r));
  const stop = async () => {
    try { process.kill(-child.pid!, "SIGTERM"); } catch { /* gone */ }
    await closed;
  };
  try {
    await new Promise<void>((res, rej) => {
      let out = "";
      const timer = setTimeout(() => rej(new Error(`no ready line: ${err}`)), 15_000);
      child.stdout!.on("data", (d) => { out += d; if (out.includes("serving")) { clearTimeout(timer); res(); } });
      child.once("exit", (code) => { clearTimeout(timer); rej(new Error(`the board exited ${code}: ${err}`)); });
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { log: () => err, stop };
}

/** Run the board with args, check its echo, stop it: its log. */
async function serveOnce(ns: Netns, args: string[], fixedAddresses = false): Promise<string> {
  const b = await board(ns, args, fixedAddresses);
  try { await echoIntact(ns); } finally { await b.stop(); }
  return b.log();
}

describe("the native board with a code store too small for the module (--store-bytes)", { skip }, () => {
  let ns: Netns;
  before(() => { ns = createNetns("ss"); });
  after(() => ns?.destroy());

  test("it says how many bytes the code needs and how many the store has, and serves intact bytes from the heap", async () => {
    const log = await serveOnce(ns, ["--store-bytes", "65536"]);
    const m = /the module's code needs (\d+) bytes, the store has 65536/.exec(log);
    assert.ok(m, log);
    assert.ok(Number(m[1]) > 65536);
    assert.doesNotMatch(log, IN_STORE);
  });
});

// The same binary loaded at the same place with the same heap (setarch -R: no address
// randomization) finds its code where the store's code points: the store is installed as it is.
const fixed = spawnSync("setarch", ["-R", "true"]).status === 0;
describe("the native board's code store in a file (--store FILE, under setarch -R)", { skip: skip || (fixed ? false : "setarch -R does not run here") }, () => {
  let ns: Netns;
  const dir = mkdtempSync(join(tmpdir(), "synack-store-"));
  const file = join(dir, "store");
  before(() => { ns = createNetns("sf"); });
  after(() => { ns?.destroy(); rmSync(dir, { recursive: true, force: true }); });

  test("the first run compiles the module into the file", async () => {
    const m = IN_STORE.exec(await serveOnce(ns, ["--store", file], true));
    assert.ok(m && m[3], "compiled into it at this start");
    assert.equal(Number(m[1]), FUNCTIONS);
  });

  test("the next run finds it and compiles nothing; echo intact from it", async () => {
    const log = await serveOnce(ns, ["--store", file], true);
    const m = IN_STORE.exec(log);
    assert.ok(m, log);
    assert.equal(m[3], undefined, "found, not compiled");
  });

  test("a byte of its code flipped: the sum finds it, the store is prepared again, echo intact", async () => {
    const fd = openSync(file, "r+");
    const header = Buffer.alloc(36); // prepared.c store_header: nine words, `bytes` the eighth
    readSync(fd, header, 0, 36, 0);
    const at = Math.floor(header.readUInt32LE(28) / 2); // past the header and the table: code
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] ^= 0x10;
    writeSync(fd, b, 0, 1, at);
    closeSync(fd);
    const m = IN_STORE.exec(await serveOnce(ns, ["--store", file], true));
    assert.ok(m && m[3], "compiled into it again at this start");
  });

  const randomized = existsSync("/proc/sys/kernel/randomize_va_space") && readFileSync("/proc/sys/kernel/randomize_va_space", "utf8").trim() !== "0";
  test("a run at other addresses (randomized) finds it stale, prepares it again, echo intact", { skip: randomized ? false : "address randomization is off here" }, async () => {
    const m = IN_STORE.exec(await serveOnce(ns, ["--store", file]));
    assert.ok(m && m[3], "compiled into it again at this start");
  });
});
