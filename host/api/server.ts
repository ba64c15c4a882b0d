// A listening port on synack, like node:net's Server: "listening", "connection", "close", "error".
import { EventEmitter } from "node:events";
import { Socket, SocketHost } from "./socket.js";
import { socketError } from "./errors.js";
import { ipToString } from "../link/wire.js";

export interface ServerOptions { allowHalfOpen?: boolean; backlog?: number }

export class Server extends EventEmitter {
  /** The listener's socket id; -1 when not listening. */
  id = -1;
  private port = 0;
  private readonly conns = new Set<Socket>();
  private closing = false;

  /** @internal: use NetStack.createServer. */
  constructor(private readonly host: SocketHost & { servers: Set<Server> }, private readonly opts: ServerOptions = {},
              onConnection?: (s: Socket) => void) {
    super();
    if (onConnection) this.on("connection", onConnection);
  }

  get listening(): boolean { return this.id >= 0; }

  /** listen(port[, backlog][, cb]): "listening" on the next tick, or "error" (EADDRINUSE...). */
  listen(port: number, ...rest: unknown[]): this {
    const cb = rest.find((a) => typeof a === "function") as (() => void) | undefined;
    const backlog = (rest.find((a) => typeof a === "number") as number | undefined) ?? this.opts.backlog ?? 8;
    if (cb) this.once("listening", cb);
    const id = this.host.calls.listen(port, backlog);
    if (id < 0) { process.nextTick(() => this.emit("error", socketError(id, "listen", String(port)))); return this; }
    this.id = id; this.port = port; this.closing = false;
    this.host.servers.add(this);
    process.nextTick(() => this.emit("listening"));
    return this;
  }

  address(): { address: string; family: string; port: number } | null {
    return this.id < 0 ? null : { address: ipToString(this.host.calls.address()), family: "IPv4", port: this.port };
  }

  /** Stop listening (not-yet-accepted connections are reset); "close" once every connection is gone. */
  close(cb?: (err?: Error) => void): this {
    if (cb) this.once("close", cb);
    if (this.id >= 0) {
      this.host.calls.close(this.id);
      this.host.servers.delete(this);
      this.id = -1;
      this.host.kick();
    }
    this.closing = true;
    this.maybeClosed();
    return this;
  }

  private maybeClosed(): void {
    if (this.closing && this.conns.size === 0) { this.closing = false; process.nextTick(() => this.emit("close")); }
  }

  /** @internal: accept what is established; called after every poll. */
  pump(): void {
    while (this.id >= 0) {
      const c = this.host.calls.accept(this.id);
      if (c < 0) break;
      const s = new Socket(this.host, c, false, this.opts.allowHalfOpen ?? false);
      this.conns.add(s);
      s.once("close", () => { this.conns.delete(s); this.maybeClosed(); });
      this.emit("connection", s);
      s.pump();
    }
  }
}
