// Ethernet II header (IEEE 802.3 with an EtherType, no FCS): destination, source, type.
import { get16, put16 } from "../util/bytes";

export const ETH_HEADER_LEN: i32 = 14;
export const ETHERTYPE_IPV4: u32 = 0x0800;
export const ETHERTYPE_ARP: u32 = 0x0806;
const DST: usize = 0;
const SRC: usize = 6;
const TYPE: usize = 12;

@inline export function ethDst(f: usize): usize { return f + DST; }
@inline export function ethType(f: usize): u32 { return get16(f + TYPE); }

export function isBroadcastMac(m: usize): bool {
  return load<u32>(m) == 0xffffffff && load<u16>(m + 4) == 0xffff;
}
/** Group bit: multicast and broadcast addresses. */
@inline export function isGroupMac(m: usize): bool { return (load<u8>(m) & 1) != 0; }
export function macEquals(a: usize, b: usize): bool {
  return load<u32>(a) == load<u32>(b) && load<u16>(a + 4) == load<u16>(b + 4);
}

export function emitEth(f: usize, dst: usize, src: usize, type: u32): void {
  memory.copy(f + DST, dst, 6);
  memory.copy(f + SRC, src, 6);
  put16(f + TYPE, type);
}
