// The socket calls the library's sockets make, whichever engine runs the module: V8 in this
// process (Stack, host/engine/stack.ts, over the exports), or a board's firmware (ControlCalls,
// control.ts: synack.h by the control protocol, over the native board's FIFOs or the emulated
// board's channel).
// Every call returns at once, with a count, an id or a negative E code, as the exports do.

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
  sockState(id: number): number;
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
  /** Start looking up a name: a handle, or a negative error. */
  resolve(name: string): number;
  /** r 0 with the address once resolved, E.AGAIN while asking, else the error. */
  resolveResult(handle: number): { r: number; ip: number };
}
