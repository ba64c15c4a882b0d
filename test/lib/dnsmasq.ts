// dnsmasq inside a test's namespace on its TAP, with a lease file of its own: start, then stop()
// (the process and its lease file gone).
import { rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import type { Netns } from "../../host/link/netns.js";

export function startDnsmasq(ns: Netns, args: string[]): { stop(): Promise<void> } {
  const lease = join(tmpdir(), `${ns.name}.leases`);
  const child = ns.spawn("dnsmasq", ["--no-daemon", "--conf-file=/dev/null", `--interface=${ns.tap}`, "--bind-interfaces",
    `--dhcp-leasefile=${lease}`, "--dhcp-authoritative", "--user=root", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  return {
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 200));
      rmSync(lease, { force: true });
    },
  };
}
