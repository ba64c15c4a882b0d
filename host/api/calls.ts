// The socket calls the library's sockets make, whichever engine runs the module: V8 in this
// process (the exports, through Stack), or the native board (synack.h, over its control channel).
// Every call returns at once, with a count, an id or a negative E code, as the exports do.
import type { Stack } from "../engine/stack.js";
import { E } from "../engine/abi.js";

export interface Datagram { data: Uint8Array; ip: number; port: number }

export interface StackCalls {
  listen(port: number, backlog: number): number;
  accept(listener: number): number;
  connect(ip: number, port: number): number;
  /** Bytes taken (maybe fewer than data.length), or a negative error. */
  send(id: number, data: Uint8Array): number;
  /** Bytes received, 0 at the peer's FIN, or a negative error (E.AGAIN: none yet); max 0 asks only for the error. */
  recv(id: number, max?: number): Uint8Array | number;
  shutdown(id: number): number;
  close(id: number): number;
  abort(id: number): number;
  /** RFC 9293 state number (abi.ts STATES). */
  state(id: number): number;
  remote(id: number): { ip: number; port: number };
  localPort(id: number): number;
  noDelay(id: number, on: boolean): number;
  keepAlive(id: number, idleMs: number, intervalMs: number, count: number): number;
  /** Our address (0 while DHCP has none). */
  address(): number;
  udpBind(port: number): number;
  udpSendTo(id: number, ip: number, port: number, data: Uint8Array): number;
  udpRecvFrom(id: number): Datagram | number;
  udpClose(id: number): number;
  udpLocalPort(id: number): number;
  statsText(): string;
  connsText(): string;
}

/** The calls on a module running in this process. */
export class V8Calls implements StackCalls {
  constructor(private readonly s: Stack) {}
  listen(port: number, backlog: number): number { return this.s.listen(port, backlog); }
  accept(listener: number): number { return this.s.accept(listener); }
  connect(ip: number, port: number): number { return this.s.connect(ip, port); }
  send(id: number, data: Uint8Array): number { return this.s.send(id, data); }
  recv(id: number, max?: number): Uint8Array | number { return max === 0 ? this.s.x.sock_recv(id, 0) : this.s.recv(id, max); }
  shutdown(id: number): number { return this.s.shutdown(id); }
  close(id: number): number { return this.s.close(id); }
  abort(id: number): number { return this.s.abort(id); }
  state(id: number): number { return this.s.x.sock_state(id); }
  remote(id: number): { ip: number; port: number } { return this.s.remote(id); }
  localPort(id: number): number { return this.s.localPort(id); }
  noDelay(id: number, on: boolean): number { return this.s.noDelay(id, on); }
  keepAlive(id: number, idleMs: number, intervalMs: number, count: number): number { return this.s.keepAlive(id, idleMs, intervalMs, count); }
  address(): number { return this.s.address(); }
  udpBind(port: number): number { return this.s.x.udp_bind(port); }
  udpSendTo(id: number, ip: number, port: number, data: Uint8Array): number {
    const x = this.s.x;
    if (data.length > x.io_buffer_size()) return E.INVAL; // larger than one datagram can be
    this.s.view().set(data, x.io_buffer());
    return x.udp_sendto(id, ip, port, data.length);
  }
  udpRecvFrom(id: number): Datagram | number {
    const x = this.s.x;
    const n = x.udp_recvfrom(id, x.io_buffer_size());
    if (n < 0) return n;
    const p = x.io_buffer();
    return { data: this.s.view().slice(p, p + n), ip: x.udp_from_ip() >>> 0, port: x.udp_from_port() };
  }
  udpClose(id: number): number { return this.s.x.udp_close(id); }
  udpLocalPort(id: number): number { return this.s.x.udp_local_port(id); }
  statsText(): string { return this.s.statsText(); }
  connsText(): string { return this.s.connsText(); }
}
