// The Internet checksum (RFC 1071): a ones'-complement sum of 16-bit big-endian words.
import { host_checksum } from "../env";

let viaHost = false;
/** Use the host's env.checksum instead of the wasm loop (the firmware's C is much cheaper). */
export function setChecksumImport(on: bool): void { viaHost = on; }

/**
 * Add `len` bytes at `p` to a running 32-bit sum (not yet folded): through the host's import when
 * it has one (then wasm3 never compiles the loop below, which saves the board its code).
 */
@inline export function sumBytes(p: usize, len: i32, sum: u32): u32 {
  return viaHost ? sum + host_checksum(p, <u32>len) : sumWasm(p, len, sum);
}

function sumWasm(p: usize, len: i32, sum: u32): u32 {
  let acc: u64 = 0;
  let i = 0;
  while (i + 8 <= len) {
    const w = load<u64>(p + <usize>i);
    acc += (w & 0xffffffff) + (w >> 32);
    i += 8;
  }
  if (i + 4 <= len) { acc += <u64>load<u32>(p + <usize>i); i += 4; }
  if (i + 2 <= len) { acc += <u64>load<u16>(p + <usize>i); i += 2; }
  if (i < len) acc += <u64>load<u8>(p + <usize>i); // a last odd byte is the high byte in network order
  acc = (acc & 0xffffffff) + (acc >> 32);
  acc = (acc & 0xffff) + (acc >> 16);
  acc = (acc & 0xffff) + (acc >> 16);
  acc = (acc & 0xffff) + (acc >> 16);
  const le = <u32>acc;
  return sum + (((le & 0xff) << 8) | (le >> 8));
}

/** Fold a running sum to 16 bits and complement it: the value to put in a header. */
export function finish(sum: u32): u32 {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/** Sum of the IPv4 pseudo-header used by TCP and UDP. */
export function pseudoHeaderSum(src: u32, dst: u32, proto: u32, len: u32): u32 {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

/** Checksum of a whole block (e.g. an IPv4 header). A correct header checksums to 0. */
export function checksum(p: usize, len: i32): u32 { return finish(sumBytes(p, len, 0)); }
