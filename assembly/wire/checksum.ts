// The Internet checksum (RFC 1071): a ones'-complement sum of 16-bit big-endian words.

/** Add `len` bytes at `p` to a running 32-bit sum (not yet folded). */
export function sumBytes(p: usize, len: i32, sum: u32): u32 {
  let i = 0;
  // Two words per step; the folding at the end absorbs carries (len <= 64 KiB fits in u32... per chunk).
  let acc: u64 = <u64>sum;
  while (i + 1 < len) {
    acc += (<u64>load<u8>(p + <usize>i) << 8) | <u64>load<u8>(p + <usize>i + 1);
    i += 2;
  }
  if (i < len) acc += <u64>load<u8>(p + <usize>i) << 8;
  acc = (acc & 0xffffffff) + (acc >> 32);
  return <u32>((acc & 0xffffffff) + (acc >> 32));
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
