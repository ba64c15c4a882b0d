// TCP header (RFC 9293 §3.1): a view over the segment bytes and the `Segment` repr, which parse
// fills and emit writes from (both directions, as smoltcp's TcpRepr).
import { get16, get32, put16, put32, put8, get8 } from "../util/bytes";
import { sumBytes, finish, pseudoHeaderSum } from "./checksum";
import { C } from "../util/counters";
import { PROTO_TCP } from "./ipv4";

// Field offsets.
const SRC_PORT = 0;
const DST_PORT = 2;
const SEQ = 4;
const ACK = 8;
const DATA_OFF = 12;
const FLAGS = 13;
const WINDOW = 14;
const CHECKSUM = 16;
const URGENT = 18;
export const TCP_HEADER_LEN: i32 = 20;

export const FIN: u32 = 0x01;
export const SYN: u32 = 0x02;
export const RST: u32 = 0x04;
export const PSH: u32 = 0x08;
export const ACK_FLAG: u32 = 0x10;
export const URG: u32 = 0x20;
/** RFC 3168 §6.1: ECN-Echo and Congestion Window Reduced. */
export const ECE: u32 = 0x40;
export const CWR: u32 = 0x80;

const OPT_END: u32 = 0;
const OPT_NOP: u32 = 1;
const OPT_MSS: u32 = 2;
const OPT_WSCALE: u32 = 3;
const OPT_SACK_PERMITTED: u32 = 4;
const OPT_SACK: u32 = 5;
const OPT_TIMESTAMPS: u32 = 8;
/** Bytes the Timestamps option takes with its two NOPs (RFC 7323 Appendix A layout). */
export const TS_OPTION_LEN: i32 = 12;
/** SACK blocks a segment can carry: 40 option bytes hold four (RFC 2018 §3), three next to timestamps. */
export const SACK_MAX_BLOCKS: i32 = 4;
/** Bytes of a SACK option of n blocks, with the two NOPs that align it. */
@inline export function sackOptionLen(n: i32): i32 { return n > 0 ? 4 + 8 * n : 0; }

/** RFC 9293 §3.7.1: the MSS to assume when a SYN carries no MSS option. */
export const DEFAULT_MSS: u32 = 536;

/**
 * A segment: what parseSegment validates and fills (TCP input never reads raw header bytes), and
 * what emitSegment writes.
 */
export class Segment {
  srcIp: u32 = 0;
  dstIp: u32 = 0;
  srcPort: u32 = 0;
  dstPort: u32 = 0;
  seq: u32 = 0;
  ack: u32 = 0;
  flags: u32 = 0;
  wnd: u32 = 0;
  urgent: u32 = 0;
  /** The IP header's ECN field it came with or goes out with (RFC 3168: 0 not ECT, 2 ECT(0), 3 CE). */
  ecn: u32 = 0;
  /** MSS option value, 0 when absent. */
  mss: u32 = 0;
  /** Window Scale shift on a SYN (-1 when absent or not a SYN), already clamped to 14. */
  wscale: i32 = -1;
  /** The shift the peer asked for, before clamping (RFC 7323 §2.3: above 14 is used as 14). */
  wscaleAsked: i32 = -1;
  /** RFC 7323 Timestamps option: present, TSval and TSecr. */
  hasTs: bool = false;
  tsVal: u32 = 0;
  tsEcr: u32 = 0;
  /** RFC 2018 SACK-permitted, on a SYN only. */
  sackOk: bool = false;
  /**
   * The SACK option's blocks [left, right), sackCount of them, read in place (sackLeft, sackRight);
   * an option whose length is not 2 + 8n (n >= 1) is ignored (sackBad set, counted by TCP input).
   * The blocks' numbers are not checked here.
   */
  sackCount: i32 = 0;
  sackBad: bool = false;
  /** Parsed: the blocks in place, in wire order. */
  sackAt: usize = 0;
  /** To emit: block i is [sackLefts[i], sackRights[i]), from two arrays of u32 (the out-of-order ranges). */
  sackLefts: usize = 0;
  sackRights: usize = 0;
  /** Parsed: where the data is. To emit: the payload already sits at the header's end. */
  data: usize = 0;
  dataLen: i32 = 0;

  @inline has(f: u32): bool { return (this.flags & f) != 0; }
  /** The segment from its first octet after the SYN: what is left once the SYN is taken. */
  @inline skipSyn(): void { this.seq += 1; this.flags &= ~SYN; }
  @inline sackLeft(i: i32): u32 { return get32(this.sackAt + <usize>(8 * i)); }
  @inline sackRight(i: i32): u32 { return get32(this.sackAt + <usize>(8 * i + 4)); }
  /** The header's length with the options set here. */
  @inline get headerLen(): i32 { return headerLen(this.mss, this.wscale, this.hasTs, this.sackOk, this.sackCount); }
  /** SEG.LEN: data plus one for each of SYN and FIN. */
  @inline get segLen(): u32 {
    return <u32>this.dataLen + ((this.flags & SYN) ? 1 : 0) + ((this.flags & FIN) ? 1 : 0);
  }
}

/**
 * Parse and validate the TCP segment at p (len bytes of IP payload) into seg.
 * Returns -1 when valid, else the counter naming why it must be dropped.
 */
export function parseSegment(src: u32, dst: u32, p: usize, len: i32, seg: Segment): i32 {
  if (len < TCP_HEADER_LEN) return C.TCP_DROP_SHORT;
  const hlen = <i32>(get8(p + DATA_OFF) >> 4) * 4;
  if (hlen < TCP_HEADER_LEN || hlen > len) return C.TCP_DROP_DATA_OFFSET;
  const sum = sumBytes(p, len, pseudoHeaderSum(src, dst, PROTO_TCP, <u32>len));
  if (finish(sum) != 0) return C.TCP_DROP_CHECKSUM;

  seg.srcIp = src;
  seg.dstIp = dst;
  seg.srcPort = get16(p + SRC_PORT);
  seg.dstPort = get16(p + DST_PORT);
  if (seg.srcPort == 0 || seg.dstPort == 0) return C.TCP_DROP_PORT_ZERO;
  seg.seq = get32(p + SEQ);
  seg.ack = get32(p + ACK);
  seg.flags = get8(p + FLAGS);
  seg.wnd = get16(p + WINDOW);
  seg.urgent = get16(p + URGENT);
  seg.data = p + <usize>hlen;
  seg.dataLen = len - hlen;
  seg.mss = 0;
  seg.wscale = -1;
  seg.wscaleAsked = -1;
  seg.hasTs = false;
  seg.sackOk = false;
  seg.sackCount = 0;
  seg.sackBad = false;

  // The null segment and SYN with RST: no stack sends them and no state can take them; scanners
  // and attacks do. SYN with FIN is left to TCP input, which RFC 9293 §3.10.7 says what to do with
  // in every state (no RFC lets it be dropped here).
  const f = seg.flags;
  if (f == 0 || ((f & SYN) && (f & RST))) return C.TCP_DROP_FLAGS;
  // The urgent pointer may point past this segment (the urgent byte comes later, RFC 9293
  // §3.8.5); we take urgent data as ordinary data, so the pointer itself is never a reason to drop.

  // Options: every length must be >= 2 and stay inside the header.
  let o = p + TCP_HEADER_LEN;
  const end = p + <usize>hlen;
  while (o < end) {
    const kind = get8(o);
    if (kind == OPT_END) break;
    if (kind == OPT_NOP) { o++; continue; }
    if (o + 1 >= end) return C.TCP_DROP_OPTIONS;
    const olen = get8(o + 1);
    if (olen < 2 || o + <usize>olen > end) return C.TCP_DROP_OPTIONS;
    if (kind == OPT_MSS) {
      if (olen != 4) return C.TCP_DROP_OPTIONS;
      seg.mss = get16(o + 2);
      if (seg.mss == 0) return C.TCP_DROP_OPTIONS;
    } else if (kind == OPT_WSCALE && olen == 3 && (f & SYN)) {
      // RFC 7323 §2.2: only a SYN's option counts (elsewhere it is ignored); §2.3: a shift
      // above 14 is used as 14.
      seg.wscaleAsked = <i32>get8(o + 2);
      seg.wscale = min(seg.wscaleAsked, 14);
    } else if (kind == OPT_SACK_PERMITTED && olen == 2 && (f & SYN)) {
      seg.sackOk = true; // RFC 2018 §2: only in a SYN
    } else if (kind == OPT_SACK) {
      // RFC 2018 §3: 2 + 8n bytes; the header's 40 option bytes limit n to 4. Any other length
      // (and a second SACK option) is ignored, not a reason to drop the segment.
      const n = (<i32>olen - 2) >> 3;
      if (olen < 10 || ((olen - 2) & 7) != 0 || n > SACK_MAX_BLOCKS || seg.sackCount != 0) seg.sackBad = true;
      else { seg.sackAt = o + 2; seg.sackCount = n; }
    } else if (kind == OPT_TIMESTAMPS && olen == 10) {
      seg.hasTs = true;
      seg.tsVal = get32(o + 2);
      seg.tsEcr = get32(o + 6);
    }
    // Any other kind, and a known kind with a length we do not expect, is skipped (RFC 9293 §3.1).
    o += <usize>olen;
  }
  return -1;
}

/** Four option bytes (padding NOPs, then a kind and length, or a kind, length and value) in one store. */
@inline function option4(o: usize, b0: u32, b1: u32, b2: u32, b3: u32): void {
  put32(o, b0 << 24 | b1 << 16 | b2 << 8 | b3);
}

/**
 * Write seg's TCP header at p, its payload (seg.dataLen bytes) already sitting at
 * p + seg.headerLen, and fill in the checksum. Options: MSS when seg.mss != 0, Window Scale (after
 * a NOP) when seg.wscale >= 0, SACK-permitted (after two NOPs) when seg.sackOk, Timestamps (after
 * two NOPs) when seg.hasTs, and a SACK option (after two NOPs) of seg.sackCount blocks, read from
 * seg.sackLefts and seg.sackRights. Returns the segment's total length.
 */
export function emitSegment(p: usize, seg: Segment): i32 {
  // The header is written by a call that returns before the checksum is taken (docs/wasm3-stack.md).
  const total = writeTcpHeader(p, seg);
  const sum = sumBytes(p, total, pseudoHeaderSum(seg.srcIp, seg.dstIp, PROTO_TCP, <u32>total));
  put16(p + CHECKSUM, finish(sum));
  return total;
}

/** emitSegment's header and options, the checksum left 0; returns the segment's total length. */
function writeTcpHeader(p: usize, seg: Segment): i32 {
  put16(p + SRC_PORT, seg.srcPort);
  put16(p + DST_PORT, seg.dstPort);
  put32(p + SEQ, seg.seq);
  put32(p + ACK, seg.ack);
  put8(p + FLAGS, seg.flags);
  put16(p + WINDOW, min(seg.wnd, 0xffff));
  put16(p + CHECKSUM, 0);
  put16(p + URGENT, 0);
  let o = p + TCP_HEADER_LEN;
  if (seg.mss != 0) {
    put8(o, OPT_MSS);
    put8(o + 1, 4);
    put16(o + 2, seg.mss);
    o += 4;
  }
  if (seg.wscale >= 0) {
    option4(o, OPT_NOP, OPT_WSCALE, 3, <u32>seg.wscale);
    o += 4;
  }
  if (seg.sackOk) {
    option4(o, OPT_NOP, OPT_NOP, OPT_SACK_PERMITTED, 2);
    o += 4;
  }
  if (seg.hasTs) {
    option4(o, OPT_NOP, OPT_NOP, OPT_TIMESTAMPS, 10);
    put32(o + 4, seg.tsVal);
    put32(o + 8, seg.tsEcr);
    o += TS_OPTION_LEN;
  }
  const n = seg.sackCount;
  if (n > 0) {
    option4(o, OPT_NOP, OPT_NOP, OPT_SACK, 2 + 8 * <u32>n);
    o += 4;
    for (let i = 0; i < n; i++) {
      put32(o, load<u32>(seg.sackLefts + <usize>(4 * i)));
      put32(o + 4, load<u32>(seg.sackRights + <usize>(4 * i)));
      o += 8;
    }
  }
  const hlen = <i32>(o - p); // seg.headerLen, counted as the options were written
  put8(p + DATA_OFF, <u32>(hlen / 4) << 4);
  return hlen + seg.dataLen;
}

/**
 * Header length with the MSS option (mss != 0), Window Scale (wscale >= 0), SACK-permitted
 * (sackOk), Timestamps (ts) and a SACK option of sackBlocks blocks.
 */
@inline export function headerLen(mss: u32, wscale: i32 = -1, ts: bool = false, sackOk: bool = false, sackBlocks: i32 = 0): i32 {
  return TCP_HEADER_LEN + (mss != 0 ? 4 : 0) + (wscale >= 0 ? 4 : 0) + (sackOk ? 4 : 0) + (ts ? TS_OPTION_LEN : 0) +
    sackOptionLen(sackBlocks);
}
