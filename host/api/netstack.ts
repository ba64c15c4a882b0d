// synack as a library: open a stack on a TAP or an in-memory link, then use sockets shaped like
// node:net (createServer, connect). One Node thread drives the module: frames in, a poll, then
// every socket and server moves what it can (Runner.onTick). With board: "native" (or an emulated
// board: "xtensa", "lx6") the module runs in a board's firmware instead, driven through its C socket
// API (host/engine/control.ts).
import type { Stack, Clock, Layout } from "../engine/stack.js";
import type { Runner } from "../engine/runner.js";
import type { Link } from "../link/link.js";
import { defaultMac } from "../engine/stack.js";
import { parseIp, ipToString } from "../link/wire.js";
import { parseMac, macForTap, parseOurAddress, unusableRouter } from "../link/addr.js";
import { servicesMask } from "../engine/abi.js";
import { openEngine, isEngineName, ENGINE_NAMES, type Engine, type EngineName } from "../engine/engine.js";
import { catchSignals, untilSignal, waitForAddress } from "../engine/lifecycle.js";
import type { V8Engine } from "../engine/v8.js";
import { Socket, SocketHost, ConnectOptions } from "./socket.js";
import { Server, ServerOptions } from "./server.js";
import { UdpSocket, RemoteInfo } from "./dgram.js";
import type { StackCalls } from "../engine/calls.js";

/** Where the module runs: V8 in this process, or a board's C firmware under wasm3 (native, or emulated by QEMU). */
export type BoardName = EngineName;

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
  /**
   * "xx:xx:xx:xx:xx:xx" or 6 bytes; default 02:53:4b + the address's low three bytes, or with dhcp
   * one derived from the TAP's name (as synack serve's: the same lease each run; random on a link).
   */
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
   * "xtensa", "lx6", "lx6-esp32": the same firmware on an Xtensa core emulated by QEMU (slower).
   */
  board?: BoardName;
}

/** openStack's default layout: room for a program's connections on a PC, without taking megabytes. */
export const NODE_LAYOUT: Layout = { conns: 16, rxRing: 16384, txRing: 16384, udpSockets: 8 };

/** The engine's options from openStack's, checked as synack serve checks its flags. */
function engineOptions(o: OpenOptions): { name: EngineName; ip: number; prefixLen: number; gw: number; mac: Uint8Array } {
  let ip = 0, prefixLen = 0;
  if (o.dhcp) {
    if (o.ip) throw new Error("ip and dhcp exclude each other");
  } else {
    if (!o.ip) throw new Error("ip (A.B.C.D/N) or dhcp: true is required");
    const a = parseOurAddress(o.ip.includes("/") || o.prefixLen === undefined ? o.ip : `${o.ip}/${o.prefixLen}`);
    if (typeof a === "string") throw new Error(a.startsWith("bad") ? `bad ip (want A.B.C.D/N): ${o.ip}` : `ip ${a}`);
    ({ ip, prefixLen } = a);
  }
  const gw = o.gw ? parseIp(o.gw) : 0;
  if (gw === null) throw new Error(`bad gw: ${o.gw}`);
  if (gw && o.dhcp) throw new Error("gw with dhcp: the lease names the router");
  const why = gw ? unusableRouter(gw, ip, prefixLen) : null;
  if (why) throw new Error(`gw ${why}`);
  let mac: Uint8Array;
  if (typeof o.mac === "string") {
    const m = parseMac(o.mac);
    if (typeof m === "string") throw new Error(m);
    mac = m;
  } else mac = o.mac ?? (ip ? defaultMac(ip) : o.tap ? macForTap(o.tap)
    : Uint8Array.from([0x02, 0x53, 0x4b, ...Array.from({ length: 3 }, () => Math.floor(Math.random() * 256))]));
  const name = o.board ?? "v8";
  if (!isEngineName(name)) throw new Error(`board "${name}" is none of ${ENGINE_NAMES.join(", ")}`);
  return { name, ip, prefixLen, gw, mac };
}

export class NetStack implements SocketHost {
  readonly servers = new Set<Server>();
  private readonly sockets = new Set<Socket>();
  private readonly pollers = new Set<{ pump(): void }>();
  private closed = false;

  readonly calls: StackCalls;

  private constructor(readonly engine: Engine) {
    this.calls = engine.calls;
    engine.onEvent = () => { if (!this.closed) this.pumpAll(); };
  }

  /** The module in this process (V8 only): the raw exports, stats(), connsText()... */
  get stack(): Stack {
    if (this.engine.name !== "v8") throw new Error(`net.stack is the module in this process; with board "${this.board}" use net.calls, net.statsText(), net.connsText()`);
    return (this.engine as V8Engine).stack;
  }
  /** The driver of the module in this process (V8 only). */
  get runner(): Runner {
    if (this.engine.name !== "v8") throw new Error(`net.runner drives the module in this process; board "${this.board}" runs its own`);
    return (this.engine as V8Engine).runner;
  }
  /** Where the module runs. */
  get board(): BoardName { return this.engine.name; }
  /** Every counter, and the connection table, as the console prints them (any board). */
  statsText(): string { return this.calls.statsText(); }
  connsText(): string { return this.calls.connsText(); }

  /** Open a stack. Resolves once attached (and, with dhcp, once an address is leased). */
  static async open(o: OpenOptions): Promise<NetStack> {
    const { name, ip, prefixLen, gw, mac } = engineOptions(o);
    const e = await openEngine(name, {
      tap: o.tap, netns: o.netns, link: o.link, clock: o.clock, ip, prefixLen, gw, mac, msl: o.msl,
      services: servicesMask(o.services ?? []), name: o.name, pcap: o.pcap, onLog: o.onLog,
      layout: o.layout ?? (name === "v8" ? NODE_LAYOUT : undefined),
    });
    try {
      await waitForAddress(e, o.dhcpTimeout ?? 30_000);
      return new NetStack(e);
    } catch (err) { await e.stop(); throw err; }
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
  kick(): void { if (!this.closed) this.engine.kick(); }
  /** @internal */
  track(s: Socket): void { this.sockets.add(s); this.ref(s, true); }
  /** @internal */
  untrack(s: Socket): void { this.sockets.delete(s); this.ref(s, null); }
  private readonly refd = new Set<object>();
  private readonly unrefd = new Set<object>();
  /** @internal: the engine keeps the program running unless every open server and socket was unref()ed. */
  ref(handle: object, on: boolean | null): void {
    this.refd.delete(handle);
    this.unrefd.delete(handle);
    if (on !== null) (on ? this.refd : this.unrefd).add(handle);
    if (!this.closed) this.engine.ref(this.refd.size > 0 || this.unrefd.size === 0);
  }
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
    if (this.closed) return this.stopped ?? Promise.resolve();
    for (const s of [...this.sockets]) s.resetAndDestroy();
    for (const srv of [...this.servers]) srv.close();
    this.closed = true;
    this.stopped ??= this.engine.stop();
    return this.stopped;
  }
  private stopped: Promise<void> | null = null;

  /**
   * Serve until SIGINT or SIGTERM, then leave as synack serve does: listeners close, every
   * connection gets a FIN and 2 s to finish, then whatever is left is reset (a second signal:
   * at once), and the stack stops. `say` gets the lines serve prints (default: stderr).
   * Resolves once stopped, with 0 (1 if a board stopped on its own).
   */
  async untilSignal(say: (line: string) => void = (l) => process.stderr.write(`synack: ${l}\n`)): Promise<number> {
    const signals = catchSignals();
    try {
      if (this.closed) return 0;
      const code = await untilSignal(this.engine, signals, say, () => {
        for (const srv of [...this.servers]) srv.close();
        for (const s of [...this.sockets]) s.letGo();
      });
      this.stopped = Promise.resolve();
      await this.close();
      return code;
    } finally { signals.release(); }
  }
}

/** Open a stack: `const net = await openStack({ tap: "tap0", ip: "10.77.0.2/24" })`. */
export function openStack(o: OpenOptions): Promise<NetStack> { return NetStack.open(o); }
