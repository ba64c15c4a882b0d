// A scripted peer for the real module, in memory, packetdrill style: inject a segment,
// expect a segment, advance the fake clock. The module is 10.77.0.2, the scripted peer 10.77.0.1.
import assert from "node:assert/strict";
import { Stack, ManualClock, type Layout } from "../engine/stack.js";
import { ALL_SERVICES, SERVICES } from "../engine/abi.js";
import { parseTcpFrame, TcpSegment, flagNames, fixChecksums } from "../link/wire.js";

export const PEER_IP = 0x0a4d0001;
export const MODULE_IP = 0x0a4d0002;
export const PEER_MAC = Uint8Array.from([2, 0, 0, 0, 0, 1]);
export const MODULE_MAC = Uint8Array.from([2, 0, 0, 0, 0, 2]);

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20 };
export function flags(s: string): number {
  let f = 0;
  for (const c of s) { if (!(c in FLAG_BITS)) throw new Error(`bad flag ${c}`); f |= FLAG_BITS[c]; }
  return f;
}

export interface SegSpec {
  sport?: number; dport: number; seq: number; ack?: number; flags: string;
  wnd?: number; data?: Uint8Array | string; mss?: number; options?: number[];
  src?: number; dst?: number;
}

/** An Ethernet + IPv4 + TCP frame from the peer to the module, with correct checksums. */
export function tcpFrame(o: SegSpec): Uint8Array {
  const data = typeof o.data === "string" ? new TextEncoder().encode(o.data) : (o.data ?? new Uint8Array());
  const opts = o.options ?? (o.mss ? [2, 4, o.mss >> 8, o.mss & 255] : []);
  const thl = 20 + opts.length;
  const f = new Uint8Array(14 + 20 + thl + data.length);
  const v = new DataView(f.buffer);
  f.set(MODULE_MAC, 0); f.set(PEER_MAC, 6); v.setUint16(12, 0x0800);
  const ip = 14;
  f[ip] = 0x45; v.setUint16(ip + 2, 20 + thl + data.length); v.setUint16(ip + 6, 0x4000);
  f[ip + 8] = 64; f[ip + 9] = 6;
  v.setUint32(ip + 12, o.src ?? PEER_IP); v.setUint32(ip + 16, o.dst ?? MODULE_IP);
  const t = ip + 20;
  v.setUint16(t, o.sport ?? 40000); v.setUint16(t + 2, o.dport);
  v.setUint32(t + 4, o.seq >>> 0); v.setUint32(t + 8, (o.ack ?? 0) >>> 0);
  f[t + 12] = (thl / 4) << 4; f[t + 13] = flags(o.flags); v.setUint16(t + 14, o.wnd ?? 65535);
  f.set(opts, t + 20); f.set(data, t + thl);
  fixChecksums(f);
  return f;
}

/** An ARP packet from the peer: a broadcast request for the module's address, or a reply to it. */
export function arpFrame(o: { op: number; hlen?: number; plen?: number; target?: number }): Uint8Array {
  const f = new Uint8Array(42);
  const v = new DataView(f.buffer);
  if (o.op === 2) f.set(MODULE_MAC, 0); else f.fill(0xff, 0, 6);
  f.set(PEER_MAC, 6); v.setUint16(12, 0x0806);
  v.setUint16(14, 1); v.setUint16(16, 0x0800); f[18] = o.hlen ?? 6; f[19] = o.plen ?? 4; v.setUint16(20, o.op);
  f.set(PEER_MAC, 22); v.setUint32(28, PEER_IP);
  if (o.op === 2) f.set(MODULE_MAC, 32);
  v.setUint32(38, o.target ?? MODULE_IP);
  return f;
}

export interface Expect { seq?: number; ack?: number; len?: number; wnd?: number; data?: string }

/**
 * The layout the scripted tests are written against: ten slots with 4 KiB rings each way (the
 * numbers in their expectations). The board default is tested on its own (test/module/layout).
 */
export const TEST_LAYOUT: Layout = { conns: 10, rxRing: 4096, txRing: 4096, udpSockets: 4 };

export class Peer {
  readonly clock = new ManualClock();
  readonly stack: Stack;
  readonly out: Uint8Array[] = [];
  readonly logs: string[] = [];
  sport = 40000;

  /** services: the built-in ones to start (default all but mDNS, whose multicast chatter is no
   *  part of a TCP script). */
  constructor(opts: { msl?: number; random?: () => number; checksumImport?: boolean; dhcp?: boolean; services?: number; layout?: Layout } = {}) {
    this.clock.t = 1_000_000;
    this.stack = new Stack({
      layout: opts.layout ?? TEST_LAYOUT,
      ip: opts.dhcp ? 0 : MODULE_IP, prefixLen: opts.dhcp ? 0 : 24, mac: MODULE_MAC, clock: this.clock,
      onSend: (f) => this.onSend(f), onLog: (l) => this.logs.push(l), random: opts.random,
      services: opts.services ?? ALL_SERVICES & ~SERVICES.mdns,
    });
    if (opts.msl) this.stack.setMsl(opts.msl);
    if (opts.checksumImport) this.stack.useChecksumImport(true);
    if (!opts.dhcp) this.arpIntroduce();
  }

  /** The peer asks who-has 10.77.0.2, so the module learns the peer's MAC. */
  arpIntroduce(): void {
    this.frame(arpFrame({ op: 1 }));
    this.out.length = 0;
  }

  /** Like a real host, the peer answers ARP for its address (after the module's call returns). */
  private arpAsked = false;
  /** ARP requests the module broadcast for the peer's address. */
  arpRequests = 0;
  /** The module's RFC 5227 probes and announcements for its own address (no part of a TCP script). */
  acdFrames = 0;
  private onSend(f: Uint8Array): void {
    const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
    if (f.length >= 42 && v.getUint16(12) === 0x0806 && v.getUint16(20) === 1 && v.getUint32(38) === PEER_IP) {
      this.arpAsked = true;
      this.arpRequests++;
      return;
    }
    if (f.length >= 42 && v.getUint16(12) === 0x0806 && v.getUint16(20) === 1 && v.getUint32(38) === MODULE_IP) {
      this.acdFrames++;
      return;
    }
    this.out.push(f);
  }
  private answerArp(): void {
    while (this.arpAsked) {
      this.arpAsked = false;
      this.stack.receive(arpFrame({ op: 2 }));
    }
  }

  frame(f: Uint8Array): void { this.stack.receive(f); this.answerArp(); }
  tcp(o: SegSpec): void { this.frame(tcpFrame({ sport: this.sport, ...o })); }

  /** The next TCP segment the module sent (other frames are skipped). */
  next(): TcpSegment | null {
    while (this.out.length) {
      const s = parseTcpFrame(this.out.shift()!);
      if (s) return s;
    }
    return null;
  }

  expect(fl: string, e: Expect = {}): TcpSegment {
    const s = this.next();
    assert.ok(s, `expected ${fl}, the module sent nothing`);
    assert.equal(flagNames(s.flags), flagNames(flags(fl)), `flags of ${describe(s)}`);
    if (e.seq !== undefined) assert.equal(s.seq, e.seq >>> 0, `seq of ${describe(s)}`);
    if (e.ack !== undefined) assert.equal(s.ack, e.ack >>> 0, `ack of ${describe(s)}`);
    if (e.len !== undefined) assert.equal(s.data.length, e.len, `length of ${describe(s)}`);
    if (e.wnd !== undefined) assert.equal(s.wnd, e.wnd, `window of ${describe(s)}`);
    if (e.data !== undefined) assert.equal(Buffer.from(s.data).toString(), e.data);
    return s;
  }

  nothing(): void {
    const s = this.next();
    assert.equal(s, null, `expected nothing, the module sent ${s ? describe(s) : ""}`);
  }

  /** Move the fake clock and let the module run its timers. */
  advance(ms: number): void { this.clock.advance(ms); this.stack.poll(); this.answerArp(); }

  /** Listener on port + handshake; returns the accepted id and both ISNs' next numbers. */
  established(port = 5000, peerIsn = 1000, mss = 1460, wnd = 65535):
      { id: number; listener: number; snd: number; rcv: number } {
    const listener = this.stack.listen(port, 4);
    assert.ok(listener >= 0);
    this.tcp({ dport: port, seq: peerIsn, flags: "S", mss, wnd });
    const sa = this.expect("SA", { ack: peerIsn + 1 });
    assert.equal(sa.mss, 1460);
    this.tcp({ dport: port, seq: peerIsn + 1, ack: sa.seq + 1, flags: "A", wnd });
    const id = this.stack.accept(listener);
    assert.ok(id >= 0, "accept");
    assert.equal(this.stack.state(id), "ESTABLISHED");
    return { id, listener, snd: peerIsn + 1, rcv: (sa.seq + 1) >>> 0 };
  }

  /** The peer connects from sport to a port the module serves itself (a service); returns RCV.NXT. */
  handshake(dport: number, sport: number, peerIsn = 1000): number {
    this.sport = sport;
    this.tcp({ dport, seq: peerIsn, flags: "S", mss: 1460 });
    const sa = this.expect("SA", { ack: peerIsn + 1 });
    const rcv = (sa.seq + 1) >>> 0;
    this.tcp({ dport, seq: peerIsn + 1, ack: rcv, flags: "A" });
    return rcv;
  }

  /** The module connects to the peer's port; the peer answers; returns the id and numbers. */
  activeEstablished(port = 6000, peerIsn = 5000, wnd = 65535): { id: number; snd: number; rcv: number; lport: number } {
    const id = this.stack.connect(PEER_IP, port);
    assert.ok(id >= 0);
    const syn = this.expect("S");
    assert.equal(syn.dstPort, port);
    this.sport = port;
    this.tcp({ dport: syn.srcPort, seq: peerIsn, ack: syn.seq + 1, flags: "SA", mss: 1460, wnd });
    this.expect("A", { seq: syn.seq + 1, ack: peerIsn + 1 });
    assert.equal(this.stack.state(id), "ESTABLISHED");
    return { id, snd: peerIsn + 1, rcv: (syn.seq + 1) >>> 0, lport: syn.srcPort };
  }

  sendText(id: number, s: string): number { return this.stack.send(id, new TextEncoder().encode(s)); }
  recvText(id: number): string | number {
    const r = this.stack.recv(id);
    return typeof r === "number" ? r : Buffer.from(r).toString();
  }
}

export function describe(s: TcpSegment): string {
  return `${flagNames(s.flags)} seq=${s.seq} ack=${s.ack} wnd=${s.wnd} len=${s.data.length}`;
}
