// Hostile and broken input: every frame below is dropped, counted under its reason, and leaves
// an established connection exactly as it was (it still echoes afterwards).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer, tcpFrame, arpFrame, MODULE_IP } from "../lib/harness.js";
import { fixChecksums } from "../../host/link/wire.js";

/** A UDP datagram from the peer to the module's port, built on a TCP frame's headers. */
function udp(dport: number): Uint8Array {
  const f = base({ data: "hello" });
  const total = 20 + 8 + 5;
  const g = new Uint8Array(14 + total);
  g.set(f.subarray(0, 34));
  g[16] = 0; g[17] = total; g[23] = 17;
  g[34] = 0x9c; g[35] = 0x40; g[36] = dport >> 8; g[37] = dport & 255; g[38] = 0; g[39] = 13;
  g.set(new TextEncoder().encode("hello"), 42);
  fixChecksums(g);
  return g;
}

const base = (o: Partial<Parameters<typeof tcpFrame>[0]> = {}) =>
  tcpFrame({ sport: 40000, dport: 5000, seq: 1001, ack: 0, flags: "A", ...o });

type Case = [string, string, (p: Peer, c: { snd: number; rcv: number }) => Uint8Array];
const cases: Case[] = [
  ["truncated Ethernet header", "ethDropShort", () => new Uint8Array(10)],
  ["frame above the MTU", "ethDropTooLong", () => { const f = new Uint8Array(1515); f.set(base(), 0); return f; }],
  ["not our MAC", "ethDropNotForUs", () => { const f = base(); f[0] = 0x02; f[5] = 0x77; return f; }],
  ["unknown EtherType", "ethDropEthertype", () => { const f = base(); f[12] = 0x86; f[13] = 0xdd; return f; }],
  ["truncated IPv4 header", "ipDropShort", () => base().subarray(0, 14 + 12)],
  ["IPv4 version 6 in the header", "ipDropVersion", () => { const f = base(); f[14] = 0x65; fixChecksums(f); return f; }],
  ["IHL below 5", "ipDropIhl", () => { const f = base(); f[14] = 0x44; return f; }],
  ["IHL beyond the packet", "ipDropIhl", () => { const f = base().slice(0, 14 + 24); f[14] = 0x4f; return f; }],
  ["total length above the frame", "ipDropTotalLength", () => { const f = base(); f[16] = 0x05; fixChecksums(f); return f; }],
  ["total length below the header", "ipDropTotalLength", () => { const f = base(); f[16] = 0; f[17] = 10; fixChecksums(f); return f; }],
  ["bad IPv4 checksum", "ipDropChecksum", () => { const f = base(); f[24] ^= 0xff; return f; }],
  ["fragment not a multiple of 8 bytes", "ipDropFragMalformed", () => { const f = base(); f[20] = 0x20; fixChecksums(f); return f; }],
  ["fragment past the reassembly limit", "ipDropFragTooLarge", () => { const f = base(); f[20] = 0x01; fixChecksums(f); return f; }],
  ["IP option with length 0", "ipDropIhl", () => {
    const b = base(); const f = new Uint8Array(b.length + 4);
    f.set(b.subarray(0, 34)); f.set([0x07, 0x00, 0x00, 0x00], 34); f.set(b.subarray(34), 38);
    f[14] = 0x46; const tl = ((b[16] << 8) | b[17]) + 4; f[16] = tl >> 8; f[17] = tl & 255; fixChecksums(f); return f;
  }],
  ["broadcast source", "ipDropBadSource", () => base({ src: 0xffffffff })],
  ["subnet broadcast source", "ipDropBadSource", () => base({ src: 0x0a4d00ff })],
  ["multicast source", "ipDropBadSource", () => base({ src: 0xe0000001 })],
  ["land attack (source = destination)", "ipDropBadSource", () => base({ src: MODULE_IP, sport: 5000 })],
  ["not our address", "ipDropNotForUs", () => base({ dst: 0x0a4d0063 })],
  ["unknown protocol (GRE)", "ipDropProtocol", () => { const f = base(); f[23] = 47; fixChecksums(f); return f; }],
  ["UDP to a port nobody listens on", "udpDropNoPort", () => udp(53)],
  ["UDP with a bad checksum", "udpDropChecksum", () => { const f = udp(68); f[41] ^= 1; return f; }],
  ["UDP shorter than its header", "udpDropShort", () => { const f = udp(68); f[38] = 0; f[39] = 4; return f; }],
  ["bad ICMP checksum", "icmpDropChecksum", () => {
    const f = base(); f[23] = 1; fixChecksums(f); f[34] = 8; f[35] = 0; f[36] = 0x12; return f;
  }],
  ["bad TCP checksum", "tcpDropChecksum", () => { const f = base(); f[50] ^= 1; return f; }],
  ["TCP shorter than its header", "tcpDropShort", () => {
    const f = base().slice(0, 34 + 12); f[17] = 32; fixChecksums(f); return f;
  }],
  ["TCP data offset below 5", "tcpDropDataOffset", () => { const f = base(); f[46] = 0x40; fixChecksums(f); return f; }],
  ["TCP data offset beyond the segment", "tcpDropDataOffset", () => { const f = base(); f[46] = 0xf0; fixChecksums(f); return f; }],
  ["option length 0", "tcpDropOptions", () => base({ options: [8, 0, 0, 0] })],
  ["option length 1", "tcpDropOptions", () => base({ options: [8, 1, 0, 0] })],
  ["option past the header", "tcpDropOptions", () => base({ options: [1, 1, 8, 10] })],
  ["MSS option truncated", "tcpDropOptions", () => base({ options: [2, 3, 5, 0] })],
  ["MSS option of 0", "tcpDropOptions", () => base({ flags: "S", options: [2, 4, 0, 0] })],
  ["SYN+RST", "tcpDropFlags", () => base({ flags: "SR" })],
  ["no flags", "tcpDropFlags", () => base({ flags: "" })],
  ["all flags", "tcpDropFlags", () => base({ flags: "FSRPAU" })],
  ["source port 0", "tcpDropPortZero", () => base({ sport: 0 })],
  ["destination port 0", "tcpDropPortZero", () => base({ dport: 0 })],
  ["ARP with a bad hardware length", "arpDropMalformed", () => arp({ hlen: 8 })],
  ["ARP with a bad protocol length", "arpDropMalformed", () => arp({ plen: 6 })],
  ["ARP with op 3", "arpDropMalformed", () => arp({ op: 3 })],
  ["truncated ARP", "arpDropMalformed", () => arp({}).subarray(0, 30)],
];

const arp = (o: { hlen?: number; plen?: number; op?: number }) => arpFrame({ op: o.op ?? 1, hlen: o.hlen, plen: o.plen });

for (const [name, counter, make] of cases) {
  test(`dropped and counted: ${name} (${counter})`, () => {
    const p = new Peer();
    const c = p.established();
    const before = p.stack.stats();
    assert.ok(counter in before, `counter ${counter} exists`);
    p.frame(make(p, c));
    p.nothing();
    assert.equal(p.stack.stats()[counter], before[counter] + 1, counter);
    // The connection is untouched: data still flows both ways.
    p.tcp({ dport: 5000, seq: c.snd, ack: c.rcv, flags: "PA", data: "still" });
    p.advance(50);
    p.expect("A", { ack: c.snd + 5 });
    assert.equal(p.recvText(c.id), "still");
  });
}

test("the console's stats lists every drop reason", () => {
  const p = new Peer();
  const names = Object.keys(p.stack.stats());
  for (const [, counter] of cases) assert.ok(names.includes(counter), counter);
});
