// The DHCP client against a scripted server: DISCOVER, OFFER, REQUEST, ACK; renewal; NAK.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Stack, ManualClock } from "../../host/engine/stack.js";
import { internetSum } from "../../host/link/wire.js";
import { arpFrame, PEER_MAC, PEER_IP } from "../lib/harness.js";

const MAC = Uint8Array.from([2, 0, 0, 0, 0, 9]);
const SERVER_MAC = PEER_MAC; // the scripted peer plays the DHCP server
const SERVER = PEER_IP;
const OFFERED = 0x0a4d0042;

interface Msg { type: number; xid: number; ciaddr: number; requested: number; server: number; dstIp: number; broadcastFlag: boolean; hostName?: string }

/** Parse a DHCP message the module sent (Ethernet/IPv4/UDP 68->67). */
function parse(f: Uint8Array): Msg | null {
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  if (f.length < 14 + 20 + 8 + 240 || v.getUint16(12) !== 0x0800 || f[23] !== 17) return null;
  if (v.getUint16(34) !== 68 || v.getUint16(36) !== 67) return null;
  assert.equal(internetSum(f, 14, 34), 0xffff, "IPv4 checksum");
  const d = 42;
  const m: Msg = { type: 0, xid: v.getUint32(d + 4), ciaddr: v.getUint32(d + 12), requested: 0, server: 0,
    dstIp: v.getUint32(30), broadcastFlag: (v.getUint16(d + 10) & 0x8000) !== 0 };
  for (let o = d + 240; o < f.length && f[o] !== 255;) {
    if (f[o] === 0) { o++; continue; }
    const len = f[o + 1];
    if (f[o] === 53) m.type = f[o + 2];
    if (f[o] === 50) m.requested = v.getUint32(o + 2);
    if (f[o] === 54) m.server = v.getUint32(o + 2);
    if (f[o] === 12) m.hostName = Buffer.from(f.subarray(o + 2, o + 2 + len)).toString("latin1");
    o += 2 + len;
  }
  return m;
}

/** A server reply (broadcast), with options type/server id/lease/mask/router. */
function reply(type: number, xid: number, yiaddr: number, lease = 3600): Uint8Array {
  const opts = [53, 1, type, 54, 4, 10, 77, 0, 1, 51, 4, lease >>> 24, (lease >>> 16) & 255, (lease >>> 8) & 255, lease & 255,
    1, 4, 255, 255, 255, 0, 3, 4, 10, 77, 0, 1, 255];
  const dhcp = new Uint8Array(240 + opts.length);
  const dv = new DataView(dhcp.buffer);
  dhcp[0] = 2; dhcp[1] = 1; dhcp[2] = 6; dv.setUint32(4, xid); dv.setUint32(16, yiaddr);
  dhcp.set(MAC, 28); dv.setUint32(236, 0x63825363); dhcp.set(opts, 240);
  const f = new Uint8Array(14 + 20 + 8 + dhcp.length);
  const v = new DataView(f.buffer);
  f.fill(0xff, 0, 6); f.set(SERVER_MAC, 6); v.setUint16(12, 0x0800);
  f[14] = 0x45; v.setUint16(16, 28 + dhcp.length); f[22] = 64; f[23] = 17;
  v.setUint32(26, SERVER); v.setUint32(30, 0xffffffff);
  v.setUint16(24, ~internetSum(f, 14, 34) & 0xffff);
  v.setUint16(34, 67); v.setUint16(36, 68); v.setUint16(38, 8 + dhcp.length);
  f.set(dhcp, 42);
  return f; // UDP checksum 0: none (RFC 768)
}

function client() {
  const clock = new ManualClock();
  clock.t = 5000;
  const out: Uint8Array[] = [];
  const logs: string[] = [];
  const s = new Stack({ ip: 0, prefixLen: 0, mac: MAC, clock, onSend: (f) => out.push(f), onLog: (l) => logs.push(l) });
  const next = () => { for (;;) { const f = out.shift(); if (!f) return null; const m = parse(f); if (m) return m; } };
  const advance = (ms: number) => { clock.advance(ms); s.poll(); };
  return { s, clock, next, advance, logs };
}

test("DHCP: DISCOVER, OFFER, REQUEST, ACK, and the leased address is ours", () => {
  const c = client();
  assert.equal(c.s.address(), 0);
  const d = c.next()!;
  assert.equal(d.type, 1);
  assert.equal(d.dstIp, 0xffffffff);
  assert.ok(d.broadcastFlag, "asks for broadcast replies");
  c.s.receive(reply(2, d.xid, OFFERED));
  const r = c.next()!;
  assert.equal(r.type, 3);
  assert.equal(r.requested, OFFERED);
  assert.equal(r.server, SERVER);
  assert.equal(c.s.address(), 0, "not ours before the ACK");
  c.s.receive(reply(5, d.xid, OFFERED));
  assert.equal(c.s.address(), OFFERED);
  assert.equal(c.s.prefixLen(), 24);
  assert.ok(c.logs.some((l) => l.startsWith("dhcp bound 10.77.0.66/24 router 10.77.0.1 lease 3600 s")), c.logs.join("\n"));
});

test("DHCP: every message names the host (option 12) as mDNS does: synack, then the name set", () => {
  const c = client();
  const d = c.next()!;
  assert.equal(d.hostName, "synack");
  c.s.setName("lab-board-7");
  c.s.receive(reply(2, d.xid, OFFERED));
  const r = c.next()!;
  assert.equal(r.type, 3);
  assert.equal(r.hostName, "lab-board-7");
});

test("DHCP: no answer means DISCOVER again after 4 s, 8 s ...", () => {
  const c = client();
  c.next();
  c.advance(3999);
  assert.equal(c.next(), null);
  c.advance(1);
  assert.equal(c.next()!.type, 1);
  c.advance(7999);
  assert.equal(c.next(), null);
  c.advance(1);
  assert.equal(c.next()!.type, 1);
});

test("DHCP: a reply with another transaction id is ignored", () => {
  const c = client();
  const d = c.next()!;
  c.s.receive(reply(2, d.xid ^ 1, OFFERED));
  assert.equal(c.next(), null);
  assert.equal(c.s.stats().dhcpDropMalformed, 1);
});

test("DHCP: renews at half the lease by unicast to the server; a NAK drops the address", () => {
  const c = client();
  const d = c.next()!;
  c.s.receive(reply(2, d.xid, OFFERED, 100));
  c.next();
  c.s.receive(reply(5, d.xid, OFFERED, 100));
  assert.equal(c.s.address(), OFFERED);
  c.s.receive(arpFrame({ op: 1, target: OFFERED })); // the server (the peer) asks for us, so we know its MAC for the unicast renewal
  c.advance(49_999);
  assert.equal(c.next(), null);
  c.advance(1);
  const ren = c.next()!;
  assert.equal(ren.type, 3);
  assert.equal(ren.ciaddr, OFFERED);
  assert.equal(ren.dstIp, SERVER, "renewal goes to the server");
  c.s.receive(reply(6, ren.xid, 0));
  assert.equal(c.s.address(), 0, "a NAK takes the address away");
  assert.equal(c.next()!.type, 1, "and the client starts over");
});

test("DHCP: the lease runs out without a renewal answer", () => {
  const c = client();
  const d = c.next()!;
  c.s.receive(reply(2, d.xid, OFFERED, 100));
  c.next();
  c.s.receive(reply(5, d.xid, OFFERED, 100));
  for (let t = 0; t < 100; t++) c.advance(1000);
  assert.equal(c.s.address(), 0);
});

test("DHCP: an offer of the server's own address (or any unusable one) is refused", () => {
  const c = client();
  const d = c.next()!;
  for (const bad of [SERVER, 0, 0xffffffff, 0x7f000001, 0xe0000001]) c.s.receive(reply(2, d.xid, bad));
  assert.equal(c.next(), null, "no REQUEST for any of them");
  assert.equal(c.s.stats().dhcpDropMalformed, 5);
  c.s.receive(reply(2, d.xid, OFFERED));
  assert.equal(c.next()!.type, 3);
});

test("settled(): 0 while the lease, the address's RFC 5227 probes and the mDNS announcements are pending, 1 once all are done", () => {
  const c = client();
  assert.equal(c.s.x.settled(), 0, "no address yet");
  const d = c.next()!;
  c.s.receive(reply(2, d.xid, OFFERED));
  c.next();
  c.s.receive(reply(5, d.xid, OFFERED));
  assert.equal(c.s.address(), OFFERED);
  c.advance(1);
  assert.equal(c.s.x.settled(), 0, "the mDNS name is being probed");
  let waited = 0;
  for (; waited < 10_000 && c.s.x.settled() === 0; waited += 50) c.advance(50);
  assert.equal(c.s.x.settled(), 1, "settled after probing and announcing");
  assert.ok(waited >= 5000, `three ARP probes 1-2 s apart, then two announcements 2 s apart, take time (${waited} ms)`);
  assert.ok(c.logs.some((l) => /^mdns announced/.test(l)), c.logs.join("\n"));
});

test("DHCP: the first DISCOVER reaches the link as the runner attaches (the clock never moves)", async () => {
  const { Runner } = await import("../../host/engine/runner.js");
  const { MemoryLink } = await import("../../host/api/memlink.js");
  const [ours, wire] = MemoryLink.pair();
  const seen: Msg[] = [];
  wire.onFrame = (f) => { const m = parse(f); if (m) seen.push(m); };
  const clock = new ManualClock();
  const s = new Stack({ ip: 0, prefixLen: 0, mac: MAC, clock });
  const runner = new Runner(s, ours).start();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  runner.stop();
  assert.equal(clock.now(), 0, "no retry timer could have run");
  assert.deepEqual(seen.map((m) => m.type), [1], "one DISCOVER");
});

test("DHCP: another host answers ARP for the leased address while we probe it: DHCPDECLINE, address dropped, DISCOVER after 10 s", () => {
  const c = client();
  const d = c.next()!;
  c.s.receive(reply(2, d.xid, OFFERED));
  c.next();
  c.s.receive(reply(5, d.xid, OFFERED));
  assert.equal(c.s.address(), OFFERED);
  const claim = arpFrame({ op: 2, target: OFFERED });
  claim.fill(0xff, 0, 6); // a gratuitous ARP, broadcast
  new DataView(claim.buffer).setUint32(28, OFFERED); // the peer says the address is its own
  c.advance(500);
  c.s.receive(claim);
  c.advance(0);
  const dec = c.next()!;
  assert.deepEqual([dec.type, dec.requested, dec.server, dec.ciaddr], [4, OFFERED, SERVER, 0]);
  assert.equal(c.s.address(), 0);
  assert.equal(c.s.stats().dhcpDeclines, 1);
  assert.ok(c.logs.includes("dhcp declined 10.77.0.66"), c.logs.join("\n"));
  c.advance(9999);
  assert.equal(c.next(), null);
  c.advance(1);
  assert.equal(c.next()!.type, 1, "DISCOVER again");
});
