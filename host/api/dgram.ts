// A synack UDP socket shaped like node:dgram's: bind, send, "message" with the sender's address.
import { EventEmitter } from "node:events";
import { E } from "../engine/abi.js";
import { ipToString, parseIp } from "../link/wire.js";
import type { Stack } from "../engine/stack.js";
import { socketError } from "./errors.js";

export interface RemoteInfo { address: string; family: "IPv4"; port: number; size: number }

/** What a UDP socket needs from its stack. */
export interface DgramHost {
  readonly stack: Stack;
  kick(): void;
  addPoller(p: { pump(): void }): void;
  removePoller(p: { pump(): void }): void;
}

export class UdpSocket extends EventEmitter {
  /** The module's UDP socket id; -1 when not bound. */
  id = -1;

  /** @internal: use NetStack.createSocket. */
  constructor(private readonly host: DgramHost, onMessage?: (msg: Buffer, rinfo: RemoteInfo) => void) {
    super();
    if (onMessage) this.on("message", onMessage);
  }

  /** bind([port][, cb]): "listening" on the next tick, or "error" (EADDRINUSE, ENOBUFS). */
  bind(port = 0, cb?: () => void): this {
    if (typeof port === "function") { cb = port; port = 0; }
    if (cb) this.once("listening", cb);
    const id = this.host.stack.x.udp_bind(port);
    if (id < 0) { process.nextTick(() => this.emit("error", socketError(id, "bind", String(port)))); return this; }
    this.id = id;
    this.host.addPoller(this);
    process.nextTick(() => this.emit("listening"));
    return this;
  }

  address(): { address: string; family: string; port: number } {
    if (this.id < 0) throw socketError(E.BADF, "address");
    return { address: ipToString(this.host.stack.address()), family: "IPv4", port: this.host.stack.x.udp_local_port(this.id) };
  }

  /** send(msg, port, address[, cb]): one datagram (binds an ephemeral port first if needed). */
  send(msg: string | Uint8Array, port: number, address: string, cb?: (err: Error | null, bytes?: number) => void): void {
    if (this.id < 0) this.bind(0);
    const data = typeof msg === "string" ? Buffer.from(msg) : msg;
    const ip = parseIp(address);
    const x = this.host.stack.x;
    let r: number = E.INVAL;
    if (ip !== null && this.id >= 0 && data.length <= x.io_buffer_size()) {
      this.host.stack.view().set(data, x.io_buffer());
      r = x.udp_sendto(this.id, ip, port, data.length);
    }
    this.host.kick();
    const err = r < 0 ? socketError(r, "send", `${address}:${port}`) : null;
    if (cb) process.nextTick(() => cb(err, r < 0 ? undefined : r));
    else if (err) process.nextTick(() => this.emit("error", err));
  }

  close(cb?: () => void): this {
    if (cb) this.once("close", cb);
    if (this.id >= 0) { this.host.stack.x.udp_close(this.id); this.host.removePoller(this); this.id = -1; }
    process.nextTick(() => this.emit("close"));
    return this;
  }

  /** @internal: deliver queued datagrams; called after every poll. */
  pump(): void {
    const st = this.host.stack;
    while (this.id >= 0) {
      const n = st.x.udp_recvfrom(this.id, st.x.io_buffer_size());
      if (n < 0) break;
      const p = st.x.io_buffer();
      const msg = Buffer.from(st.view().slice(p, p + n));
      this.emit("message", msg, { address: ipToString(st.x.udp_from_ip() >>> 0), family: "IPv4", port: st.x.udp_from_port(), size: n });
    }
  }
}
