// A listening port on synack, like node:net's Server: "listening", "connection", "close", "error",
// "drop"; listen(port | options, ...) with port 0 (or none) for an ephemeral one, address(),
// getConnections(), maxConnections, ref()/unref().
import { EventEmitter } from "node:events";
import { Socket, SocketHost } from "./socket.js";
import { socketError, EADDRNOTAVAIL } from "./errors.js";
import { E } from "../engine/abi.js";
import { ipToString, parseIp } from "../link/wire.js";

export interface ServerOptions { allowHalfOpen?: boolean; backlog?: number }
export interface ListenOptions { port?: number; host?: string; backlog?: number }

/** Where listen(0) picks a port: IANA's dynamic range (RFC 6335), as the module's connects do. */
const EPHEMERAL_LO = 49152, EPHEMERAL_HI = 65535;

export class Server extends EventEmitter {
  /** The listener's socket id; -1 when not listening. */
  id = -1;
  /** Like node:net: connections beyond this many are reset as they arrive ("drop"). */
  maxConnections?: number;
  private port = 0;
  private readonly conns = new Set<Socket>();
  private closing = false;
  private keepsRunning = true;

  /** @internal: use NetStack.createServer. */
  constructor(private readonly host: SocketHost & { servers: Set<Server> },
              private readonly opts: ServerOptions = {}, onConnection?: (s: Socket) => void) {
    super();
    if (onConnection) this.on("connection", onConnection);
  }

  get listening(): boolean { return this.id >= 0; }

  /**
   * listen([port[, host[, backlog]]][, cb]) or listen({ port, host, backlog }[, cb]): port 0 or
   * none takes a free ephemeral port; host, if given, must be our address (or 0.0.0.0).
   * "listening" on the next tick, or "error" (EADDRINUSE, EADDRNOTAVAIL...) with address and port.
   */
  listen(...args: unknown[]): this {
    const cb = args.find((a) => typeof a === "function") as (() => void) | undefined;
    const first = args[0];
    const o: ListenOptions = typeof first === "object" && first !== null ? first as ListenOptions
      : { port: typeof first === "number" || typeof first === "string" ? Number(first) : undefined,
          host: typeof args[1] === "string" ? args[1] : undefined,
          backlog: (args.slice(1).find((a) => typeof a === "number") as number | undefined) };
    if (cb) this.once("listening", cb);
    const ours = ipToString(this.host.calls.address());
    const fail = (errno: number, port: number) => {
      process.nextTick(() => this.emit("error", socketError(errno, "listen", o.host ?? ours, port)));
      return this;
    };
    const port = o.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(E.INVAL, port);
    if (o.host !== undefined && o.host !== "0.0.0.0" && o.host !== ours) {
      return fail(parseIp(o.host) === null ? E.INVAL : EADDRNOTAVAIL, port);
    }
    const backlog = o.backlog ?? this.opts.backlog ?? 8;
    let id: number = E.INVAL, chosen = port;
    if (port !== 0) id = this.host.calls.listen(port, backlog);
    else { // a free port of the dynamic range, tried from a random place in it
      const span = EPHEMERAL_HI - EPHEMERAL_LO + 1, start = Math.floor(Math.random() * span);
      for (let i = 0; i < span; i++) {
        chosen = EPHEMERAL_LO + (start + i) % span;
        id = this.host.calls.listen(chosen, backlog);
        if (id !== E.ADDRINUSE) break;
      }
    }
    if (id < 0) return fail(id, chosen);
    this.id = id; this.port = chosen; this.closing = false;
    this.host.servers.add(this);
    this.host.ref(this, this.keepsRunning);
    process.nextTick(() => this.emit("listening"));
    return this;
  }

  address(): { address: string; family: string; port: number } | null {
    return this.id < 0 ? null : { address: ipToString(this.host.calls.address()), family: "IPv4", port: this.port };
  }

  /** How many connections this server accepted are open now. */
  getConnections(cb: (err: Error | null, count: number) => void): this {
    const n = this.conns.size;
    process.nextTick(() => cb(null, n));
    return this;
  }

  /** Whether a listening server keeps the program running (ref, the default) or not (unref). */
  ref(): this { this.keepsRunning = true; if (this.id >= 0) this.host.ref(this, true); return this; }
  unref(): this { this.keepsRunning = false; if (this.id >= 0) this.host.ref(this, false); return this; }

  /** Stop listening (not-yet-accepted connections are reset); "close" once every connection is gone. */
  close(cb?: (err?: Error) => void): this {
    if (cb) this.once("close", cb);
    if (this.id >= 0) {
      this.host.calls.close(this.id);
      this.host.servers.delete(this);
      this.host.ref(this, null);
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
      if (this.maxConnections !== undefined && this.conns.size >= this.maxConnections) {
        const { localAddress, localPort, remoteAddress, remotePort, remoteFamily } = s;
        s.resetAndDestroy();
        this.emit("drop", { localAddress, localPort, remoteAddress, remotePort, remoteFamily });
        continue;
      }
      this.conns.add(s);
      s.once("close", () => { this.conns.delete(s); this.maybeClosed(); });
      this.emit("connection", s);
      s.pump();
    }
  }
}
