// synack as a library: open a stack on a TAP or an in-memory link, then use sockets shaped like
// node:net (createServer, connect). One Node thread drives the module: frames in, a poll, then
// every socket and server moves what it can (Runner.onTick). With board: "native" the module runs
// in the native board's firmware instead, driven through its C socket API (./board.ts).
import { Stack, Runner, Link, Clock, defaultMac, type Layout } from "../engine/stack.js";
import { TapLink } from "../link/tap.js";
import { PcapWriter } from "../link/pcap.js";
import { parseIp, ipToString } from "../link/wire.js";
import { servicesMask } from "../engine/abi.js";
import { Socket, SocketHost, ConnectOptions } from "./socket.js";
import { Server, ServerOptions } from "./server.js";
import { UdpSocket, RemoteInfo } from "./dgram.js";
import type { StackCalls } from "./calls.js";
import { NativeBoard } from "./board.js";

/** Where the module runs: V8 in this process, or the native board's C firmware under wasm3. */
export type BoardName = "v8" | "native";

export interface OpenOptions {
  /** A TAP device to attach to (needs root), optionally inside a network namespace. */
  tap?: string;
  netns?: string;
  /** Or any Link, e.g. one end of MemoryLink.pair(). */
  link?: Link;
  /** "A.B.C.D/N" (or "A.B.C.D" with prefixLen); leave out and set dhcp: true to lease one. */
  ip?: string;
  prefixLen?: number;
  dhcp?: boolean;
  gw?: string;
  /** "xx:xx:xx:xx:xx:xx" or 6 bytes; default 02:53:4b + the address's low three bytes. */
  mac?: string | Uint8Array;
  /** Write every frame in and out to this pcap file. */
  pcap?: string;
  /** Maximum segment lifetime in ms (TIME-WAIT is twice this). */
  msl?: number;
  clock?: Clock;
  onLog?: (line: string) => void;
  /** Built-in services to run inside the module (default none): ["echo", "http", ...] or "echo,http". */
  services?: string | string[];
  /** The mDNS name when services include "mdns" (default "synack": synack.local). */
  name?: string;
  /** How long to wait for a DHCP lease (ms, default 30 s). */
  dhcpTimeout?: number;
  /** Connection slots and ring sizes (bytes); default NODE_LAYOUT on V8, the board's own on a board. */
  layout?: Layout;
  /**
   * "v8" (default): the module runs in this process. "native": in the native board's firmware
   * (build/synack-native: C, wasm3, the W5500 driver on the simulated chip) attached to `tap`,
   * driven through its C socket API (boards/common/synack.h); needs `tap`, not `link` or `clock`.
   */
  board?: BoardName;
}

/** openStack's default layout: room for a program's connections on a PC, without taking megabytes. */
export const NODE_LAYOUT: Layout = { conns: 16, rxRing: 16384, txRing: 16384, udpSockets: 8 };

function parseMac(m: string | Uint8Array): Uint8Array {
  if (typeof m !== "string") return m;
  const b = m.split(":").map((x) => parseInt(x, 16));
  if (b.length !== 6 || b.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad mac: ${m}`);
  return Uint8Array.from(b);
}

export class NetStack implements SocketHost {
  readonly servers = new Set<Server>();
  private readonly sockets = new Set<Socket>();
  private readonly pollers = new Set<{ pump(): void }>();
  private closed = false;

  private constructor(readonly calls: StackCalls, private readonly v8: { stack: Stack; runner: Runner } | null,
                      private readonly pcap: PcapWriter | null, private readonly native: NativeBoard | null) {
    if (v8) v8.runner.onTick = () => this.pumpAll();
    if (native) native.onEvent = () => { if (!this.closed) this.pumpAll(); };
  }

  /** The module in this process (V8 only): the raw exports, stats(), connsText()... */
  get stack(): Stack {
    if (!this.v8) throw new Error(`net.stack is the module in this process; with board "${this.board}" use net.calls, net.statsText(), net.connsText()`);
    return this.v8.stack;
  }
  /** The driver of the module in this process (V8 only). */
  get runner(): Runner {
    if (!this.v8) throw new Error(`net.runner drives the module in this process; board "${this.board}" runs its own`);
    return this.v8.runner;
  }
  /** Where the module runs. */
  get board(): BoardName { return this.native ? "native" : "v8"; }
  /** Every counter, and the connection table, as the console prints them (any board). */
  statsText(): string { return this.calls.statsText(); }
  connsText(): string { return this.calls.connsText(); }

  /** Open a stack. Resolves once attached (and, with dhcp, once an address is leased). */
  static async open(o: OpenOptions): Promise<NetStack> {
    let ip = 0, prefixLen = o.prefixLen ?? 24;
    if (!o.dhcp) {
      if (!o.ip) throw new Error("ip (A.B.C.D/N) or dhcp: true is required");
      const m = /^([\d.]+)(?:\/(\d{1,2}))?$/.exec(o.ip);
      const a = m ? parseIp(m[1]) : null;
      if (!m || a === null) throw new Error(`bad ip: ${o.ip}`);
      ip = a;
      if (m[2]) prefixLen = Number(m[2]);
    } else prefixLen = 0;
    const gw = o.gw ? parseIp(o.gw) : 0;
    if (gw === null) throw new Error(`bad gw: ${o.gw}`);
    const mac = o.mac ? parseMac(o.mac) : ip ? defaultMac(ip)
      : Uint8Array.from([0x02, 0x53, 0x4b, ...Array.from({ length: 3 }, () => Math.floor(Math.random() * 256))]);
    const services = servicesMask(o.services ?? []);
    const board = o.board ?? "v8";
    if (board !== "v8") {
      if (board !== "native") throw new Error(`board "${board}" cannot carry the socket API: use "v8" or "native" (the emulated Xtensa board runs only synack serve's services)`);
      if (!o.tap || o.link || o.clock) throw new Error(`board "native" needs tap (it attaches to the TAP itself), not link or clock`);
      const nb = await NativeBoard.start({ tap: o.tap, netns: o.netns, ip, prefixLen, gw, mac, msl: o.msl, layout: o.layout,
        services, name: o.name, pcap: o.pcap, onLog: o.onLog, dhcpTimeout: o.dhcpTimeout });
      return new NetStack(nb, null, null, nb);
    }
    const link = o.link ?? (o.tap ? await TapLink.open(o.tap, o.netns) : null);
    if (!link) throw new Error("tap or link is required");
    const pcap = o.pcap ? new PcapWriter(o.pcap) : null;
    const stack = new Stack({ ip, prefixLen, gateway: gw, mac, clock: o.clock, onLog: o.onLog, services, name: o.name, onSend: (f) => pcap?.write(f), layout: o.layout ?? NODE_LAYOUT });
    if (o.msl) stack.setMsl(o.msl);
    const runner = new Runner(stack, link, { direct: !pcap });
    if (pcap) { const deliver = link.onFrame; link.onFrame = (f) => { pcap.write(f); deliver(f); }; }
    const net = new NetStack(stack, { stack, runner }, pcap, null);
    runner.start();
    if (o.dhcp) {
      const limit = o.dhcpTimeout ?? 30_000;
      for (let waited = 0; stack.address() === 0; waited += 50) {
        if (waited > limit) { net.close(); throw new Error(`no DHCP lease after ${limit} ms`); }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return net;
  }

  /** Our address now, as text (0.0.0.0 while DHCP has none). */
  get address(): string { return ipToString(this.calls.address()); }

  createServer(handler?: (s: Socket) => void): Server;
  createServer(opts: ServerOptions, handler?: (s: Socket) => void): Server;
  createServer(a?: ServerOptions | ((s: Socket) => void), b?: (s: Socket) => void): Server {
    const opts = typeof a === "object" ? a : {};
    const handler = typeof a === "function" ? a : b;
    return new Server(this, opts, handler);
  }

  /** An active open; "connect" when established, "error" (ECONNREFUSED, ETIMEDOUT...) if not. */
  connect(o: ConnectOptions, onConnect?: () => void): Socket;
  connect(port: number, host: string, onConnect?: () => void): Socket;
  connect(a: ConnectOptions | number, b?: string | (() => void), c?: () => void): Socket {
    if (typeof a === "number") return Socket.open(this, { port: a, host: b as string }, c);
    return Socket.open(this, a, b as (() => void) | undefined);
  }
  createConnection = this.connect;

  /** A UDP socket like node:dgram's createSocket("udp4"). */
  createSocket(type: "udp4" | { type: "udp4" } = "udp4", onMessage?: (msg: Buffer, rinfo: RemoteInfo) => void): UdpSocket {
    void type;
    return new UdpSocket(this, onMessage);
  }

  /** @internal */
  kick(): void { if (!this.closed) this.v8?.runner.kick(); } // a board steps after every batch of calls
  /** @internal */
  track(s: Socket): void { this.sockets.add(s); }
  /** @internal */
  untrack(s: Socket): void { this.sockets.delete(s); }
  /** @internal: anything else (UDP sockets) that wants a turn after each poll. */
  addPoller(p: { pump(): void }): void { this.pollers.add(p); }
  removePoller(p: { pump(): void }): void { this.pollers.delete(p); }

  private pumpAll(): void {
    for (const srv of this.servers) srv.pump();
    for (const s of this.sockets) s.pump();
    for (const p of this.pollers) p.pump();
  }

  /**
   * Reset every socket, stop the driver and detach from the link (a board: stop its process).
   * The promise resolves once all is stopped (at once on V8; the board's process has exited).
   */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    for (const s of [...this.sockets]) s.resetAndDestroy();
    for (const srv of [...this.servers]) srv.close();
    this.closed = true;
    this.v8?.runner.stop();
    this.pcap?.close();
    return this.native ? this.native.stop() : Promise.resolve();
  }
}

/** Open a stack: `const net = await openStack({ tap: "tap0", ip: "10.77.0.2/24" })`. */
export function openStack(o: OpenOptions): Promise<NetStack> { return NetStack.open(o); }
