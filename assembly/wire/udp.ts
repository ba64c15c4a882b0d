// UDP header (RFC 768): the view, its validation, and emit, for DHCP, mDNS and the UDP sockets.
import { get16, put16 } from "../util/bytes";
import { sumBytes, finish, pseudoHeaderSum } from "./checksum";
import { C } from "../util/counters";
import { PROTO_UDP } from "./ipv4";

export const UDP_HEADER_LEN: i32 = 8;
@inline export function udpSrcPort(p: usize): u32 { return get16(p); }
@inline export function udpDstPort(p: usize): u32 { return get16(p + 2); }

/** -1 when the datagram at p (len bytes of IP payload) is well-formed, else the drop counter. */
export function udpCheck(src: u32, dst: u32, p: usize, len: i32): i32 {
  if (len < UDP_HEADER_LEN) return C.UDP_DROP_SHORT;
  const ulen = <i32>get16(p + 4);
  if (ulen < UDP_HEADER_LEN || ulen > len) return C.UDP_DROP_SHORT;
  // A zero checksum means the sender did not compute one (RFC 768).
  if (get16(p + 6) != 0 && finish(sumBytes(p, ulen, pseudoHeaderSum(src, dst, PROTO_UDP, <u32>ulen))) != 0) return C.UDP_DROP_CHECKSUM;
  return -1;
}
@inline export function udpPayloadLen(p: usize): i32 { return <i32>get16(p + 4) - UDP_HEADER_LEN; }

/** Header and checksum for a datagram whose payload already sits at p + 8. Returns its length. */
export function emitUdp(p: usize, src: u32, dst: u32, sport: u32, dport: u32, payloadLen: i32): i32 {
  const len = UDP_HEADER_LEN + payloadLen;
  put16(p, sport);
  put16(p + 2, dport);
  put16(p + 4, <u32>len);
  put16(p + 6, 0);
  let sum = finish(sumBytes(p, len, pseudoHeaderSum(src, dst, PROTO_UDP, <u32>len)));
  if (sum == 0) sum = 0xffff;
  put16(p + 6, sum);
  return len;
}
