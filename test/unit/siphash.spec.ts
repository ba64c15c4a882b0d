/// <reference types="@as-pect/assembly/types/as-pect" />
// SipHash-2-4 (the RFC 6528 ISN and SYN cookie function) against the reference vector of its
// authors' paper: key 00 01 .. 0f, message 00 01 .. 0f (16 bytes).
import { siphash16 } from "../../assembly/tcp/isn";

describe("siphash16", () => {
  it("matches the reference SipHash-2-4 vector for a 16-byte message", () => {
    const k0: u64 = 0x0706050403020100, k1: u64 = 0x0f0e0d0c0b0a0908;
    const m0: u64 = 0x0706050403020100, m1: u64 = 0x0f0e0d0c0b0a0908;
    expect(siphash16(m0, m1, k0, k1)).toBe(0x3f2acc7f57c29bdb);
  });
  it("changes with every word of the message and the key", () => {
    const h = siphash16(1, 2, 3, 4);
    expect(siphash16(1, 3, 3, 4)).not.toBe(h);
    expect(siphash16(0, 2, 3, 4)).not.toBe(h);
    expect(siphash16(1, 2, 3, 5)).not.toBe(h);
  });
});
