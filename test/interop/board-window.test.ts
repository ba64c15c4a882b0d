// The native board asked for a 64 KiB window: the firmware offers only what the W5500's 16 KB of
// RX memory can hold, so a fast upload from Linux never overruns the chip. Needs root.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { isRoot, createNetns, STACK_IP, PREFIX } from "../../host/link/netns.js";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";

test("native board with --rx-ring 65535: the window is capped to the chip's memory, no frame dropped there", { skip, timeout: 120_000 }, async () => {
  const ns = createNetns("bw");
  try {
    const board = ns.spawn(resolve(PACKAGE_ROOT, "build/synack-native"),
      ["--tap", ns.tap, "--ip", `${STACK_IP}/${PREFIX}`, "--rx-ring", "65535", "--verbose"], { stdio: ["ignore", "pipe", "pipe"], detached: true });
    let err = "";
    board.stderr!.on("data", (d) => { err += d; });
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`no ready line: ${err}`)), 15_000);
      board.stdout!.on("data", (d) => { if (String(d).includes("serving")) { clearTimeout(t); res(); } });
    });
    const up = await ns.run("sh", ["-c", `head -c 8000000 /dev/zero | nc -N ${STACK_IP} 9`], undefined, 90_000);
    assert.equal(up.code, 0, "the upload completed");
    const gone = new Promise((r) => board.once("exit", r));
    process.kill(-board.pid!, "SIGTERM");
    await gone;
    assert.match(err, /receive ring 65535 is more than the chip can hold; using 7168/);
    const dropped = Number(/chip dropped (\d+) \(ring full\)/.exec(err)?.[1] ?? -1);
    assert.equal(dropped, 0, "no frame dropped by the chip for want of room");
  } finally {
    ns.destroy();
  }
});
