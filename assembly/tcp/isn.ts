// Initial sequence numbers per RFC 6528: ISN = M + F(4-tuple, secret), where M is a clock ticking
// every 4 microseconds and F is SipHash-2-4 keyed with 128 bits from the host's random source.
import { random_u32 } from "../env";
import { now } from "../util/clock";

let k0: u64 = 0;
let k1: u64 = 0;

export function isnInit(): void {
  k0 = (<u64>random_u32() << 32) | <u64>random_u32();
  k1 = (<u64>random_u32() << 32) | <u64>random_u32();
}

// SipHash state, kept in globals so the rounds stay allocation-free.
let v0: u64 = 0, v1: u64 = 0, v2: u64 = 0, v3: u64 = 0;

/**
 * `n` SipRounds, as a loop: the 14 rounds unrolled cost 6 KB of the board's C stack
 * (docs/wasm3-stack.md).
 */
function rounds(n: i32): void {
  let a = v0, b = v1, c = v2, d = v3;
  for (let i = 0; i < n; i++) {
    a += b; b = rotl<u64>(b, 13); b ^= a; a = rotl<u64>(a, 32);
    c += d; d = rotl<u64>(d, 16); d ^= c;
    a += d; d = rotl<u64>(d, 21); d ^= a;
    c += b; b = rotl<u64>(b, 17); b ^= c; c = rotl<u64>(c, 32);
  }
  v0 = a; v1 = b; v2 = c; v3 = d;
}

function compress(m: u64): void {
  v3 ^= m; rounds(2); v0 ^= m;
}

/** SipHash-2-4 of two 64-bit little-endian words (a 16-byte message). */
export function siphash16(a: u64, b: u64, key0: u64, key1: u64): u64 {
  v0 = key0 ^ 0x736f6d6570736575; v1 = key1 ^ 0x646f72616e646f6d;
  v2 = key0 ^ 0x6c7967656e657261; v3 = key1 ^ 0x7465646279746573;
  compress(a);
  compress(b);
  compress(<u64>16 << 56); // final block: message length in the top byte
  v2 ^= 0xff;
  rounds(4);
  return v0 ^ v1 ^ v2 ^ v3;
}

/** SipHash-2-4 under the boot-time key, for other secrets derived from it (SYN cookies). */
export function keyedHash(a: u64, b: u64): u64 { return siphash16(a, b, k0 ^ 0x636f6f6b6965, k1); }

/** RFC 6528 ISN for a connection. */
export function isnFor(localIp: u32, localPort: u32, remoteIp: u32, remotePort: u32): u32 {
  const a = (<u64>localIp << 32) | <u64>remoteIp;
  const b = (<u64>localPort << 16) | <u64>remotePort;
  const f = <u32>siphash16(a, b, k0, k1);
  return f + now * 250; // 250 ticks of 4 us per millisecond
}
