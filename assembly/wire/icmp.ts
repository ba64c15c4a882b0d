// ICMP for IPv4 (RFC 792): the view, the `Icmp` repr a message is emitted from (echo replies and
// destination unreachable), and the types and codes used here.
import { get8, get16, get32, put8, put16, put32 } from "../util/bytes";
import { checksum } from "./checksum";

export const ICMP_HEADER_LEN: i32 = 8;
export const ICMP_ECHO_REPLY: u32 = 0;
export const ICMP_DEST_UNREACHABLE: u32 = 3;
export const ICMP_ECHO_REQUEST: u32 = 8;
/** Destination unreachable codes (RFC 792; 4 is RFC 1191's "fragmentation needed and DF set"). */
export const ICMP_PROTOCOL_UNREACHABLE: u32 = 2;
export const ICMP_PORT_UNREACHABLE: u32 = 3;
export const ICMP_FRAG_NEEDED: u32 = 4;

@inline export function icmpType(p: usize): u32 { return get8(p); }
@inline export function icmpCode(p: usize): u32 { return get8(p + 1); }
/** The header's second word: an echo's identifier and sequence number, the next-hop MTU (RFC 1191)... */
@inline export function icmpRest(p: usize): u32 { return get32(p + 4); }
/** RFC 1191: a "fragmentation needed" carries the next hop's MTU in the low half of the second word. */
@inline export function icmpNextHopMtu(p: usize): u32 { return get16(p + 6); }
/** A correct ICMP message checksums to zero over its whole length. */
@inline export function icmpChecksumOk(p: usize, len: i32): bool { return checksum(p, len) == 0; }

/** One ICMP message: type, code, the second header word, and the data after the header. */
export class Icmp {
  type: u32 = 0;
  code: u32 = 0;
  rest: u32 = 0;
  data: usize = 0;
  dataLen: i32 = 0;
}

/**
 * Write m at p with its checksum; its data is copied to p + ICMP_HEADER_LEN unless it is already
 * there (an echo reply answers in place). Returns the message's length.
 */
export function emitIcmp(p: usize, m: Icmp): i32 {
  const len = ICMP_HEADER_LEN + m.dataLen;
  const body = p + <usize>ICMP_HEADER_LEN;
  if (m.data != body) memory.copy(body, m.data, <usize>m.dataLen);
  put8(p, m.type);
  put8(p + 1, m.code);
  put16(p + 2, 0);
  put32(p + 4, m.rest);
  put16(p + 2, checksum(p, len));
  return len;
}
