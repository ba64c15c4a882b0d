// A synack UDP socket shaped like node:dgram's: bind, send, "message" with the sender's address.
import { EventEmitter } from "node:events";
import { E } from "../engine/abi.js";
import { ipToString, parseIp } from "../link/wire.js";
import type { StackCalls } from "../engine/calls.js";
import { socketError } from "./errors.js";

export interface RemoteInfo { address: string; family: "IPv4"; port: number; size: number }

/** What a UDP socket needs from its stack. */
export interface DgramHost {
  readonly calls: StackCalls;
  kick(): void;
  addPoller(p: { pump(): void }): void;
  removePoller(p: { pump(): void }): void;
  ref(handle: object, on: boolean | null): void;
}

export class UdpSocket extends EventEmitter {
  /** The module's UDP socket id; -1 when not bound. */
  id = -1;
  private keepsRunning = true;

  /** @internal: use NetStack.createSocket. */
  constructor(private readonly host: DgramHost, onMessage?: (msg: Buffer, rinfo: RemoteInfo) => void) {
    super();
    if (onMessage) this.on("message", onMessage);
  }

  /** bind([port][, cb]): "listening" on the next tick, or "error" (EADDRINUSE, ENOBUFS). */
  bind(port = 0, cb?: () => void): this {
    if (typeof port === "function") { cb = port; port = 0; }
    if (cb) this.once("listening", cb);
    const id = this.host.calls.udpBind(port);
    if (id < 0) { process.nextTick(() => this.emit("error", socketError(id, "bind", ipToString(this.host.calls.address()), port))); return this; }
    this.id = id;
    this.host.addPoller(this);
    this.host.ref(this, this.keepsRunning);
    process.nextTick(() => this.emit("listening"));
    return this;
  }

  address(): { address: string; family: string; port: number } {
    if (this.id < 0) throw socketError(E.BADF, "address");
    return { address: ipToString(this.host.calls.address()), family: "IPv4", port: this.host.calls.udpLocalPort(this.id) };
  }

  /** send(msg, port, address[, cb]): one datagram (binds an ephemeral port first if needed). */
  send(msg: string | Uint8Array, port: number, address: string, cb?: (err: Error | null, bytes?: number) => void): void {
    if (this.id < 0) this.bind(0);
    const data = typeof msg === "string" ? Buffer.from(msg) : msg;
    const ip = parseIp(address);
    const r = ip !== null && this.id >= 0 ? this.host.calls.udpSendTo(this.id, ip, port, data) : E.INVAL;
    this.host.kick();
    const err = r < 0 ? socketError(r, "send", address, port) : null;
    if (cb) process.nextTick(() => cb(err, r < 0 ? undefined : r));
    else if (err) process.nextTick(() => this.emit("error", err));
  }

  close(cb?: () => void): this {
    if (cb) this.once("close", cb);
    if (this.id >= 0) { this.host.calls.udpClose(this.id); this.host.removePoller(this); this.host.ref(this, null); this.id = -1; }
    process.nextTick(() => this.emit("close"));
    return this;
  }

  /** Whether a bound socket keeps the program running (ref, the default) or not (unref), as node:dgram's. */
  ref(): this { this.keepsRunning = true; if (this.id >= 0) this.host.ref(this, true); return this; }
  unref(): this { this.keepsRunning = false; if (this.id >= 0) this.host.ref(this, false); return this; }

  /** @internal: deliver queued datagrams; called after every poll. */
  pump(): void {
    while (this.id >= 0) {
      const d = this.host.calls.udpRecvFrom(this.id);
      if (typeof d === "number") break;
      const msg = Buffer.from(d.data.buffer, d.data.byteOffset, d.data.length);
      this.emit("message", msg, { address: ipToString(d.ip), family: "IPv4", port: d.port, size: msg.length });
    }
  }
}
