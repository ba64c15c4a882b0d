// Fuzz cases: a connection state reached by a script, then frames injected one after another.
// The fuzzer makes them; npm test replays the saved ones (test/fuzz/cases/*.json).
import { Peer, tcpFrame, arpFrame, PEER_IP, PEER_MAC, MODULE_MAC } from "../host/drill/peer.js";
import { Rng } from "./netsim.js";
import { fixChecksums } from "../host/link/wire.js";

export const SCENARIOS = [
  "dhcp", "listen", "syn-sent", "syn-received", "established", "fin-wait-1", "fin-wait-2",
  "close-wait", "last-ack", "closing", "time-wait", "sack-sending",
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface FuzzCase { scenario: Scenario; frames: string[]; kind?: string; detail?: string }

interface Reached { p: Peer; port: number; snd: number; rcv: number; xid?: number; sack?: boolean }

/**
 * Drive a fresh module into the scenario's state with the scripted peer. Its randomness is
 * fixed, so the ISNs and the DHCP transaction are the same every time and saved frames still fit.
 */
export function reach(s: Scenario): Reached {
  const rng = new Rng(0x5eed);
  const random = () => rng.u32();
  if (s === "dhcp") { // a client waiting for its lease: the DHCP parser faces the frames
    const p = new Peer({ msl: 60_000, dhcp: true, random });
    const d = p.out.find((f) => f.length > 46 && f[23] === 17);
    const xid = d ? new DataView(d.buffer, d.byteOffset).getUint32(42 + 4) : 0;
    p.out.length = 0;
    return { p, port: 68, snd: 0, rcv: 0, xid };
  }
  const p = new Peer({ msl: 60_000, random });
  if (s === "listen") { p.stack.listen(5000, 4); return { p, port: 5000, snd: 1001, rcv: 0 }; }
  if (s === "syn-sent") {
    p.stack.connect(PEER_IP, 6000);
    const syn = p.next()!;
    p.sport = 6000;
    return { p, port: syn.srcPort, snd: 5001, rcv: (syn.seq + 1) >>> 0 };
  }
  if (s === "syn-received") {
    p.stack.listen(5000, 4);
    p.tcp({ dport: 5000, seq: 1000, flags: "S", mss: 1460 });
    const sa = p.next()!;
    return { p, port: 5000, snd: 1001, rcv: (sa.seq + 1) >>> 0 };
  }
  if (s === "sack-sending") { // SACK agreed, eight 500-byte segments in flight: the scoreboard faces the frames
    const l = p.stack.listen(5000, 4);
    p.tcp({ dport: 5000, seq: 1000, flags: "S", options: [2, 4, 500 >> 8, 500 & 255, 1, 1, 4, 2] });
    const sa = p.next()!;
    p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1, flags: "A" });
    const id = p.stack.accept(l);
    p.stack.send(id, new Uint8Array(4000));
    p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1001, flags: "A" });
    p.out.length = 0;
    return { p, port: 5000, snd: 1001, rcv: (sa.seq + 1001) >>> 0, sack: true };
  }
  const c = p.established();
  const r: Reached = { p, port: 5000, snd: c.snd, rcv: c.rcv };
  const ack = (snd: number, rcv: number, flags = "A") => p.tcp({ dport: 5000, seq: snd, ack: rcv, flags });
  switch (s) {
    case "fin-wait-1": p.stack.close(c.id); break;
    case "fin-wait-2": p.stack.shutdown(c.id); ack(c.snd, c.rcv + 1); r.rcv++; break;
    case "close-wait": ack(c.snd, c.rcv, "FA"); r.snd++; break;
    case "last-ack": ack(c.snd, c.rcv, "FA"); r.snd++; p.stack.close(c.id); break;
    case "closing": p.stack.shutdown(c.id); ack(c.snd, c.rcv, "FA"); r.snd++; break;
    case "time-wait": p.stack.shutdown(c.id); ack(c.snd, c.rcv + 1, "FA"); r.snd++; r.rcv++; break;
  }
  p.out.length = 0;
  return r;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
export const unhex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));

/** A valid frame that fits the state: the starting point for mutation. */
export function seedFrame(rng: Rng, r: Reached): Uint8Array {
  if (r.xid !== undefined) return dhcpReply(rng, r.xid);
  const kinds = ["data", "ack", "fin", "rst", "syn", "synack", "icmp", "arp", "old", "future", ...(r.sack ? ["sack", "sack", "sack"] : [])];
  const k = kinds[rng.int(0, kinds.length - 1)];
  const base = { dport: r.port, seq: r.snd, ack: r.rcv };
  switch (k) {
    case "data": return tcpFrame({ ...base, flags: "PA", data: rng.bytes(rng.int(1, 1400)) });
    case "ack": return tcpFrame({ ...base, flags: "A", wnd: rng.int(0, 65535) });
    case "fin": return tcpFrame({ ...base, flags: "FA", data: rng.bytes(rng.int(0, 50)) });
    case "rst": return tcpFrame({ ...base, flags: rng.chance(0.5) ? "R" : "RA" });
    case "syn": return tcpFrame({ ...base, flags: "S", mss: rng.int(1, 65535) });
    case "synack": return tcpFrame({ ...base, flags: "SA", mss: 1460 });
    case "sack": { // an ACK with 1-4 blocks near what is in flight, some impossible
      const n = rng.int(1, 4), opts = [1, 1, 5, 2 + 8 * n];
      for (let i = 0; i < 2 * n; i++) {
        const v = (r.rcv + rng.int(-1000, 4500)) >>> 0;
        opts.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
      }
      return tcpFrame({ ...base, ack: (r.rcv + 500 * rng.int(-1, 2)) >>> 0, flags: "A", options: opts });
    }
    case "old": return tcpFrame({ ...base, seq: r.snd - rng.int(1, 100000), flags: "PA", data: rng.bytes(20) });
    case "future": return tcpFrame({ ...base, seq: r.snd + rng.int(1, 100000), flags: "PA", data: rng.bytes(20) });
    case "icmp": {
      const f = tcpFrame({ ...base, flags: "A", data: rng.bytes(rng.int(0, 64)) });
      f[23] = 1; f[34] = 8; f[35] = 0; // echo request inside the same IPv4 packet
      fixChecksums(f);
      return f;
    }
    default: return arpFrame({ op: rng.int(1, 2) });
  }
}

/** A server's OFFER, ACK or NAK for the client's transaction, broadcast, as dnsmasq sends them. */
function dhcpReply(rng: Rng, xid: number): Uint8Array {
  const type = [2, 5, 6][rng.int(0, 2)];
  const opts = [53, 1, type, 54, 4, 10, 77, 0, 1, 51, 4, 0, 0, rng.int(0, 255), rng.int(0, 255), 1, 4, 255, 255, 255, 0, 3, 4, 10, 77, 0, 1, 255];
  const f = new Uint8Array(14 + 20 + 8 + 240 + opts.length);
  const v = new DataView(f.buffer);
  f.fill(0xff, 0, 6); f.set(PEER_MAC, 6); v.setUint16(12, 0x0800);
  f[14] = 0x45; v.setUint16(16, f.length - 14); f[22] = 64; f[23] = 17;
  v.setUint32(26, PEER_IP); v.setUint32(30, 0xffffffff);
  v.setUint16(34, 67); v.setUint16(36, 68); v.setUint16(38, f.length - 34);
  const d = 42;
  f[d] = 2; f[d + 1] = 1; f[d + 2] = 6; v.setUint32(d + 4, xid); v.setUint32(d + 16, 0x0a4d0000 + rng.int(2, 250));
  f.set(MODULE_MAC, d + 28); v.setUint32(d + 236, 0x63825363); f.set(opts, d + 240);
  fixChecksums(f);
  return f;
}

/** Structure-aware damage: header fields, options, lengths, truncation, stray bytes. */
export function mutate(rng: Rng, input: Uint8Array): Uint8Array {
  let f = input.slice();
  const n = rng.int(1, 4);
  for (let i = 0; i < n && f.length > 0; i++) {
    const what = rng.int(0, 9);
    const interesting = [0, 1, 2, 4, 5, 0x0f, 0x10, 0x3f, 0x40, 0x45, 0x46, 0x4f, 0x50, 0x7f, 0x80, 0xf0, 0xff];
    const at = (lo: number, hi: number) => Math.min(f.length - 1, rng.int(lo, hi));
    switch (what) {
      case 0: { const b = rng.int(0, f.length * 8 - 1); f[b >> 3] ^= 1 << (b & 7); break; }
      case 1: f[at(0, f.length - 1)] = interesting[rng.int(0, interesting.length - 1)]; break;
      case 2: f[at(14, 14)] = interesting[rng.int(0, interesting.length - 1)]; break;          // version/IHL
      case 3: f[at(16, 17)] = rng.int(0, 255); break;                                          // total length
      case 4: f[at(20, 21)] = rng.int(0, 255); break;                                          // fragment bits
      case 5: f[at(46, 46)] = interesting[rng.int(0, interesting.length - 1)]; break;          // data offset
      case 6: f[at(47, 47)] = rng.int(0, 255); break;                                          // TCP flags
      case 7: { const o = at(54, 60); f[o] = rng.int(0, 8); if (o + 1 < f.length) f[o + 1] = rng.int(0, 6); break; } // options
      case 8: f = f.subarray(0, rng.int(0, f.length)).slice(); break;                          // truncate
      case 9: { const g = new Uint8Array(f.length + rng.int(1, 40)); g.set(f); g.set(rng.bytes(g.length - f.length), f.length); f = g; break; }
    }
  }
  if (rng.chance(0.6)) fixChecksums(f); // most damaged frames should get past the checksums
  return f;
}

/**
 * Play a case: reach its state, inject its frames with a little time between them, then check
 * the invariants. Returns null when all hold, else what broke (a trap is thrown through).
 */
export function play(c: FuzzCase): string | null {
  const r = reach(c.scenario);
  const { p } = r;
  const pages = p.stack.memoryBytes();
  for (const h of c.frames) {
    p.frame(unhex(h));
    p.advance(7);
    p.out.length = 0;
    if (p.stack.memoryBytes() !== pages) return "linear memory grew";
  }
  const d = p.stack.poll();
  if (!(d >= 0 && d < 2 ** 32)) return `poll returned ${d}`;
  p.stack.connsText();
  p.stack.statsText();
  if (c.scenario === "dhcp" && p.stack.address() === 0) {
    // Still alive: the client keeps asking for a lease.
    p.out.length = 0;
    p.advance(70_000);
    return p.out.some((f) => f.length > 42 && f[23] === 17) ? null : "the DHCP client stopped asking";
  }
  // Still alive: a new connection to the echo service gets its SYN,ACK (at a leased address too).
  // A lease may route the peer through a router (on the link or not, as the fuzzed options said):
  // whatever the module asks ARP for, the peer answers, as the router would.
  // A lease with no router that leaves the peer off its subnet is a lease too: then the SYN,ACK has
  // no route, and is dropped and counted (ipDropNoRoute), not lost.
  const noRoute = p.stack.stats().ipDropNoRoute ?? 0;
  p.sport = 33333;
  p.tcp({ dport: 7, seq: 777, flags: "S", mss: 1460, dst: p.stack.address() });
  for (const f of p.out.splice(0)) {
    const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
    if (f.length >= 42 && v.getUint16(12) === 0x0806 && v.getUint16(20) === 1) p.frame(arpReplyFor(v.getUint32(38), p.stack.address()));
    else p.out.push(f);
  }
  for (let s = p.next(); s; s = p.next()) if (s.dstPort === 33333 && (s.flags & 0x12) === 0x12) return null;
  if (c.scenario === "dhcp" && (p.stack.stats().ipDropNoRoute ?? 0) > noRoute) return null;
  return "no SYN,ACK for a fresh connection afterwards";
}

/** An ARP reply to the module: `ip` is at the peer's MAC. */
function arpReplyFor(ip: number, moduleIp: number): Uint8Array {
  const f = arpFrame({ op: 2 });
  const v = new DataView(f.buffer);
  v.setUint32(28, ip);
  v.setUint32(38, moduleIp);
  return f;
}

export function makeCase(rng: Rng, frames: number): FuzzCase {
  const scenario = SCENARIOS[rng.int(0, SCENARIOS.length - 1)];
  const r = reach(scenario);
  const list: string[] = [];
  for (let i = 0; i < frames; i++) list.push(hex(rng.chance(0.85) ? mutate(rng, seedFrame(rng, r)) : seedFrame(rng, r)));
  return { scenario, frames: list };
}
