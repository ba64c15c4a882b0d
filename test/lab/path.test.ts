// The lossy path (lab/path.ts) really loses segments: what the router's forward chain drops
// is gone on the wire, so the sending kernel retransmits (a drop in the sender's own output hook is
// a local send failure it just retries: no retransmission).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { isRoot, Netns } from "../../host/link/netns.js";
import { behindRouter } from "../../lab/path.js";
import { CLIENT, start } from "../../lab/bench/engines.js";

const skip = isRoot() ? false : "needs root to create network namespaces";

/** The namespace's TCP RetransSegs since it was made (from /proc/net/snmp inside it). */
function retrans(ns: Netns): number {
  const lines = execFileSync("ip", ["netns", "exec", ns.name, "cat", "/proc/net/snmp"], { encoding: "utf8" }).split("\n").filter((l) => l.startsWith("Tcp:"));
  const [head, vals] = lines.map((l) => l.trim().split(/\s+/));
  return Number(vals[head.indexOf("RetransSegs")]);
}

const namespaces = () => execFileSync("ip", ["netns", "list"], { encoding: "utf8" });

test("path loss, both ways, against the Linux kernel: what the router drops is resent by the sender; every byte arrives; namespaces gone", { skip, timeout: 60_000 }, async () => {
  const s = await start("linux");
  const made: string[] = [s.client.name, s.kernelIf!.ns.name];
  try {
    const path = behindRouter({ router: s.client, routerIf: s.clientIf, host: s.host, kernelIf: s.kernelIf });
    made.push(path.client.name);
    try {
      const bytes = 256 << 10; // ~180 segments: at 10 % none dropped has odds of about 1e-8
      for (const [dir, port, sender] of [["upload", "9", path.client], ["download", "19", s.kernelIf!.ns]] as const) {
        const r0 = retrans(sender);
        path.lossOn(100, dir);
        const r = await path.client.run("python3", [CLIENT, dir, s.host, port, String(bytes), "20"], undefined, 40_000);
        const dropped = path.lossOff();
        const got = JSON.parse(r.stdout.toString().trim().split("\n").pop() || "{}");
        assert.equal(got.bytes, bytes, `${dir}: ${r.stdout}${r.stderr}`);
        assert.ok(!got.partial, `${dir} was cut at its bound`);
        assert.ok(dropped > 0, `${dir}: the router dropped nothing`);
        // Upload: every dropped segment had to be sent again. Download: chargen runs on until the
        // client closes, so a segment dropped after the client's last byte is never resent.
        const resent = retrans(sender) - r0;
        assert.ok(dir === "upload" ? resent >= dropped : resent > 0, `${dir}: ${dropped} dropped, ${resent} retransmitted`);
      }
    } finally {
      path.destroy();
    }
    assert.ok(!namespaces().includes(path.client.name), "the client's namespace was left behind");
  } finally {
    await s.stop();
  }
  for (const n of made) assert.ok(!namespaces().includes(n), `${n} was left behind`);
});
