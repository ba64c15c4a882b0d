// Loads build/synack.wasm and drives it: the host side of the ABI (host/engine/abi.ts).
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { randomInt } from "node:crypto";
import { resolve } from "node:path";
import { PACKAGE_ROOT } from "../root.js";
import { SynackExports, STATES, StateName, E } from "./abi.js";
import { parseIp, internetSum } from "../link/wire.js";

export { PACKAGE_ROOT };
export const DEFAULT_WASM = resolve(PACKAGE_ROOT, "build/synack.wasm");

export interface Clock { now(): number }

/** Milliseconds since creation, as the u32 the module expects. */
export class RealClock implements Clock {
  private readonly start = performance.now();
  now(): number { return Math.floor(performance.now() - this.start) >>> 0; }
}

/** A clock that moves only when told to: tests drive time. */
export class ManualClock implements Clock {
  t = 0;
  now(): number { return this.t >>> 0; }
  advance(ms: number): void { this.t += ms; }
}

export interface StackOptions {
  ip: string | number;
  prefixLen: number;
  gateway?: string | number;
  mac?: Uint8Array;
  clock?: Clock;
  wasmPath?: string;
  onSend?: (frame: Uint8Array) => void;
  onLog?: (line: string) => void;
  random?: () => number;
  /** Built-in services to start (a SERVICES mask); default all of them. */
  services?: number;
  /** The memory layout (configure): connection slots and per-slot rings; unset = the board defaults. */
  layout?: Layout;
  /** The mDNS name, the label before .local (default "synack"). */
  name?: string;
}

/** Connection slots, ring sizes (bytes) and UDP sockets; 0 or unset keeps the module's default. */
/** poolBytes: the buffer pool every connection's rings draw on (default: every ring full at once). */
export interface Layout { conns?: number; rxRing?: number; txRing?: number; memoryLimit?: number; udpSockets?: number; poolBytes?: number }

/** Why a stack could not be made: a layout out of bounds or one that does not fit. */
export class LayoutError extends Error {}

const addr = (a: string | number | undefined): number => {
  if (a === undefined) return 0;
  if (typeof a === "number") return a >>> 0;
  const v = parseIp(a);
  if (v === null) throw new Error(`not an IPv4 address: ${a}`);
  return v;
};

/** A locally administered unicast MAC derived from the IP (02:53:4b:xx:xx:xx). */
export function defaultMac(ip: number): Uint8Array {
  return Uint8Array.from([0x02, 0x53, 0x4b, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255]);
}

/** Counters from a stats text (the console's "stats"), by name: any engine's. */
export function parseCounters(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*(\w+)\s+(\d+)\s*$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const moduleCache = new Map<string, WebAssembly.Module>();

/**
 * Compile the module with V8's optimizing tier, every function up front, instead of each function
 * on its first call in the baseline tier and again, optimized, once it runs hot (a server: without
 * this the first SYN,ACK waited 7-8 ms for compilation and the first transfer ran baseline code).
 * Costs ~80 ms at start; only modules compiled after the call. `synack serve` calls it.
 */
export function compileOptimized(): void { setFlagsFromString("--no-liftoff"); setFlagsFromString("--no-wasm-lazy-compilation"); }
const decoder = new TextDecoder();

function loadModule(path: string): WebAssembly.Module {
  let mod = moduleCache.get(path);
  if (!mod) { mod = new WebAssembly.Module(readFileSync(path)); moduleCache.set(path, mod); }
  return mod;
}

/** The version the module was built as (package version + git describe), asked of the module itself. */
export function moduleVersion(path = DEFAULT_WASM): string {
  const idle = () => 0;
  const x = new WebAssembly.Instance(loadModule(path), { env: { send_frame: idle, random_u32: idle, log: idle, checksum: idle } })
    .exports as unknown as SynackExports;
  x._start();
  const p = x.io_buffer();
  return decoder.decode(new Uint8Array(x.memory.buffer, p, x.version_text()));
}

/** One module in this process: its exports as calls by socket id (StackCalls, calls.ts). */
export class Stack {
  readonly x: SynackExports;
  readonly clock: Clock;
  readonly mac: Uint8Array;
  readonly ip: number;
  onSend: (frame: Uint8Array) => void;
  onLog: (line: string) => void;
  private bytes: Uint8Array;
  /**
   * Frames the module sent while it was made (init: a DHCP client's first DISCOVER, a gratuitous
   * ARP), before anyone could attach a link; a Runner sends them when it attaches.
   */
  readonly boot: Uint8Array[] = [];
  private booting = true;
  /** Where the module's frames go: a copy to onSend, unless a link takes them from memory (setSink). */
  private sink = (p: number, n: number): void => {
    const f = this.view().slice(p, p + n);
    if (this.booting) this.boot.push(f);
    this.onSend(f);
  };
  private readonly copySink = this.sink;

  constructor(opts: StackOptions) {
    const path = opts.wasmPath ?? DEFAULT_WASM;
    const mod = loadModule(path);
    this.clock = opts.clock ?? new RealClock();
    this.onSend = opts.onSend ?? (() => {});
    this.onLog = opts.onLog ?? (() => {});
    const random = opts.random ?? (() => randomInt(0, 2 ** 32 - 1) >>> 0);
    const instance = new WebAssembly.Instance(mod, {
      env: {
        send_frame: (p: number, n: number) => this.sink(p, n),
        random_u32: () => random() >>> 0,
        log: (p: number, n: number) => this.onLog(decoder.decode(this.view().subarray(p, p + n))),
        // Optional env.checksum; the module calls it only after use_checksum_import(1).
        checksum: (p: number, n: number) => internetSum(this.view(), p, p + n),
      },
    });
    this.x = instance.exports as unknown as SynackExports;
    this.bytes = new Uint8Array(this.x.memory.buffer);
    this.ip = addr(opts.ip);
    this.mac = opts.mac ?? defaultMac(this.ip);
    const m = this.mac;
    this.x._start();
    if (opts.services !== undefined) this.x.select_services(opts.services);
    if (opts.name !== undefined) this.setName(opts.name);
    const l = opts.layout;
    if (l) {
      if (l.udpSockets && this.x.configure_udp(l.udpSockets) < 0) throw new LayoutError("layout out of bounds (UDP sockets 1..16)");
      if (l.poolBytes && this.x.configure_pool(l.poolBytes) < 0) throw new LayoutError("layout out of bounds (pool 1024..64 MiB)");
      const need = this.x.configure(l.conns ?? 0, l.rxRing ?? 0, l.txRing ?? 0, l.memoryLimit ?? 0);
      if (need < 0) throw new LayoutError(need === E.NOBUFS ? "layout does not fit the memory limit" :
        "layout out of bounds (conns 1..1024, rx ring 1024..65535, tx ring 1024..1048576 bytes)");
    }
    const rc = this.x.init((m[0] << 8) | m[1], ((m[2] << 24) | (m[3] << 16) | (m[4] << 8) | m[5]) >>> 0,
      this.ip, opts.prefixLen, addr(opts.gateway), this.clock.now());
    if (rc < 0) throw new LayoutError("not enough memory for the layout");
    this.booting = false;
    const engine = new TextEncoder().encode(`V8, Node ${process.version}`);
    this.view().set(engine, this.x.io_buffer());
    this.x.set_engine(engine.length);
  }

  /** The module's memory (re-viewed if it ever grew). */
  view(): Uint8Array {
    if (this.bytes.buffer !== this.x.memory.buffer) this.bytes = new Uint8Array(this.x.memory.buffer);
    return this.bytes;
  }

  /** Hand one received frame to the module. Frames larger than its buffer are dropped here. */
  receive(frame: Uint8Array): boolean {
    if (frame.length > this.x.rx_buffer_size()) return false;
    this.view().set(frame, this.x.rx_buffer());
    this.x.frame_received(frame.length, this.clock.now());
    return true;
  }

  /**
   * Frames the module sends go to sink(ptr, len), a view of its memory valid during the call,
   * instead of a copy to onSend (null: back to onSend).
   */
  setSink(sink: ((ptr: number, len: number) => void) | null): void { this.sink = sink ?? this.copySink; }

  /** Run timers; returns ms until the next one. */
  poll(): number { return this.x.poll(this.clock.now()); }

  listen(port: number, backlog = 8): number { return this.x.sock_listen(port, backlog); }
  accept(listener: number): number { return this.x.sock_accept(listener); }
  connect(ip: string | number, port: number): number { return this.x.sock_connect(addr(ip), port); }

  /** Queue as much of data as fits; returns the byte count taken or a negative error. */
  send(id: number, data: Uint8Array): number {
    const n = Math.min(data.length, this.x.io_buffer_size());
    this.view().set(data.subarray(0, n), this.x.io_buffer());
    return this.x.sock_send(id, n);
  }

  /** Received bytes (copied), 0 at end of stream, or a negative error (E.AGAIN: none yet). */
  recv(id: number, max = this.x.io_buffer_size()): Uint8Array | number {
    const n = this.x.sock_recv(id, max);
    if (n <= 0) return n;
    const p = this.x.io_buffer();
    return this.view().slice(p, p + n);
  }

  shutdown(id: number): number { return this.x.sock_shutdown(id); }
  close(id: number): number { return this.x.sock_close(id); }
  abort(id: number): number { return this.x.sock_abort(id); }
  /** The RFC 9293 state by name, and by number (sock_state). */
  state(id: number): StateName { return STATES[this.sockState(id)] ?? "CLOSED"; }
  sockState(id: number): number { return this.x.sock_state(id); }
  /** The mDNS name (label before .local); throws if it is not 1..63 letters, digits and '-'. */
  setName(name: string): void {
    const b = new TextEncoder().encode(name);
    if (b.length > 63) throw new Error(`bad name: ${name}`);
    this.view().set(b, this.x.io_buffer());
    if (this.x.mdns_set_name(b.length) !== 0) throw new Error(`bad name (letters, digits and '-', 1..63): ${name}`);
  }
  /** Start looking up a name (DNS, .local by mDNS, localhost): a handle for resolveResult, or a negative error. */
  resolve(name: string): number {
    const b = new TextEncoder().encode(name);
    if (b.length > 255) return E.INVAL;
    this.view().set(b, this.x.io_buffer());
    return this.x.resolve(b.length);
  }
  /** 0 and the address once resolved, E.AGAIN while asking, else the error (E.NOTFOUND, E.TIMEDOUT). */
  resolveResult(handle: number): { r: number; ip: number } {
    const r = this.x.resolve_result(handle);
    return { r, ip: r === 0 ? this.x.resolve_address(handle) >>> 0 : 0 };
  }
  /** The DNS servers to ask (0: none; both 0: those DHCP handed out). */
  dnsServers(a: number, b = 0): void { this.x.dns_servers(a, b); }
  /** The peer's address and port, and our port, of a socket you own. */
  remote(id: number): { ip: number; port: number } { return { ip: this.x.sock_remote_ip(id) >>> 0, port: this.x.sock_remote_port(id) }; }
  localPort(id: number): number { return this.x.sock_local_port(id); }
  setMsl(ms: number): void { this.x.set_msl(ms); }
  /** ECN: 0 off, 1 offered on active opens too, 2 only when a peer offers it (the default). */
  setEcn(mode: 0 | 1 | 2): number { return this.x.set_ecn(mode); }
  useChecksumImport(on: boolean): void { this.x.use_checksum_import(on ? 1 : 0); }
  keepAlive(id: number, idleMs: number, intervalMs: number, count: number): number {
    return this.x.sock_keepalive(id, idleMs, intervalMs, count);
  }
  userTimeout(id: number, ms: number): number { return this.x.sock_user_timeout(id, ms); }
  /** Close every listener and connection (FIN, or RST with abort); connections still closing. */
  closeAll(abort = false): number { return this.x.sock_close_all(abort ? 1 : 0); }
  /** Turn Nagle's algorithm off (true) or back on (false) for one connection. */
  noDelay(id: number, on: boolean): number { return this.x.sock_nodelay(id, on ? 1 : 0); }

  udpBind(port: number): number { return this.x.udp_bind(port); }
  /** One datagram from data (E.INVAL when larger than the io buffer); its length or an error. */
  udpSendTo(id: number, ip: number, port: number, data: Uint8Array): number {
    if (data.length > this.x.io_buffer_size()) return E.INVAL;
    this.view().set(data, this.x.io_buffer());
    return this.x.udp_sendto(id, ip, port, data.length);
  }
  /** The oldest queued datagram (copied) and its source, or a negative error (E.AGAIN: none). */
  udpRecvFrom(id: number): { data: Uint8Array; ip: number; port: number } | number {
    const n = this.x.udp_recvfrom(id, this.x.io_buffer_size());
    if (n < 0) return n;
    const p = this.x.io_buffer();
    return { data: this.view().slice(p, p + n), ip: this.x.udp_from_ip() >>> 0, port: this.x.udp_from_port() };
  }
  udpClose(id: number): number { return this.x.udp_close(id); }
  udpLocalPort(id: number): number { return this.x.udp_local_port(id); }

  statsText(): string { return this.text(this.x.stats_text()); }
  connsText(): string { return this.text(this.x.conns_text()); }
  /** Counters from the stats text, by name. */
  stats(): Record<string, number> { return parseCounters(this.statsText()); }
  memoryBytes(): number { return this.x.memory.buffer.byteLength; }
  /** Bytes of linear memory the module uses (its heap's top). */
  memoryUsed(): number { return this.x.memory_used() >>> 0; }
  /** Our address now (0 while DHCP has not leased one) and its prefix length. */
  address(): number { return this.x.address() >>> 0; }
  prefixLen(): number { return this.x.prefix_len(); }

  private text(n: number): string {
    const p = this.x.io_buffer();
    return decoder.decode(this.view().subarray(p, p + n));
  }
}
