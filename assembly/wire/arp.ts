// ARP for IPv4 over Ethernet (RFC 826): a 28-byte packet after the Ethernet header.
import { get16, get32, put16, put32, get8, put8 } from "../util/bytes";

export const ARP_LEN: i32 = 28;
export const ARP_REQUEST: u32 = 1;
export const ARP_REPLY: u32 = 2;
const HTYPE: usize = 0;
const PTYPE: usize = 2;
const HLEN: usize = 4;
const PLEN: usize = 5;
const OPER: usize = 6;
const SHA: usize = 8;
const SPA: usize = 14;
const THA: usize = 18;
const TPA: usize = 24;

/** True for a well-formed Ethernet/IPv4 request or reply. */
export function arpValid(p: usize, len: i32): bool {
  if (len < ARP_LEN) return false;
  const op = get16(p + OPER);
  return get16(p + HTYPE) == 1 && get16(p + PTYPE) == 0x0800 && get8(p + HLEN) == 6 &&
    get8(p + PLEN) == 4 && (op == ARP_REQUEST || op == ARP_REPLY);
}
@inline export function arpOp(p: usize): u32 { return get16(p + OPER); }
@inline export function arpSenderMac(p: usize): usize { return p + SHA; }
@inline export function arpSenderIp(p: usize): u32 { return get32(p + SPA); }
@inline export function arpTargetIp(p: usize): u32 { return get32(p + TPA); }

export function emitArp(p: usize, op: u32, sha: usize, spa: u32, tha: usize, tpa: u32): void {
  put16(p + HTYPE, 1);
  put16(p + PTYPE, 0x0800);
  put8(p + HLEN, 6);
  put8(p + PLEN, 4);
  put16(p + OPER, op);
  memory.copy(p + SHA, sha, 6);
  put32(p + SPA, spa);
  memory.copy(p + THA, tha, 6);
  put32(p + TPA, tpa);
}
