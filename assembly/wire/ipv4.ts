// IPv4 header (RFC 791): the view, the parsed `Ipv4` repr, its validation, and emit; the protocol
// numbers every layer names.
import { get8, get16, get32, put8, put16, put32 } from "../util/bytes";
import { checksum } from "./checksum";
import { C } from "../util/counters";

export const IPV4_HEADER_LEN: i32 = 20;
/** Protocol numbers (IANA): the three carried here. */
export const PROTO_ICMP: u32 = 1;
export const PROTO_TCP: u32 = 6;
export const PROTO_UDP: u32 = 17;
const VER_IHL: usize = 0;
const TOS: usize = 1;
const TOTAL_LEN: usize = 2;
const IDENT: usize = 4;
const FLAGS_FRAG: usize = 6;
const TTL: usize = 8;
const PROTO: usize = 9;
const CHECKSUM: usize = 10;
const SRC: usize = 12;
const DST: usize = 16;
const MF: u32 = 0x2000;
const DF: u32 = 0x4000;
const FRAG_OFFSET: u32 = 0x1fff;

@inline export function ipHeaderLen(p: usize): i32 { return <i32>(get8(p + VER_IHL) & 15) * 4; }
@inline export function ipTotalLen(p: usize): i32 { return <i32>get16(p + TOTAL_LEN); }
@inline export function ipProto(p: usize): u32 { return get8(p + PROTO); }
@inline export function ipSrc(p: usize): u32 { return get32(p + SRC); }
@inline export function ipDst(p: usize): u32 { return get32(p + DST); }
@inline export function ipIdent(p: usize): u32 { return get16(p + IDENT); }
/** The ECN field (RFC 3168 §5): the TOS byte's low two bits. */
@inline export function ipEcn(p: usize): u32 { return get8(p + TOS) & 3; }
export const ECN_NOT_ECT: u32 = 0;
export const ECN_ECT0: u32 = 2;
export const ECN_CE: u32 = 3;
/** Fragment offset in bytes. */
@inline export function ipFragOffset(p: usize): i32 { return <i32>(get16(p + FLAGS_FRAG) & FRAG_OFFSET) * 8; }
@inline export function ipMoreFragments(p: usize): bool { return (get16(p + FLAGS_FRAG) & MF) != 0; }
/** A fragment of a larger datagram (more to come, or not the first). */
@inline export function ipIsFragment(p: usize): bool { return (get16(p + FLAGS_FRAG) & (MF | FRAG_OFFSET)) != 0; }

/** Turn a reassembled datagram's header into an unfragmented one of totalLen bytes. */
export function ipSetWhole(p: usize, totalLen: i32): void {
  put16(p + TOTAL_LEN, <u32>totalLen);
  put16(p + FLAGS_FRAG, 0);
  put16(p + CHECKSUM, 0);
  put16(p + CHECKSUM, checksum(p, ipHeaderLen(p)));
}

/**
 * Validate the IPv4 header at p with `len` bytes available. Returns -1 when valid, else the
 * counter naming why it must be dropped. Options are allowed if their lengths are well-formed.
 */
@inline export function ipCheck(p: usize, len: i32): i32 {
  if (len < IPV4_HEADER_LEN) return C.IP_DROP_SHORT;
  if ((get8(p + VER_IHL) >> 4) != 4) return C.IP_DROP_VERSION;
  const hlen = ipHeaderLen(p);
  const total = ipTotalLen(p);
  if (hlen < IPV4_HEADER_LEN || hlen > len) return C.IP_DROP_IHL;
  if (total > len || total < hlen) return C.IP_DROP_TOTAL_LEN;
  if (checksum(p, hlen) != 0) return C.IP_DROP_CHECKSUM;
  if (!optionsValid(p + IPV4_HEADER_LEN, hlen - IPV4_HEADER_LEN)) return C.IP_DROP_IHL;
  return -1;
}

/** A validated datagram's header, parsed once and read by every step of its delivery. */
export class Ipv4 {
  /** Where the header starts (its payload follows headerLen bytes on). */
  at: usize = 0;
  src: u32 = 0;
  dst: u32 = 0;
  proto: u32 = 0;
  headerLen: i32 = 0;
  /** Header and payload; bytes past it in the frame are Ethernet padding. */
  totalLen: i32 = 0;
  /** A fragment of a larger datagram (more to come, or not the first). */
  fragment: bool = false;
  /** The ECN field (RFC 3168): ECN_NOT_ECT, ECT(1), ECN_ECT0 or ECN_CE. */
  ecn: u32 = 0;
  @inline get payload(): usize { return this.at + <usize>this.headerLen; }
  @inline get payloadLen(): i32 { return this.totalLen - this.headerLen; }
}

/** Validate the datagram at p (len bytes) and fill ip: -1 when valid, else the drop counter. */
@inline export function parseIpv4(p: usize, len: i32, ip: Ipv4): i32 {
  const why = ipCheck(p, len);
  if (why >= 0) return why;
  ipv4Fields(p, ip);
  return -1;
}

/** Fill ip from the header at p, already validated (or rebuilt by reassembly). */
@inline export function ipv4Fields(p: usize, ip: Ipv4): void {
  ip.at = p;
  ip.src = ipSrc(p);
  ip.dst = ipDst(p);
  ip.proto = ipProto(p);
  ip.headerLen = ipHeaderLen(p);
  ip.totalLen = ipTotalLen(p);
  ip.fragment = ipIsFragment(p);
  ip.ecn = ipEcn(p);
}

/** RFC 791 option list: END, NOP, or type-length-value with 2 <= length within the header. */
function optionsValid(o: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    const type = get8(o + <usize>i);
    if (type == 0) return true;
    if (type == 1) { i++; continue; }
    if (i + 1 >= n) return false;
    const olen = <i32>get8(o + <usize>i + 1);
    if (olen < 2 || i + olen > n) return false;
    i += olen;
  }
  return true;
}

/** Write a 20-byte header (no options, DF set, TTL 64) with its checksum. */
@inline export function emitIpv4(p: usize, src: u32, dst: u32, proto: u32, payloadLen: i32, ident: u32, ttl: u32 = 64, ecn: u32 = 0): void {
  put8(p + VER_IHL, 0x45);
  put8(p + TOS, ecn);
  put16(p + TOTAL_LEN, <u32>(IPV4_HEADER_LEN + payloadLen));
  put16(p + IDENT, ident);
  put16(p + FLAGS_FRAG, DF);
  put8(p + TTL, ttl);
  put8(p + PROTO, proto);
  put16(p + CHECKSUM, 0);
  put32(p + SRC, src);
  put32(p + DST, dst);
  put16(p + CHECKSUM, checksum(p, IPV4_HEADER_LEN));
}
