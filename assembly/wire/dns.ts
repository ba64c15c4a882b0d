// DNS messages (RFC 1035 §4) as far as mDNS and the stub resolver need them: the header, names
// with compression pointers, questions and A records. Readers are bounds-checked against the
// message length.
import { get16, put16, put32 } from "../util/bytes";
import { ascii } from "../util/text";

export const DNS_HEADER_LEN: i32 = 12;
export const TYPE_A: u32 = 1;
export const TYPE_CNAME: u32 = 5;
export const TYPE_ANY: u32 = 255;
export const CLASS_IN: u32 = 1;
/** The top bit of a question's class asks for a unicast answer (QU), of a record's class says
 *  "flush your cache" (RFC 6762 §5.4, §10.2). */
export const CLASS_TOP: u32 = 0x8000;
export const FLAG_RESPONSE: u32 = 0x8000;
export const FLAG_AUTHORITATIVE: u32 = 0x0400;
export const FLAG_RECURSION_DESIRED: u32 = 0x0100;
/** The response code in the flags' low four bits (RFC 1035 §4.1.1): 3 = the name does not exist. */
export const RCODE_MASK: u32 = 0x000f;
export const RCODE_NXDOMAIN: u32 = 3;
/** The longest name in wire form (RFC 1035 §2.3.4). */
export const NAME_MAX: i32 = 255;

@inline export function dnsId(p: usize): u32 { return get16(p); }
@inline export function dnsFlags(p: usize): u32 { return get16(p + 2); }
@inline export function dnsQuestions(p: usize): u32 { return get16(p + 4); }
@inline export function dnsAnswers(p: usize): u32 { return get16(p + 6); }
@inline export function dnsAuthorities(p: usize): u32 { return get16(p + 8); }

/**
 * The dotted text name at t (len bytes, a final dot allowed) as wire labels at p, zero-terminated.
 * Returns its length, or -1 for an empty label, a label over 63 bytes or a name over NAME_MAX.
 */
export function writeNameFromText(p: usize, t: usize, len: i32): i32 {
  if (len > 0 && load<u8>(t + <usize>(len - 1)) == 46) len--;
  if (len < 1 || len + 2 > NAME_MAX) return -1;
  let lab = 0; // where the current label's length byte goes
  for (let i = 0; i <= len; i++) {
    const c = i < len ? <u32>load<u8>(t + <usize>i) : 46;
    if (c == 46) {
      const n = i - lab;
      if (n < 1 || n > 63) return -1;
      store<u8>(p + <usize>lab, <u8>n);
    } else store<u8>(p + <usize>(i + 1), <u8>c);
    if (c == 46) lab = i + 1;
  }
  store<u8>(p + <usize>(len + 1), 0);
  return len + 2;
}

/** A question for name (wire form, nameLen bytes) of type and class cls at p; returns its length. */
export function writeQuestion(p: usize, name: usize, nameLen: i32, type: u32, cls: u32): i32 {
  memory.copy(p, name, <usize>nameLen);
  put16(p + <usize>nameLen, type);
  put16(p + <usize>(nameLen + 2), cls);
  return nameLen + 4;
}

@inline function lower(c: u32): u32 { return c >= 65 && c <= 90 ? c + 32 : c; }

/**
 * Offset just past the name at `at` (compression pointers end it), or -1 when malformed.
 * If `want` is non-zero, `match` tells whether the name equals the wire-format name at `want`
 * (case-insensitive; `want` is uncompressed and zero-terminated).
 */
export let match = false;
export function skipName(p: usize, len: i32, at: i32, want: usize): i32 {
  let end = -1;
  let pos = at;
  let w: usize = want;
  let same = want != 0;
  for (let hops = 0; hops < 32; hops++) {
    if (pos >= len) return -1;
    const b = <u32>load<u8>(p + <usize>pos);
    if ((b & 0xc0) == 0xc0) { // a pointer to an earlier name
      if (pos + 1 >= len) return -1;
      if (end < 0) end = pos + 2;
      pos = <i32>(((b & 0x3f) << 8) | <u32>load<u8>(p + <usize>(pos + 1)));
      continue;
    }
    if ((b & 0xc0) != 0) return -1;
    if (pos + 1 + <i32>b > len) return -1;
    if (same) {
      if (<u32>load<u8>(w) != b) same = false;
      else for (let i: u32 = 0; i < b && same; i++) if (lower(load<u8>(p + <usize>(pos + 1 + <i32>i))) != lower(load<u8>(w + 1 + <usize>i))) same = false;
      if (same) w += 1 + <usize>b;
    }
    if (b == 0) { match = same; return end >= 0 ? end : pos + 1; }
    pos += 1 + <i32>b;
  }
  return -1;
}

/** "host" + ".local" as wire labels at p, zero-terminated; returns its length. */
export function writeLocalName(p: usize, host: usize, hostLen: i32): i32 {
  store<u8>(p, <u8>hostLen);
  memory.copy(p + 1, host, <usize>hostLen);
  let o = 1 + hostLen;
  store<u8>(p + <usize>o, 5);
  memory.copy(p + <usize>(o + 1), ascii("local"), 5);
  store<u8>(p + <usize>(o + 6), 0);
  return o + 7;
}

export function writeHeader(p: usize, id: u32, flags: u32, qd: u32, an: u32, ns: u32): void {
  put16(p, id); put16(p + 2, flags); put16(p + 4, qd); put16(p + 6, an); put16(p + 8, ns); put16(p + 10, 0);
}

/** An A record for the name at `name` (nameLen bytes); returns the bytes written. */
export function writeA(p: usize, name: usize, nameLen: i32, cls: u32, ttl: u32, ip: u32): i32 {
  memory.copy(p, name, <usize>nameLen);
  const q = p + <usize>nameLen;
  put16(q, TYPE_A); put16(q + 2, cls); put32(q + 4, ttl); put16(q + 8, 4); put32(q + 10, ip);
  return nameLen + 14;
}
