// The mDNS responder (RFC 6762): probing and announcing on start and on a new DHCP lease,
// answers to multicast, QU and legacy unicast queries, a conflict renames; then against Linux.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { Stack, ManualClock } from "../../host/engine/stack.js";
import { SERVICES } from "../../host/engine/abi.js";
import { fixChecksums, internetSum } from "../../host/link/wire.js";
import { isRoot, STACK_IP, LINUX_IP } from "../../host/link/netns.js";
import { serveInNetns, Served, ENGINES } from "../lib/served.js";
import { arpFrame } from "../lib/harness.js";

const GROUP = 0xe00000fb;
const PEER = 0x0a4d0001;
const PEER_MAC = [2, 0, 0, 0, 0, 1];

/** DNS name to wire labels. */
const labels = (n: string) => [...n.split(".").flatMap((l) => [l.length, ...Buffer.from(l)]), 0];

/** A query (or response) from the peer as an Ethernet frame. */
function dnsFrame(o: { sport: number; dst?: number; id?: number; flags?: number; q?: { name: string; type: number; cls: number }[];
                       an?: { name: string; ip: number }[] }): Uint8Array {
  const body: number[] = [];
  const h = [(o.id ?? 0) >> 8, (o.id ?? 0) & 255, (o.flags ?? 0) >> 8, (o.flags ?? 0) & 255, 0, (o.q ?? []).length, 0, (o.an ?? []).length, 0, 0, 0, 0];
  body.push(...h);
  for (const q of o.q ?? []) body.push(...labels(q.name), 0, q.type, q.cls >> 8, q.cls & 255);
  for (const a of o.an ?? []) body.push(...labels(a.name), 0, 1, 0x80, 1, 0, 0, 0, 120, 0, 4, a.ip >>> 24, (a.ip >> 16) & 255, (a.ip >> 8) & 255, a.ip & 255);
  const dst = o.dst ?? GROUP;
  const f = new Uint8Array(42 + body.length);
  const v = new DataView(f.buffer);
  if (dst === GROUP) f.set([1, 0, 0x5e, 0, 0, 0xfb], 0); else f.set([0x02, 0x53, 0x4b, 0x4d, 0, 2], 0);
  f.set(PEER_MAC, 6); v.setUint16(12, 0x0800);
  f[14] = 0x45; v.setUint16(16, 28 + body.length); f[22] = 255; f[23] = 17;
  v.setUint32(26, PEER); v.setUint32(30, dst);
  v.setUint16(34, o.sport); v.setUint16(36, 5353); v.setUint16(38, 8 + body.length);
  f.set(body, 42);
  fixChecksums(f);
  return f;
}

interface Dns { dstIp: number; dstMac: string; ttl: number; dport: number; id: number; flags: number; qd: number; an: number; ns: number; aTtl: number; aIp: number; name: string }

/** The mDNS message in a frame the module sent, or null. */
function parseDns(f: Uint8Array): Dns | null {
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  if (f.length < 54 || v.getUint16(12) !== 0x0800 || f[23] !== 17 || v.getUint16(34) !== 5353) return null;
  assert.equal(internetSum(f, 14, 34), 0xffff);
  const d = 42;
  const r: Dns = { dstIp: v.getUint32(30), dstMac: Buffer.from(f.subarray(0, 6)).toString("hex"), ttl: f[22], dport: v.getUint16(36),
    id: v.getUint16(d), flags: v.getUint16(d + 2), qd: v.getUint16(d + 4), an: v.getUint16(d + 6), ns: v.getUint16(d + 8), aTtl: 0, aIp: 0, name: "" };
  let o = d + 12;
  const readName = () => { const parts: string[] = []; while (f[o] !== 0) { parts.push(Buffer.from(f.subarray(o + 1, o + 1 + f[o])).toString()); o += 1 + f[o]; } o++; return parts.join("."); };
  for (let i = 0; i < r.qd; i++) { r.name = readName(); o += 4; }
  if (r.an + r.ns > 0) { r.name = readName(); r.aTtl = v.getUint32(o + 4); r.aIp = v.getUint32(o + 10); }
  return r;
}

function responder(opts: { name?: string; ip?: number } = {}) {
  const clock = new ManualClock();
  const out: Uint8Array[] = [];
  const logs: string[] = [];
  const s = new Stack({ ip: opts.ip ?? 0x0a4d0002, prefixLen: 24, clock, services: SERVICES.mdns, name: opts.name,
    mac: Uint8Array.from([0x02, 0x53, 0x4b, 0x4d, 0, 2]), onSend: (f) => out.push(f), onLog: (l) => logs.push(l), random: () => 100 });
  const sent = () => { const r: Dns[] = []; for (let f = out.shift(); f; f = out.shift()) { const m = parseDns(f); if (m) r.push(m); } return r; };
  const run = (ms: number, step = 10) => { for (let t = 0; t < ms; t += step) { clock.advance(step); s.poll(); } };
  return { s, clock, sent, run, logs };
}

test("start: three probes 250 ms apart, then two announcements 1 s apart, multicast with TTL 255", () => {
  const r = responder();
  r.s.poll();
  r.run(3000);
  const m = r.sent();
  assert.equal(m.length, 5, JSON.stringify(m));
  for (const x of m) {
    assert.equal(x.dstIp, GROUP); assert.equal(x.dstMac, "01005e0000fb"); assert.equal(x.ttl, 255); assert.equal(x.dport, 5353);
    assert.equal(x.name, "synack.local");
  }
  assert.ok(m.slice(0, 3).every((x) => x.flags === 0 && x.qd === 1 && x.ns === 1 && x.aIp === 0x0a4d0002), "probes");
  assert.ok(m.slice(3).every((x) => x.flags === 0x8400 && x.an === 1 && x.aIp === 0x0a4d0002 && x.aTtl === 120), "announcements");
  assert.ok(r.logs.some((l) => l === "mdns announced synack.local 10.77.0.2"), r.logs.join("\n"));
});

test("answers: multicast query on the group, QU unicast, legacy unicast with ID and question; other names ignored", () => {
  const r = responder({ name: "board7" });
  r.s.poll(); r.run(3000); r.sent();
  r.s.receive(arpFrame({ op: 1 })); // the peer's MAC is known: unicast answers go out at once
  r.s.receive(dnsFrame({ sport: 5353, q: [{ name: "board7.local", type: 1, cls: 1 }] }));
  let m = r.sent();
  assert.equal(m.length, 1); assert.equal(m[0].dstIp, GROUP); assert.equal(m[0].aIp, 0x0a4d0002); assert.equal(m[0].name, "board7.local");
  r.s.receive(dnsFrame({ sport: 5353, q: [{ name: "BOARD7.local", type: 255, cls: 0x8001 }] }));
  m = r.sent();
  assert.equal(m.length, 1); assert.equal(m[0].dstIp, PEER, "QU: unicast");
  r.s.receive(dnsFrame({ sport: 40000, id: 0x1234, q: [{ name: "board7.local", type: 1, cls: 1 }] }));
  m = r.sent();
  assert.equal(m.length, 1);
  assert.deepEqual([m[0].dstIp, m[0].dport, m[0].id, m[0].qd, m[0].an, m[0].aTtl, m[0].aIp], [PEER, 40000, 0x1234, 1, 1, 10, 0x0a4d0002],
    "legacy unicast: to the asker's port, its ID and question echoed, TTL 10");
  r.s.receive(dnsFrame({ sport: 5353, q: [{ name: "other.local", type: 1, cls: 1 }] }));
  r.s.receive(dnsFrame({ sport: 5353, q: [{ name: "board7.local", type: 28, cls: 1 }] })); // AAAA: we have none
  assert.equal(r.sent().length, 0);
});

test("a conflicting answer for our name: we take synack-2.local and probe again", () => {
  const r = responder();
  r.s.poll(); r.run(3000); r.sent();
  r.s.receive(dnsFrame({ sport: 5353, flags: 0x8400, an: [{ name: "synack.local", ip: 0x0a4d0009 }] }));
  r.run(3000);
  const m = r.sent();
  assert.equal(m.length, 5);
  assert.ok(m.every((x) => x.name === "synack-2.local"), m.map((x) => x.name).join());
  assert.ok(r.logs.some((l) => l.startsWith("mdns conflict for synack.local")));
});

test("a new address (DHCP lease): probing and announcing again for it", () => {
  const r = responder({ ip: 0 });
  r.s.poll(); r.run(1000);
  assert.equal(r.sent().length, 0, "no address, no mDNS");
  // Lease 10.77.0.66 from a scripted server.
  const leased = leaseFromScriptedServer(r);
  assert.equal(leased, 0x0a4d0042);
  r.run(3000);
  const m = r.sent();
  assert.equal(m.length, 5);
  assert.ok(m.every((x) => x.aIp === 0x0a4d0042));
});

/** Drive the module's DHCP client to a lease of 10.77.0.66 with a scripted server's OFFER and ACK. */
function leaseFromScriptedServer(r: ReturnType<typeof responder>): number {
  let xid = -1;
  const reply = (type: number) => {
    const opts = [53, 1, type, 54, 4, 10, 77, 0, 1, 51, 4, 0, 0, 14, 16, 1, 4, 255, 255, 255, 0, 255];
    const d = new Uint8Array(240 + opts.length);
    const dv = new DataView(d.buffer);
    d[0] = 2; d[1] = 1; d[2] = 6; dv.setUint32(4, xid); dv.setUint32(16, 0x0a4d0042);
    d.set([0x02, 0x53, 0x4b, 0x4d, 0, 2], 28); dv.setUint32(236, 0x63825363); d.set(opts, 240);
    const f = new Uint8Array(42 + d.length);
    const v = new DataView(f.buffer);
    f.fill(0xff, 0, 6); f.set(PEER_MAC, 6); v.setUint16(12, 0x0800);
    f[14] = 0x45; v.setUint16(16, 28 + d.length); f[22] = 64; f[23] = 17;
    v.setUint32(26, PEER); v.setUint32(30, 0xffffffff);
    v.setUint16(34, 67); v.setUint16(36, 68); v.setUint16(38, 8 + d.length);
    f.set(d, 42);
    fixChecksums(f);
    return f;
  };
  // The DISCOVER's xid is at UDP payload offset 4.
  r.s.onSend = (f) => { if (f.length > 42 + 8 && f[23] === 17 && ((f[36] << 8) | f[37]) === 67) xid = new DataView(f.buffer, f.byteOffset).getUint32(46); };
  r.run(5000, 100); // a retransmitted DISCOVER tells us the xid
  assert.ok(xid !== -1, "a DISCOVER");
  r.s.receive(reply(2));
  r.s.receive(reply(5));
  const kept: Uint8Array[] = [];
  r.s.onSend = (f) => kept.push(f);
  r.sent = () => { const m: Dns[] = []; for (let f = kept.shift(); f; f = kept.shift()) { const d = parseDns(f); if (d) m.push(d); } return m; };
  return r.s.address();
}

for (const engine of ENGINES) {
  describe(`mDNS against Linux (${engine})`, { skip: isRoot() ? false : "needs root" }, () => {
    let s: Served;
    before(async () => { s = await serveInNetns(engine, ["--name", "board7"]); });
    after(async () => { await s?.stop(); });

    const query = (name: string, fromPort: number) => s.ns.run("python3", ["-c", [
      "import socket, struct, sys",
      "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)",
      "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
      `s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("${LINUX_IP}"))`,
      `s.bind(("0.0.0.0", ${fromPort}))`,
      `s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton("224.0.0.251")+socket.inet_aton("${LINUX_IP}"))`,
      "s.settimeout(3)",
      `q=struct.pack(">HHHHHH",0x4242,0,1,0,0,0)+b"".join(bytes([len(l)])+l.encode() for l in "${name}".split("."))+b"\\0"+struct.pack(">HH",1,1)`,
      "for attempt in range(3):",
      "  s.sendto(q, ('224.0.0.251', 5353))",
      "  try:",
      "    while True:",
      "      d,a=s.recvfrom(2000)",
      "      if a[0]==socket.gethostbyname('localhost') or d[2]&0x80==0: continue",
      "      print(a[0], socket.inet_ntoa(d[-4:]), struct.unpack('>H',d[:2])[0]); sys.exit(0)",
      "  except socket.timeout: pass",
      "print('no answer')",
    ].join("\n")], undefined, 20_000);

    test("a legacy unicast query (python3, ephemeral port) for board7.local gets its A record back", async () => {
      const r = await query("board7.local", 0);
      assert.equal(r.stdout.toString(), `${STACK_IP} ${STACK_IP} ${0x4242}\n`, r.stderr);
    });

    test("a query from port 5353 is answered on the multicast group", async () => {
      const r = await query("board7.local", 5353);
      assert.equal(r.stdout.toString(), `${STACK_IP} ${STACK_IP} 0\n`, r.stderr);
    });

    test("then `nc board7.local 7`: the name resolved by mDNS reaches the echo service", async () => {
      const q = await query("board7.local", 0);
      const ip = q.stdout.toString().split(" ")[1];
      const r = await s.ns.run("nc", ["-N", ip, "7"], "found by name\n", 10_000);
      assert.equal(r.stdout.toString(), "found by name\n");
    });
  });
}
