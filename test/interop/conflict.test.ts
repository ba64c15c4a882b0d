// RFC 5227 against a real conflicting host: Linux holds 10.77.0.1 on tap0. A synack configured
// with that address logs the conflict with Linux's MAC; a synack leasing an address that Linux
// also holds declines it to dnsmasq and takes another. On V8, the native board and the emulated one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isRoot, createNetns, LINUX_IP, Netns } from "../../host/link/netns.js";
import { openStack, NetStack } from "../../host/index.js";
import { startDnsmasq } from "../lib/dnsmasq.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const tapMac = (ns: Netns) => /link\/ether ([0-9a-f:]{17})/.exec(ns.execSync("ip", ["link", "show", ns.tap]))![1];

/** Wait until a log line matches re (or ms pass); the match or null. */
async function logged(logs: string[], re: RegExp, ms: number): Promise<RegExpExecArray | null> {
  for (let t = 0; t < ms; t += 50) {
    for (const l of logs) { const m = re.exec(l); if (m) return m; }
    await sleep(50);
  }
  return null;
}

for (const board of ["v8", "native", "xtensa"] as const) test(`a configured address Linux holds too: the conflict is logged with Linux's MAC (${board})`, { skip }, async () => {
  const ns = createNetns("ac");
  const logs: string[] = [];
  let net: NetStack | undefined;
  try {
    net = await openStack({ board, tap: ns.tap, netns: ns.name, ip: `${LINUX_IP}/24`, onLog: (l) => logs.push(l) });
    const m = await logged(logs, /^address 10\.77\.0\.1 in use by ([0-9a-f:]{17})$/, 6000);
    assert.ok(m, logs.join("\n"));
    assert.equal(m[1], tapMac(ns));
    assert.match(net.statsText(), /arpConflicts\s+[1-9]/);
  } finally {
    await net?.close();
    ns.destroy();
  }
});

for (const board of ["v8", "native", "xtensa"] as const) test(`a lease Linux holds too: DHCPDECLINE, and dnsmasq's next address (${board})`, { skip }, async () => {
  const ns = createNetns("ad");
  ns.execSync("ip", ["addr", "add", "10.77.0.50/24", "dev", ns.tap]); // the conflicting host
  // Without dnsmasq's ping before an offer, .50 (the first of the two) is offered although in use.
  const dnsmasq = startDnsmasq(ns, ["--port=0", "--no-ping", "--dhcp-range=10.77.0.50,10.77.0.51,255.255.255.0,1h", "--dhcp-sequential-ip"]);
  const logs: string[] = [];
  let net: NetStack | undefined;
  try {
    net = await openStack({ board, tap: ns.tap, netns: ns.name, dhcp: true, dhcpTimeout: 20_000, onLog: (l) => logs.push(l) });
    // The first offer is the address in use (read from the log: on a loaded machine the board may
    // already have declined it by the time openStack's address wait looks).
    assert.ok(await logged(logs, /^dhcp bound 10\.77\.0\.50\//, 6000), logs.join("\n"));
    assert.ok(await logged(logs, /^dhcp declined 10\.77\.0\.50$/, 6000), logs.join("\n"));
    assert.ok(await logged(logs, /^dhcp bound 10\.77\.0\.51\//, 20_000), logs.join("\n"));
    assert.equal(net.address, "10.77.0.51");
  } finally {
    await net?.close();
    await dnsmasq.stop();
    ns.destroy();
  }
});
