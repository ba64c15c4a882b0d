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
