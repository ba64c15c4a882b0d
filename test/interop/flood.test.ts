// A SYN flood (RFC 4987) over the TAP: 10,000 spoofed SYNs per second at the echo port while a
// real connection echoes 4 MiB, checked byte for byte. Needs root; skips otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, createHash } from "node:crypto";
import { resolve } from "node:path";
import { isRoot, STACK_IP } from "../../host/link/netns.js";
import { PACKAGE_ROOT, defaultMac } from "../../host/engine/stack.js";
import { parseIp, macToString } from "../../host/link/wire.js";
import { serveInNetns } from "../lib/served.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("SYN flood of 10,000/s: an established echo keeps flowing, intact; the backlog answers with cookies", { skip }, async () => {
  const s = await serveInNetns("v8");
  try {
    const mac = macToString(defaultMac(parseIp(STACK_IP)!));
    const flood = s.ns.run(resolve(PACKAGE_ROOT, "build/synflood"), ["tap0", mac, STACK_IP, "7", "10000", "4"], undefined, 30_000);
    await sleep(500);
    const data = randomBytes(4 << 20);
    const t0 = performance.now();
    const echo = await s.ns.run("nc", ["-N", STACK_IP, "7"], data, 120_000);
    const ms = performance.now() - t0;
    const f = await flood;
    assert.equal(f.code, 0, f.stderr);
    const [sent, secs] = f.stdout.toString().trim().split(" ").map(Number);
    assert.equal(sha(echo.stdout), sha(data), "the echo came back intact");
    const stats = await s.ns.run("nc", ["-N", STACK_IP, "23"], "stats\nquit\n", 20_000);
    const cookies = Number(/tcpSynCookiesSent\s+(\d+)/.exec(stats.stdout.toString())?.[1] ?? 0);
    console.log(`# flood: ${sent} SYNs in ${secs.toFixed(2)} s (${Math.round(sent / secs)}/s), ${cookies} cookies; ` +
      `echo of 4 MiB in ${ms.toFixed(0)} ms (${(2 * data.length / 1e6 / (ms / 1000)).toFixed(1)} MB/s both ways)`);
    assert.ok(sent / secs > 9000, `flood rate ${sent / secs}`);
    assert.ok(cookies > 1000, `cookies sent: ${cookies}`);
  } finally {
    await s.stop();
  }
});
