// IPv4 fragment reassembly (RFC 791 §3.2, RFC 1122 §3.3.2), bounded: as many datagrams at once as
// the layout gives slots (layout.ts reasmSlots), each up to REASM_MAX payload bytes, at most
// REASM_MAX_FRAGS fragments, gone after REASM_TIMEOUT_MS. A datagram that finds every slot taken
// evicts the oldest incomplete one (as lwIP does), so a lost or stray fragment cannot deny
// reassembly to everyone else for its whole lifetime. Hostile fragments are counted and end their
// datagram: overlaps (RFC 5722's rule, taken for IPv4 too: no overlap is ever legitimate), too
// many, too large, inconsistent ends.
import { REASM_MAX, REASM_MAX_FRAGS, REASM_TIMEOUT_MS } from "../config";
import { reasmSlots } from "../layout";
import { reserve } from "../util/bytes";
import { now, reached, until } from "../util/clock";
import { C, count } from "../util/counters";
import { ipHeaderLen, ipTotalLen, ipProto, ipSrc, ipDst, ipIdent, ipFragOffset, ipMoreFragments, ipSetWhole } from "../wire/ipv4";

const HDR_ROOM: i32 = 60; // the largest IPv4 header, kept in front of the payload
const BLOCKS: i32 = REASM_MAX / 8; // one bit per 8-byte block received

class Slot {
  inUse: bool = false;
  src: u32 = 0; dst: u32 = 0; proto: u32 = 0; ident: u32 = 0;
  expires: u32 = 0;
  /** Payload length once the last fragment (MF = 0) has arrived, else -1. */
  total: i32 = -1;
  received: i32 = 0;
  frags: i32 = 0;
  hlen: i32 = 0;
  buf: usize = reserve(HDR_ROOM + REASM_MAX);
  bits: StaticArray<u8> = new StaticArray<u8>((BLOCKS + 7) / 8);
  clear(): void {
    this.inUse = false; this.total = -1; this.received = 0; this.frags = 0; this.hlen = 0;
    for (let i = 0; i < this.bits.length; i++) unchecked(this.bits[i] = 0);
  }
}

let slots = new StaticArray<Slot>(0);

/** At init: lay out the layout's slots. */
export function fragmentsInit(): void {
  slots = new StaticArray<Slot>(reasmSlots());
  for (let i = 0; i < slots.length; i++) unchecked(slots[i] = new Slot());
}

function fail(s: Slot, why: C): void {
  count(why);
  count(C.IP_REASM_FAILS);
  s.clear();
}

/** The datagram's slot: its own, else a free one, else the oldest incomplete one's (evicted). */
function slotFor(src: u32, dst: u32, proto: u32, ident: u32): Slot | null {
  let free: Slot | null = null;
  let oldest: Slot | null = null;
  for (let i = 0; i < slots.length; i++) {
    const s = unchecked(slots[i]);
    if (s.inUse && reached(s.expires, now)) fail(s, C.IP_DROP_FRAG_TIMEOUT);
    if (!s.inUse) { if (free == null) free = s; continue; }
    if (s.src == src && s.dst == dst && s.proto == proto && s.ident == ident) return s;
    if (oldest == null || <i32>(s.expires - (<Slot>oldest).expires) < 0) oldest = s;
  }
  if (free == null && oldest != null) { fail(oldest, C.IP_DROP_FRAG_EVICTED); free = oldest; }
  if (free == null) return null;
  free.inUse = true;
  free.src = src; free.dst = dst; free.proto = proto; free.ident = ident;
  free.expires = now + REASM_TIMEOUT_MS;
  return free;
}

/**
 * Take one fragment (the validated datagram at p). Returns the whole datagram's address once
 * complete (its header rewritten as unfragmented; valid until the next fragment), else 0.
 */
export function fragmentArrives(p: usize): usize {
  count(C.IP_REASM_REQDS);
  const hlen = ipHeaderLen(p);
  const len = ipTotalLen(p) - hlen;
  const off = ipFragOffset(p);
  const more = ipMoreFragments(p);
  const s = slotFor(ipSrc(p), ipDst(p), ipProto(p), ipIdent(p));
  if (s == null) { count(C.IP_REASM_FAILS); return 0; } // before init: no slots yet
  if (++s.frags > REASM_MAX_FRAGS) { fail(s, C.IP_DROP_FRAG_TOO_MANY); return 0; }
  // Every fragment but the last carries a multiple of 8 bytes (RFC 791).
  if ((more && (len & 7) != 0) || len <= 0) { fail(s, C.IP_DROP_FRAG_MALFORMED); return 0; }
  const end = off + len;
  if (end > REASM_MAX) { fail(s, C.IP_DROP_FRAG_TOO_LARGE); return 0; }
  if (!more) {
    if (s.total >= 0 && s.total != end) { fail(s, C.IP_DROP_FRAG_MALFORMED); return 0; }
    if (s.received > 0 && highestEnd(s) > end) { fail(s, C.IP_DROP_FRAG_MALFORMED); return 0; }
    s.total = end;
  } else if (s.total >= 0 && end > s.total) { fail(s, C.IP_DROP_FRAG_MALFORMED); return 0; }
  // Overlap with anything already here ends the datagram.
  const first = off >> 3, last = (end + 7) >> 3;
  for (let b = first; b < last; b++) {
    if (hasBlock(s, b)) { fail(s, C.IP_DROP_FRAG_OVERLAP); return 0; }
  }
  for (let b = first; b < last; b++) setBlock(s, b);
  memory.copy(s.buf + <usize>HDR_ROOM + <usize>off, p + <usize>hlen, <usize>len);
  s.received += len;
  if (off == 0) { // the first fragment's header stands for the datagram
    s.hlen = hlen;
    memory.copy(s.buf + <usize>(HDR_ROOM - hlen), p, <usize>hlen);
  }
  if (s.total < 0 || s.received != s.total || s.hlen == 0) return 0;
  const whole = s.buf + <usize>(HDR_ROOM - s.hlen);
  ipSetWhole(whole, s.hlen + s.total);
  count(C.IP_REASM_OKS);
  s.inUse = false; // the caller uses the bytes before any other fragment can arrive
  s.total = -1; s.received = 0; s.frags = 0; s.hlen = 0;
  for (let i = 0; i < s.bits.length; i++) unchecked(s.bits[i] = 0);
  return whole;
}

@inline function hasBlock(s: Slot, b: i32): bool { return ((<i32>unchecked(s.bits[b >> 3]) >> (b & 7)) & 1) != 0; }
@inline function setBlock(s: Slot, b: i32): void {
  unchecked(s.bits[b >> 3] = <u8>(<i32>unchecked(s.bits[b >> 3]) | (1 << (b & 7))));
}

function highestEnd(s: Slot): i32 {
  for (let b = BLOCKS - 1; b >= 0; b--) if (hasBlock(s, b)) return (b + 1) * 8;
  return 0;
}

/** Expire old datagrams; ms until the next expiry (u32.MAX_VALUE if none). */
export function fragmentsPoll(): u32 {
  let next = u32.MAX_VALUE;
  for (let i = 0; i < slots.length; i++) {
    const s = unchecked(slots[i]);
    if (!s.inUse) continue;
    if (reached(s.expires, now)) fail(s, C.IP_DROP_FRAG_TIMEOUT);
    else next = min(next, until(s.expires, now));
  }
  return next;
}
