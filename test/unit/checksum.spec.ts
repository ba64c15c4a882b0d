/// <reference types="@as-pect/assembly/types/as-pect" />
import { sumBytes, finish, checksum } from "../../assembly/wire/checksum";

function bytes(a: u8[]): usize {
  const p = heap.alloc(a.length);
  for (let i = 0; i < a.length; i++) store<u8>(p + <usize>i, a[i]);
  return p;
}

describe("Internet checksum (RFC 1071)", () => {
  it("matches the RFC 1071 example", () => {
    // 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, so the checksum is 220d
    const p = bytes([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(finish(sumBytes(p, 8, 0))).toBe(0x220d);
  });
  it("pads an odd length with a zero byte", () => {
    const p = bytes([0x01, 0x02, 0x03]);
    expect(checksum(p, 3)).toBe(~(0x0102 + 0x0300) & 0xffff);
  });
  it("a real IPv4 header verifies to zero", () => {
    const p = bytes([0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
      0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7]);
    expect(checksum(p, 20)).toBe(0);
  });
});

/** The plain byte-at-a-time sum of RFC 1071, to check the word-at-a-time one against. */
function reference(p: usize, len: i32, init: u32): u32 {
  let s: u64 = init;
  for (let i = 0; i + 1 < len; i += 2) s += (<u64>load<u8>(p + <usize>i) << 8) | <u64>load<u8>(p + <usize>i + 1);
  if (len & 1) s += <u64>load<u8>(p + <usize>(len - 1)) << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return <u32>s;
}

describe("word-at-a-time checksum", () => {
  it("agrees with the byte loop for every length 0..300 and every alignment", () => {
    const p = heap.alloc(320);
    let x: u32 = 12345;
    for (let i = 0; i < 320; i++) { x = x * 1103515245 + 12345; store<u8>(p + <usize>i, <u8>(x >> 16)); }
    for (let off = 0; off < 8; off++) {
      for (let len = 0; len <= 300; len++) {
        const a = finish(sumBytes(p + <usize>off, len, 0x1234));
        const b = ~reference(p + <usize>off, len, 0x1234) & 0xffff;
        if (a != b) expect(a).toBe(b);
      }
    }
    store<u8>(p, 0xff);
    expect(finish(sumBytes(p, 300, 0))).toBe(~reference(p, 300, 0) & 0xffff);
  });
});
