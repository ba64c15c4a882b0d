// The system calls of a drill script, mapped onto the module's socket ABI. File descriptors are
// the script's own numbers; errors come back as errno names, as packetdrill writes them.
import type { Stack } from "../engine/stack.js";
import { E, ERRNO_NAMES } from "../engine/abi.js";
import type { SyscallEvent } from "./script.js";

/** Linux errno numbers for getsockopt(SO_ERROR) values written as numbers. */
export const ERRNO: Record<string, number> = {
  EAGAIN: 11, EWOULDBLOCK: 11, EBADF: 9, EINVAL: 22, ENOBUFS: 105, EADDRINUSE: 98, ECONNRESET: 104,
  ETIMEDOUT: 110, ECONNREFUSED: 111, EPIPE: 32, EINPROGRESS: 115, ENOTCONN: 107, EOPNOTSUPP: 95,
  EALREADY: 114, EISCONN: 106,
};

export const DRILL_PORT = 8080; // packetdrill's default port on both sides

interface Fd {
  kind: "socket" | "listener" | "conn";
  id: number;
  nonblock: boolean;
  noDelay: boolean;
  keep: { on: boolean; idle: number; intvl: number; cnt: number };
  /** TCP_USER_TIMEOUT in ms, 0 when not set. */
  userTimeout: number;
  /** Bytes a blocked write has queued so far. */
  written: number;
  /** Bytes taken from the module for MSG_PEEK and not yet read. */
  peeked: Uint8Array;
}

/** unsupported: what synack drill cannot do ("setsockopt TCP_NOOPT"), which fails the script as such. */
export interface CallResult { ret: number; errno?: string; note?: string; block?: boolean; unsupported?: string }

export class Sockets {
  readonly fds = new Map<number, Fd>();
  /** The fd of the last call, whose connection %{ tcpi_state }% reads. */
  lastId = -1;
  /** The socket made last, whose state %{ tcpi_state }% reads before any connection exists. */
  private lastSocket: Fd | undefined;
  /** The ECONNRESET/ETIMEDOUT/ECONNREFUSED getsockopt(SO_ERROR) has reported (and so cleared), per connection. */
  private readonly errorTaken = new Set<number>();

  constructor(private readonly stack: Stack, private readonly peerIp: number) {}

  private fd(n: string): Fd | undefined { return this.fds.get(Number(n)); }

  private applyOptions(f: Fd): void {
    if (f.kind !== "conn") return;
    if (f.keep.on) this.stack.keepAlive(f.id, f.keep.idle * 1000, f.keep.intvl * 1000, f.keep.cnt);
    this.stack.noDelay(f.id, f.noDelay);
    if (f.userTimeout) this.stack.userTimeout(f.id, f.userTimeout);
  }

  private err(e: number): CallResult { return { ret: -1, errno: ERRNO_NAMES[e] ?? `E${-e}` }; }

  /** Run one call. block: a blocking call that cannot complete yet (the runner retries it). */
  call(ev: SyscallEvent): CallResult {
    const a = ev.args;
    const f = a.length ? this.fd(a[0]) : undefined;
    if (f && f.kind === "conn") this.lastId = f.id;
    const needFd = !["socket"].includes(ev.name);
    if (needFd && !f) return { ret: -1, errno: "EBADF" };
    switch (ev.name) {
      case "socket": {
        const n = ev.ret ?? Math.max(2, ...this.fds.keys()) + 1;
        this.lastSocket = { kind: "socket", id: -1, nonblock: false, noDelay: false,
          keep: { on: false, idle: 7200, intvl: 75, cnt: 9 }, userTimeout: 0, written: 0, peeked: new Uint8Array() };
        this.fds.set(n, this.lastSocket);
        return { ret: n };
      }
      case "bind": return { ret: 0 };
      case "listen": {
        const l = this.stack.listen(DRILL_PORT, Number(a[1]) || 1);
        if (l < 0) return this.err(l);
        f!.kind = "listener"; f!.id = l;
        return { ret: 0 };
      }
      case "accept": {
        const id = this.stack.accept(f!.id);
        if (id === E.AGAIN) return f!.nonblock ? this.err(id) : { ret: 0, block: true };
        if (id < 0) return this.err(id);
        const n = ev.ret ?? Math.max(...this.fds.keys()) + 1;
        const c: Fd = { ...f!, kind: "conn", id, peeked: new Uint8Array(), keep: { ...f!.keep }, nonblock: false };
        this.fds.set(n, c);
        this.applyOptions(c);
        this.lastId = id;
        return { ret: n };
      }
      case "connect": {
        if (f!.kind === "socket") {
          const id = this.stack.connect(this.peerIp, DRILL_PORT);
          if (id < 0) return this.err(id);
          f!.kind = "conn"; f!.id = id; this.lastId = id;
          this.applyOptions(f!);
          if (f!.nonblock) return { ret: -1, errno: "EINPROGRESS" };
        }
        const st = this.stack.state(f!.id);
        if (st === "SYN-SENT" || st === "SYN-RECEIVED") return f!.nonblock ? { ret: -1, errno: "EALREADY" } : { ret: 0, block: true };
        if (st === "CLOSED") return this.err(this.pendingError(f!));
        return f!.nonblock ? { ret: -1, errno: "EISCONN" } : { ret: 0 };
      }
      case "write": case "send": {
        // A blocking write returns once every byte is queued (as on Linux), a non-blocking one
        // with what fitted; `written` carries a blocked write's progress between retries.
        const len = Number(a[2]);
        let done = f!.written;
        while (done < len) {
          const n = this.stack.send(f!.id, new Uint8Array(Math.min(len - done, 4096)));
          if (n < 0) { f!.written = 0; return done > 0 ? { ret: done } : this.err(n); }
          if (n === 0) break;
          done += n;
        }
        if (done < len && !f!.nonblock) { f!.written = done; return { ret: 0, block: true }; }
        f!.written = 0;
        if (done === 0 && len > 0) return this.err(E.AGAIN);
        return { ret: done };
      }
      case "read": case "recv": {
        const len = Number(a[2]);
        const peek = ev.name === "recv" && /MSG_PEEK/.test(a[3] ?? "");
        if (f!.peeked.length < len) {
          const r = this.stack.recv(f!.id, len - f!.peeked.length);
          if (typeof r !== "number") f!.peeked = concat(f!.peeked, r);
          else if (f!.peeked.length === 0) {
            if (r === E.AGAIN) return f!.nonblock ? this.err(r) : { ret: 0, block: true };
            return r === 0 ? { ret: 0 } : this.err(r);
          }
        }
        const n = Math.min(len, f!.peeked.length);
        if (!peek) f!.peeked = f!.peeked.slice(n);
        return { ret: n, note: peek ? "MSG_PEEK: the bytes were taken from the module and kept by the drill" : undefined };
      }
      case "close": {
        this.fds.delete(Number(a[0]));
        const r = f!.kind === "socket" ? 0 : this.stack.close(f!.id);
        return r < 0 ? this.err(r) : { ret: 0 };
      }
      case "shutdown": {
        if (/SHUT_RD\b/.test(a[1])) return { ret: 0 };
        const r = this.stack.shutdown(f!.id);
        return r < 0 ? this.err(r) : { ret: 0 };
      }
      case "fcntl": {
        if (a[1] === "F_GETFL") return { ret: 0x02 | (f!.nonblock ? 0x800 : 0) };
        if (a[1] === "F_SETFL") { f!.nonblock = /O_NONBLOCK/.test(a[2] ?? ""); return { ret: 0 }; }
        return { ret: -1, errno: "EINVAL" };
      }
      case "getsockopt": return this.getsockopt(f!, a);
      case "setsockopt": return this.setsockopt(f!, a);
      default: return { ret: -1, unsupported: `${ev.name}()` };
    }
  }

  /** tcpi_state before any connection: the last socket made is a listener, or CLOSED. */
  unconnectedState(): "LISTEN" | "CLOSED" { return this.lastSocket?.kind === "listener" ? "LISTEN" : "CLOSED"; }

  /**
   * The error a closed connection holds: what a send would fail with (it consults the error
   * before anything else, and a closed connection sends nothing), E_PIPE meaning none.
   */
  private pendingError(f: Fd): number {
    if (f.kind !== "conn" || this.stack.state(f.id) !== "CLOSED") return 0;
    const r = this.stack.send(f.id, new Uint8Array(0));
    return r < 0 && r !== E.PIPE ? r : 0;
  }

  private getsockopt(f: Fd, a: string[]): CallResult & { value?: number } {
    switch (a[2]) {
      case "SO_ERROR": { // reading it clears it, as on Linux
        const e = this.errorTaken.has(f.id) ? 0 : this.pendingError(f);
        if (e !== 0) this.errorTaken.add(f.id);
        return { ret: 0, value: e === 0 ? 0 : ERRNO[ERRNO_NAMES[e]] ?? -e };
      }
      case "SO_RCVBUF": case "SO_SNDBUF": return { ret: 0, value: 4096 };
      case "TCP_NODELAY": return { ret: 0, value: f.noDelay ? 1 : 0 };
      default: return { ret: -1, unsupported: `getsockopt ${a[2]}` };
    }
  }

  private setsockopt(f: Fd, a: string[]): CallResult {
    const v = Number((a[3] ?? "").replace(/[[\]]/g, ""));
    switch (a[2]) {
      case "SO_REUSEADDR": case "SO_REUSEPORT": case "SO_RCVBUF": case "SO_SNDBUF": case "SO_LINGER":
        return { ret: 0, note: `${a[2]} accepted and ignored` };
      case "TCP_NODELAY": f.noDelay = v !== 0; break;
      case "SO_KEEPALIVE": f.keep.on = v !== 0; break;
      case "TCP_KEEPIDLE": f.keep.idle = v; break;
      case "TCP_KEEPINTVL": f.keep.intvl = v; break;
      case "TCP_KEEPCNT": f.keep.cnt = v; break;
      case "TCP_USER_TIMEOUT": f.userTimeout = v; break;
      default: return { ret: -1, unsupported: `setsockopt ${a[2]}` };
    }
    this.applyOptions(f);
    return { ret: 0 };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a); c.set(b, a.length);
  return c;
}
