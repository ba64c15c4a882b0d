// synack gets its address from a real DHCP server (dnsmasq) in a namespace, then serves netcat.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { readFileSync, rmSync } from "node:fs";
import { isRoot, createNetns } from "../../host/link/netns.js";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { ENGINES, WINDOWED_ENGINES } from "../lib/served.js";
import { openStack } from "../../host/index.js";
import { macForTap } from "../../host/link/addr.js";
import { macToString } from "../../host/link/wire.js";
import { startDnsmasq } from "../lib/dnsmasq.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";

for (const engine of [...ENGINES, ...WINDOWED_ENGINES]) test(`synack serve --dhcp (${engine}): leased from dnsmasq on the first DISCOVER under its name, then echo works at the leased address`, { skip }, async (t) => {
  const ns = createNetns("d");
  const lease = `/tmp/synack-dnsmasq-${process.pid}.leases`;
  const dnsmasq = ns.spawn("dnsmasq", ["--no-daemon", "--conf-file=/dev/null", "--interface=tap0", "--bind-interfaces",
    "--port=0", "--dhcp-range=10.77.0.50,10.77.0.99,255.255.255.0,1h", `--dhcp-leasefile=${lease}`,
    "--dhcp-authoritative", "--no-ping", "--user=root", "--log-dhcp", "--log-facility=-"], { stdio: ["ignore", "ignore", "pipe"] });
  let served = "";
  dnsmasq.stderr!.on("data", (d) => { served += d; });
  const t0 = performance.now();
  const serve = ns.spawn(process.execPath, [resolve(PACKAGE_ROOT, "bin/synack.js"), "serve", "--tap", "tap0", "--dhcp", "--name", `lab-${engine}`, ...(engine !== "v8" ? ["--board", engine] : [])],
    { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const ready = await new Promise<string>((res, rej) => {
      let out = "", err = "";
      const timer = setTimeout(() => rej(new Error(`no ready line: ${out} ${err}`)), 30_000);
      serve.stdout!.on("data", (d) => { out += d; if (out.includes("\n")) { clearTimeout(timer); res(out); } });
      serve.stderr!.on("data", (d) => { err += d; });
    });
    t.diagnostic(`ready ${Math.round(performance.now() - t0)} ms after start (not asserted)`);
    // The first DISCOVER was on the wire: one was enough (a lost one meant a second, 4 s later).
    assert.equal(served.match(/DHCPDISCOVER\(tap0\)/g)?.length, 1, served);
    const m = /serving (10\.77\.0\.(\d+))\/24 on tap0 .*dhcp/.exec(ready);
    assert.ok(m, ready);
    const n = Number(m[2]);
    assert.ok(n >= 50 && n <= 99, `leased from the pool: ${m[1]}`);
    const r = await ns.run("nc", ["-N", m[1], "7"], "leased and serving\n", 20_000);
    assert.equal(r.stdout.toString(), "leased and serving\n");
    // The server's lease table names the board (DHCP option 12, the mDNS name): "expiry mac ip name id".
    assert.match(readFileSync(lease, "utf8"), new RegExp(`^\\d+ \\S+ ${m[1].replace(/\./g, "\\.")} lab-${engine} `, "m"));
  } finally {
    serve.kill("SIGTERM");
    dnsmasq.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    ns.destroy();
    rmSync(lease, { force: true });
  }
});

test("openStack({ dhcp: true }) takes the same MAC for the same TAP each run (as synack serve), so the same lease", { skip }, async () => {
  const ns = createNetns("dm");
  const dnsmasq = startDnsmasq(ns, ["--port=0", "--no-ping", "--dhcp-range=10.77.0.50,10.77.0.99,255.255.255.0,1h"]);
  try {
    const runs: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const net = await openStack({ tap: ns.tap, netns: ns.name, dhcp: true, dhcpTimeout: 20_000 });
      runs.push([net.address, macToString(net.engine.mac)]);
      await net.close();
    }
    assert.deepEqual(runs[0], runs[1]);
    assert.equal(runs[0][1], macToString(macForTap(ns.tap)));
  } finally {
    await dnsmasq.stop();
    ns.destroy();
  }
});
