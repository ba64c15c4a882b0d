// A pcap file writer (LINKTYPE_ETHERNET, microsecond timestamps) for Wireshark and tcpdump.
import { openSync, writeSync, closeSync } from "node:fs";

/** Wall-clock microseconds: the epoch time of the process start plus the monotonic clock. */
export function nowMicros(): number { return Math.floor((performance.timeOrigin + performance.now()) * 1000); }

export class PcapWriter {
  private fd: number;
  constructor(path: string) {
    this.fd = openSync(path, "w");
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(65535, 16); // snaplen
    h.writeUInt32LE(1, 20);     // Ethernet
    writeSync(this.fd, h);
  }

  /** when: microseconds since the epoch (default: now, to the microsecond the clock gives). */
  write(frame: Uint8Array, when = nowMicros()): void {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(Math.floor(when / 1e6), 0);
    r.writeUInt32LE(Math.floor(when % 1e6), 4);
    r.writeUInt32LE(frame.length, 8);
    r.writeUInt32LE(frame.length, 12);
    writeSync(this.fd, r);
    writeSync(this.fd, frame);
  }

  close(): void { closeSync(this.fd); }
}
