// Read-only views of the frames the module sends and receives: enough to trace, draw and test.

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20 } as const;

export interface TcpSegment {
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  wnd: number;
  mss: number; // 0 when absent
  data: Uint8Array;
}

export function ipToString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function parseIp(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const b = m.slice(1).map(Number);
  if (b.some((x) => x > 255)) return null;
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

function mac(f: Uint8Array, off: number): string {
  return Array.from(f.subarray(off, off + 6), (b) => b.toString(16).padStart(2, "0")).join(":");
}

/** The TCP segment inside an Ethernet II / IPv4 frame, or null for anything else. */
export function parseTcpFrame(f: Uint8Array): TcpSegment | null {
  if (f.length < 14 + 20 + 20) return null;
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  if (v.getUint16(12) !== 0x0800) return null;
  const ihl = (f[14] & 15) * 4;
  if (f[14] >> 4 !== 4 || ihl < 20 || f[23] !== 6) return null;
  const total = v.getUint16(16);
  const t = 14 + ihl;
  if (total < ihl + 20 || 14 + total > f.length) return null;
  const hlen = (f[t + 12] >> 4) * 4;
  if (hlen < 20 || ihl + hlen > total) return null;
  let mss = 0;
  for (let o = t + 20; o < t + hlen; ) {
    const kind = f[o];
    if (kind === 0) break;
    if (kind === 1) { o++; continue; }
    const len = f[o + 1];
    if (len < 2) break;
    if (kind === 2 && len === 4) mss = v.getUint16(o + 2);
    o += len;
  }
  return {
    dstMac: mac(f, 0),
    srcMac: mac(f, 6),
    srcIp: ipToString(v.getUint32(26)),
    dstIp: ipToString(v.getUint32(30)),
    srcPort: v.getUint16(t),
    dstPort: v.getUint16(t + 2),
    seq: v.getUint32(t + 4),
    ack: v.getUint32(t + 8),
    flags: f[t + 13] & 0x3f,
    wnd: v.getUint16(t + 14),
    mss,
    data: f.subarray(t + hlen, 14 + total),
  };
}

/** Flag names as tcpdump would list them: SYN, SYN,ACK, FIN,ACK, ACK, PSH,ACK, RST... */
export function flagNames(flags: number): string {
  const order: [number, string][] = [
    [TCP_FLAGS.SYN, "SYN"], [TCP_FLAGS.FIN, "FIN"], [TCP_FLAGS.RST, "RST"],
    [TCP_FLAGS.PSH, "PSH"], [TCP_FLAGS.ACK, "ACK"], [TCP_FLAGS.URG, "URG"],
  ];
  return order.filter(([bit]) => flags & bit).map(([, n]) => n).join(",") || "none";
}
