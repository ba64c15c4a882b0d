// Read-only views of the frames the module sends and receives: enough to trace, draw and test.

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

export interface TcpSegment {
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number; // all eight, ECE and CWR (RFC 3168) too
  ecn: number; // the IP header's ECN field (RFC 3168): 0 not ECT, 1 ECT(1), 2 ECT(0), 3 CE
  wnd: number;
  mss: number; // 0 when absent
  wscale: number; // the Window Scale shift, -1 when absent
  ts: [number, number] | null; // the Timestamps option: [TSval, TSecr], null when absent
  sackOk: boolean; // the SACK-permitted option (RFC 2018)
  sack: [number, number][]; // the SACK option's blocks [left, right), in the order sent
  optionKinds: number[]; // every option's kind in the order sent (0 for the EOL and each padding byte after it, 1 for NOP)
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

/** xx:xx:xx:xx:xx:xx, of the six bytes at off. */
export function macToString(m: Uint8Array, off = 0): string {
  return Array.from(m.subarray(off, off + 6), (b) => b.toString(16).padStart(2, "0")).join(":");
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
  let wscale = -1;
  let ts: [number, number] | null = null;
  let mss = 0;
  let sackOk = false;
  const sack: [number, number][] = [];
  const optionKinds: number[] = [];
  let ended = false; // after the EOL: the kinds are listed, their values not read
  for (let o = t + 20; o < t + hlen; ) {
    const kind = f[o];
    optionKinds.push(kind);
    if (kind === 0 || kind === 1) { ended ||= kind === 0; o++; continue; }
    const len = f[o + 1];
    if (len < 2) break;
    if (ended) { o += len; continue; }
    if (kind === 2 && len === 4) mss = v.getUint16(o + 2);
    if (kind === 3 && len === 3) wscale = f[o + 2];
    if (kind === 8 && len === 10) ts = [v.getUint32(o + 2), v.getUint32(o + 6)];
    if (kind === 4 && len === 2) sackOk = true;
    if (kind === 5) for (let b = o + 2; b + 8 <= o + len; b += 8) sack.push([v.getUint32(b), v.getUint32(b + 4)]);
    o += len;
  }
  return {
    dstMac: macToString(f, 0),
    srcMac: macToString(f, 6),
    srcIp: ipToString(v.getUint32(26)),
    dstIp: ipToString(v.getUint32(30)),
    srcPort: v.getUint16(t),
    dstPort: v.getUint16(t + 2),
    seq: v.getUint32(t + 4),
    ack: v.getUint32(t + 8),
    flags: f[t + 13],
    ecn: f[15] & 3,
    wnd: v.getUint16(t + 14),
    mss,
    wscale,
    ts,
    sackOk,
    sack,
    optionKinds,
    data: f.subarray(t + hlen, 14 + total),
  };
}

/** Flag names as tcpdump would list them: SYN, SYN,ACK, FIN,ACK, ACK, PSH,ACK, RST... */
export function flagNames(flags: number): string {
  const order: [number, string][] = [
    [TCP_FLAGS.SYN, "SYN"], [TCP_FLAGS.FIN, "FIN"], [TCP_FLAGS.RST, "RST"],
    [TCP_FLAGS.PSH, "PSH"], [TCP_FLAGS.ACK, "ACK"], [TCP_FLAGS.URG, "URG"], [TCP_FLAGS.ECE, "ECE"], [TCP_FLAGS.CWR, "CWR"],
  ];
  return order.filter(([bit]) => flags & bit).map(([, n]) => n).join(",") || "none";
}

/** RFC 1071 sum of b[start..end) plus init: folded to 16 bits, network order, not complemented. */
export function internetSum(b: Uint8Array, start = 0, end = b.length, init = 0): number {
  let s = init;
  for (let i = start; i + 1 < end; i += 2) s += (b[i] << 8) | b[i + 1];
  if ((end - start) & 1) s += b[end - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return s;
}

function put16(f: Uint8Array, at: number, v: number): void { f[at] = (v >> 8) & 255; f[at + 1] = v & 255; }

/**
 * Make the checksums of an Ethernet/IPv4 frame right: the IPv4 header's, then the TCP, UDP or
 * ICMP checksum over what the total length covers, where the lengths allow it.
 */
export function fixChecksums(f: Uint8Array): void {
  if (f.length < 34 || f[12] !== 0x08 || f[13] !== 0x00) return;
  const ihl = (f[14] & 15) * 4;
  if (ihl < 20 || 14 + ihl > f.length) return;
  put16(f, 24, 0);
  put16(f, 24, ~internetSum(f, 14, 14 + ihl) & 0xffff);
  const t = 14 + ihl;
  const end = Math.min(f.length, 14 + ((f[16] << 8) | f[17]));
  const proto = f[23];
  const at = proto === 6 ? 16 : proto === 17 ? 6 : proto === 1 ? 2 : -1; // where the checksum sits
  if (at < 0 || end - t < at + 2) return;
  put16(f, t + at, 0);
  let init = 0;
  if (proto !== 1) { // TCP and UDP cover the pseudo-header too
    init = proto + (end - t);
    for (let i = 26; i < 34; i += 2) init += (f[i] << 8) | f[i + 1];
  }
  put16(f, t + at, ~internetSum(f, t, end, init) & 0xffff);
}
