// Names through a real DNS server: dnsmasq leases an address and names itself as the DNS server
// (DHCP option 6); connect({ host: "peer.test" }) resolves through it and reaches a Linux
// listener, an unknown name fails with ENOTFOUND; on V8, the native board and the emulated one.
// And NAME.local answered by synack's own mDNS responder on another stack of the namespace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { isRoot, createNetns, LINUX_IP } from "../../host/link/netns.js";
import { openStack, NetStack } from "../../host/index.js";
import { startDnsmasq } from "../lib/dnsmasq.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const board of ["v8", "native", "xtensa"] as const) test(`connect({ host }) through dnsmasq's DNS, learnt by DHCP (${board})`, { skip }, async () => {
  const ns = createNetns("dn");
  const dnsmasq = startDnsmasq(ns, ["--no-resolv", "--no-hosts", "--local=/test/", `--host-record=peer.test,${LINUX_IP}`,
    "--dhcp-range=10.77.0.50,10.77.0.99,255.255.255.0,1h"]);
  let net: NetStack | undefined;
  try {
    const listener = ns.run("nc", ["-l", LINUX_IP, "9100"], "hello by name\n", 30_000);
    await sleep(300);
    net = await openStack({ board, tap: ns.tap, netns: ns.name, dhcp: true, dhcpTimeout: 20_000 });
    const s = net.connect({ host: "peer.test", port: 9100 });
    const [err, address, family, host] = await once(s, "lookup");
    assert.deepEqual([err, address, family, host], [null, LINUX_IP, 4, "peer.test"]);
    await once(s, "connect");
    assert.equal(s.remoteAddress, LINUX_IP);
    s.end("hi from synack\n");
    let got = "";
    s.on("data", (d: Buffer) => { got += d; });
    await once(s, "end");
    assert.equal(got, "hello by name\n");
    assert.equal((await listener).stdout.toString(), "hi from synack\n");
    const bad = net.connect({ host: "nobody.test", port: 9100 });
    const [e] = await once(bad, "error") as [NodeJS.ErrnoException & { hostname: string }];
    assert.deepEqual([e.code, e.syscall, e.hostname], ["ENOTFOUND", "getaddrinfo", "nobody.test"]);
  } finally {
    await net?.close();
    await dnsmasq.stop();
    ns.destroy();
  }
});

// NAME.local over a wire: a second synack (V8, services mDNS and echo) on tap1, bridged with the
// stack under test's tap0 by Linux (br0 holds Linux's address); the name is resolved by an RFC 6762
// one-shot query (repeated while the responder still probes its name) that the other synack's
// responder answers, and the connection reaches its echo.
for (const board of ["v8", "native", "xtensa"] as const) test(`connect({ host: "peer7.local" }) answered by another synack's mDNS responder over a bridge (${board})`, { skip }, async () => {
  const ns = createNetns("ml");
  let responder: NetStack | undefined, net: NetStack | undefined;
  try {
    for (const cmd of [["tuntap", "add", "dev", "tap1", "mode", "tap"], ["link", "add", "br0", "type", "bridge"],
      ["addr", "del", `${LINUX_IP}/24`, "dev", ns.tap], ["addr", "add", `${LINUX_IP}/24`, "dev", "br0"],
      ["link", "set", ns.tap, "master", "br0"], ["link", "set", "tap1", "master", "br0"],
      ["link", "set", "tap1", "up"], ["link", "set", "br0", "up"]]) ns.execSync("ip", cmd);
    responder = await openStack({ tap: "tap1", netns: ns.name, ip: "10.77.0.3/24", services: ["mdns", "echo"], name: "peer7" });
    net = await openStack({ board, tap: ns.tap, netns: ns.name, ip: "10.77.0.2/24" });
    const s = net.connect({ host: "peer7.local", port: 7 });
    const [err, address] = await once(s, "lookup");
    assert.deepEqual([err, address], [null, "10.77.0.3"]);
    await once(s, "connect");
    let got = "";
    s.on("data", (d: Buffer) => { got += d; });
    s.end("echo by mDNS\n");
    await once(s, "end");
    assert.equal(got, "echo by mDNS\n");
  } finally {
    await net?.close();
    await responder?.close();
    ns.destroy();
  }
});
