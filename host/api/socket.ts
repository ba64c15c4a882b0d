// A synack TCP connection as a node:net-like Duplex stream. The stack never calls us: after every
// poll the owner (NetStack) calls pump(), which moves received bytes into the stream, queued
// writes into the module, and turns state changes into events.
import { Duplex } from "node:stream";
import { E, STATES } from "../engine/abi.js";
import type { StackCalls } from "../engine/calls.js";
import { ipToString, parseIp } from "../link/wire.js";
import { socketError, lookupError } from "./errors.js";

/** What a socket needs from the stack that owns it. */
export interface SocketHost {
  readonly calls: StackCalls;
  /** Ask for a poll soon (after socket calls). */
  kick(): void;
  track(s: Socket): void;
  untrack(s: Socket): void;
  /** A handle keeps the program running (true), does not (false), or is gone (null). */
  ref(handle: object, on: boolean | null): void;
}

export interface ConnectOptions { host: string; port: number; allowHalfOpen?: boolean; timeout?: number }

const ESTABLISHED = 4;

export class Socket extends Duplex {
  /** The module's socket id; -1 once given back. */
  id: number;
  connecting: boolean;
  remoteAddress?: string;
  remotePort?: number;
  /** "IPv4" once the peer is known (synack speaks IPv4 only). */
  remoteFamily?: string;
  localAddress?: string;
  localPort?: number;
  bytesRead = 0;
  bytesWritten = 0;
  private readonly host: SocketHost;
  private wantRead = false;
  private eof = false;
  private queue: { buf: Uint8Array; cb: (e?: Error | null) => void }[] = [];
  private idleMs = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  /** A name being looked up before the connect (the module's resolver handle). */
  private lookup: { handle: number; host: string; port: number } | null = null;

  /** @internal: use NetStack.connect or a Server's "connection" event. */
  constructor(host: SocketHost, id: number, connecting: boolean, allowHalfOpen = false) {
    super({ allowHalfOpen, decodeStrings: true });
    this.host = host;
    this.id = id;
    this.connecting = connecting;
    this.fillAddresses();
    host.track(this);
  }

  /** Open a connection (the user calls NetStack.connect). */
  static open(host: SocketHost, o: ConnectOptions, onConnect?: () => void): Socket {
    const ip = parseIp(o.host);
    // A name (not a dotted quad) is looked up by the module first: pump() connects once it resolves.
    const handle = ip === null ? host.calls.resolve(o.host) : -1;
    const id = ip !== null ? host.calls.connect(ip, o.port) : handle < 0 ? handle : -1;
    const s = new Socket(host, id, true, o.allowHalfOpen ?? false);
    if (onConnect) s.once("connect", onConnect);
    if (o.timeout) s.setTimeout(o.timeout);
    if (ip === null && handle >= 0) { s.lookup = { handle, host: o.host, port: o.port }; host.kick(); }
    else if (id < 0) process.nextTick(() => s.destroy(ip === null ? lookupError(id, o.host) : socketError(id, "connect", o.host, o.port)));
    else { s.remoteAddress = o.host; s.remotePort = o.port; s.remoteFamily = "IPv4"; host.kick(); }
    return s;
  }

  /**
   * The lookup's answer, if there: connect to it ("lookup" as node:net emits), or fail. "connect"
   * comes on a later pump, never in the same turn as "lookup" (as node:net).
   */
  private looked(): void {
    const l = this.lookup!;
    const a = this.host.calls.resolveResult(l.handle);
    if (a.r === E.AGAIN) return;
    this.lookup = null;
    if (a.r < 0) { this.destroy(lookupError(a.r, l.host)); return; }
    const address = ipToString(a.ip);
    this.emit("lookup", null, address, 4, l.host);
    const id = this.host.calls.connect(a.ip, l.port);
    if (id < 0) { this.destroy(socketError(id, "connect", address, l.port)); return; }
    this.id = id;
    this.remoteAddress = address;
    this.remotePort = l.port;
    this.remoteFamily = "IPv4";
    this.host.kick();
  }

  get readyState(): string {
    if (this.connecting) return "opening";
    if (this.readable && this.writable) return "open";
    if (this.readable) return "readOnly";
    if (this.writable) return "writeOnly";
    return "closed";
  }

  /** RFC 9293 state of the connection now ("CLOSED" once given back). */
  get tcpState(): string { return this.id < 0 ? "CLOSED" : STATES[this.host.calls.sockState(this.id)] ?? "CLOSED"; }

  private fillAddresses(): void {
    if (this.id < 0) return;
    const st = this.host.calls;
    const r = st.remote(this.id);
    if (r.port !== 0) { this.remoteAddress = ipToString(r.ip); this.remotePort = r.port; this.remoteFamily = "IPv4"; }
    this.localAddress = ipToString(st.address());
    this.localPort = st.localPort(this.id) || undefined;
  }

  address(): { address: string; family: string; port: number } | {} {
    return this.localPort ? { address: this.localAddress!, family: "IPv4", port: this.localPort } : {};
  }

  /** Whether this connection keeps the program running (the default) or not, as node:net's. */
  ref(): this { if (this.id >= 0) this.host.ref(this, true); return this; }
  unref(): this { if (this.id >= 0) this.host.ref(this, false); return this; }

  /** Turn the sender's small-segment delay off (true) or on, as node:net's setNoDelay. */
  setNoDelay(noDelay = true): this {
    if (this.id >= 0) { this.host.calls.noDelay(this.id, noDelay); this.host.kick(); }
    return this;
  }

  /** Keep-alive probes after initialDelay ms of silence (default 2 h), every 75 s, 9 tries. */
  setKeepAlive(enable = false, initialDelay = 0): this {
    if (this.id >= 0) {
      this.host.calls.keepAlive(this.id, enable ? (initialDelay > 0 ? initialDelay : 7_200_000) : 0, 75_000, 9);
      this.host.kick();
    }
    return this;
  }

  /** Emit "timeout" after ms without activity (0 = off); like node:net, nothing is closed. */
  setTimeout(ms: number, cb?: () => void): this {
    if (cb) this.once("timeout", cb);
    this.idleMs = ms;
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = null; }
    if (ms > 0) this.idleTimer = setTimeout(() => { this.idleTimer = null; this.emit("timeout"); }, ms);
    return this;
  }

  private active(): void { if (this.idleTimer && this.idleMs > 0) this.idleTimer.refresh(); }

  /** RST at once, whatever is queued (like node:net's resetAndDestroy). */
  resetAndDestroy(): this {
    if (this.id >= 0) { this.host.calls.abort(this.id); this.release(); }
    return this.destroy();
  }

  /**
   * @internal: the stack is closing every connection itself (NetStack.untilSignal): the stream
   * ends here ("close"), and the connection is the module's to finish (FIN, then RST after the grace).
   */
  letGo(): void {
    if (this.id >= 0) { this.id = -1; this.host.untrack(this); }
    this.destroy();
  }

  _read(): void { this.wantRead = true; this.pump(); }

  /**
   * Only writes move from here, never reads. A read pushes data, and a "data" handler (pipe())
   * may write at once; node:stream hands its buffered chunks to _write one by one and counts as
   * not writing between two of them, so a write made from inside _write went ahead of the chunks
   * still buffered: an echo sent later bytes at an earlier sequence number (test/api/echo-order).
   */
  _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.queue.push({ buf: chunk, cb });
    if (this.id >= 0 && !this.destroyed && !this.connecting && this.flush()) { this.active(); this.host.kick(); }
  }

  _final(cb: (e?: Error | null) => void): void {
    if (this.id >= 0) { this.host.calls.shutdown(this.id); this.host.kick(); }
    cb();
  }

  _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.lookup = null;
    if (this.id < 0) this.host.untrack(this); // never connected (a failed lookup or open)
    if (this.id >= 0) {
      // Before our FIN, destroy() resets (RST); after it the stack finishes the teardown.
      if (err || !this.writableFinished) this.host.calls.abort(this.id);
      else this.host.calls.close(this.id);
      this.release();
    }
    for (const w of this.queue) w.cb(err ?? socketError(E.PIPE, "write"));
    this.queue = [];
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = null; }
    cb(err);
  }

  private release(): void {
    this.id = -1;
    this.host.untrack(this);
    this.host.kick();
  }

  /** Move what can move now; called by the stack after every poll and by the stream. */
  pump(): void {
    if (this.lookup) { if (!this.destroyed) this.looked(); return; }
    if (this.id < 0 || this.destroyed) return;
    const st = this.host.calls;
    const state = st.sockState(this.id);
    if (this.connecting) {
      if (state >= ESTABLISHED) {
        this.connecting = false;
        this.fillAddresses();
        this.emit("connect");
        this.emit("ready");
      } else if (state === 0) {
        const r = st.recv(this.id, 0) as number;
        this.destroy(socketError(r < 0 ? r : E.REFUSED, "connect", this.remoteAddress, this.remotePort));
        return;
      } else return;
    }
    let moved = this.flush();
    if (this.id < 0 || this.destroyed) return;
    // Reads: while the stream wants more, or (like a kernel socket) up to its high-water mark.
    while ((this.wantRead || this.readableLength < this.readableHighWaterMark) && !this.eof) {
      const r = st.recv(this.id);
      if (typeof r !== "number") {
        moved = true;
        this.bytesRead += r.length;
        this.wantRead = this.push(Buffer.from(r.buffer, r.byteOffset, r.length));
        continue;
      }
      if (r === E.AGAIN) break;
      if (r === 0) { this.eof = true; this.push(null); break; }
      this.destroy(socketError(r, "read"));
      return;
    }
    if (state === 0 && !this.eof) { // reset or timed out while nobody was reading
      const r = st.recv(this.id, 0) as number;
      if (r < 0 && r !== E.AGAIN) { this.destroy(socketError(r, "read")); return; }
    }
    if (moved) { this.active(); this.host.kick(); }
  }

  /** Writes: as much of the queue as the send ring takes; whether any bytes moved. */
  private flush(): boolean {
    let moved = false;
    while (this.queue.length > 0) {
      const w = this.queue[0];
      const n = this.host.calls.send(this.id, w.buf);
      if (n < 0) { this.destroy(socketError(n, "write")); return moved; }
      if (n > 0) { moved = true; this.bytesWritten += n; }
      if (n < w.buf.length) { w.buf = w.buf.subarray(n); break; }
      this.queue.shift();
      w.cb();
    }
    return moved;
  }
}
