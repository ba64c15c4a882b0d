// The socket calls over the control protocol (boards/common/control.h): each call is one request
// to a board's firmware, answered before it returns, so sockets behave as they do on V8. The
// transport is the board's: FIFOs for the native board (board.ts), the channel's 'K'/'A' messages
// for the emulated one (xtensa-serve.ts).
import { E } from "./abi.js";
import type { Datagram, StackCalls } from "./calls.js";

/** One request (header and payload) to the board; its answer (header and payload). Throws if the board is gone. */
export type RoundTrip = (request: Buffer) => Buffer;

export interface Answer { r: number; x: number; y: number; data: Uint8Array }

export class ControlCalls implements StackCalls {
  private readonly head = Buffer.alloc(20);
  private why: string | null = null;

  /** maxPayload: the most one request or answer carries on this transport. */
  constructor(private readonly trip: RoundTrip, readonly maxPayload: number) {}

  /** Why the board stopped answering, or null while it answers. */
  get error(): string | null { return this.why; }
  /** From now on every call answers EBADF. */
  gone(why: string): void { this.why ??= why; }

  /** One request, answered: result, two more numbers, and the payload. E.BADF once the board is gone. */
  call(op: string, a = 0, b = 0, c = 0, d = 0, payload?: Uint8Array): Answer {
    if (this.why) return { r: E.BADF, x: 0, y: 0, data: new Uint8Array() };
    const h = this.head;
    const len = payload ? Math.min(payload.length, this.maxPayload) : 0;
    h.fill(0);
    h[0] = op.charCodeAt(0); h.writeUInt16LE(len, 2);
    h.writeUInt32LE(a >>> 0, 4); h.writeUInt32LE(b >>> 0, 8); h.writeUInt32LE(c >>> 0, 12); h.writeUInt32LE(d >>> 0, 16);
    try {
      const ans = this.trip(len ? Buffer.concat([h, payload!.subarray(0, len)]) : h);
      return { r: ans.readInt32LE(0), x: ans.readUInt32LE(4), y: ans.readUInt32LE(8), data: ans.subarray(16, 16 + ans.readUInt16LE(12)) };
    } catch (e) {
      this.why = (e as Error).message;
      return { r: E.BADF, x: 0, y: 0, data: new Uint8Array() };
    }
  }

  listen(port: number, backlog: number): number { return this.call("L", port, backlog).r; }
  accept(listener: number): number { return this.call("A", listener).r; }
  connect(ip: number, port: number): number { return this.call("C", ip, port).r; }
  send(id: number, data: Uint8Array): number { return this.call("W", id, 0, 0, 0, data).r; }
  recv(id: number, max = this.maxPayload): Uint8Array | number {
    const a = this.call("R", id, Math.min(max, this.maxPayload));
    return a.r > 0 ? a.data : a.r;
  }
  shutdown(id: number): number { return this.call("H", id).r; }
  close(id: number): number { return this.call("X", id).r; }
  abort(id: number): number { return this.call("K", id).r; }
  sockState(id: number): number { const r = this.call("T", id).r; return r < 0 ? 0 : r; }
  remote(id: number): { ip: number; port: number } { const a = this.call("I", id); return { ip: a.x >>> 0, port: a.y & 0xffff }; }
  localPort(id: number): number { return this.call("I", id).y >>> 16; }
  noDelay(id: number, on: boolean): number { return this.call("N", id, on ? 1 : 0).r; }
  keepAlive(id: number, idleMs: number, intervalMs: number, count: number): number { return this.call("E", id, idleMs, intervalMs, count).r; }
  address(): number { return this.call("G").x >>> 0; }
  /** Our address and its prefix length (0 and 0 while DHCP has none). */
  ourAddress(): { ip: number; prefixLen: number } { const a = this.call("G"); return { ip: a.x >>> 0, prefixLen: a.y }; }
  udpBind(port: number): number { return this.call("B", port).r; }
  udpSendTo(id: number, ip: number, port: number, data: Uint8Array): number {
    return data.length > this.maxPayload ? E.INVAL : this.call("U", id, ip, port, 0, data).r;
  }
  udpRecvFrom(id: number): Datagram | number {
    const a = this.call("V", id, this.maxPayload);
    return a.r < 0 ? a.r : { data: a.data, ip: a.x >>> 0, port: a.y };
  }
  udpClose(id: number): number { return this.call("Y", id).r; }
  udpLocalPort(id: number): number { return Math.max(0, this.call("Z", id).r); }
  statsText(): string { return Buffer.from(this.call("S").data).toString(); }
  connsText(): string { return Buffer.from(this.call("O").data).toString(); }
  resolve(name: string): number {
    const b = Buffer.from(name);
    return b.length > 255 ? E.INVAL : this.call("D", 0, 0, 0, 0, b).r;
  }
  resolveResult(handle: number): { r: number; ip: number } { const a = this.call("J", handle); return { r: a.r, ip: a.x >>> 0 }; }
  /** Close every connection (FIN; RST with abort): how many are still closing. */
  closeAll(abort: boolean): number { return this.call("Q", abort ? 1 : 0).r; }
  /** Run the module once now (what the native board does after each batch of calls anyway). */
  step(): number { return this.call("P").r; }
}
