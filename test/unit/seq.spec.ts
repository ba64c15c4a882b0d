/// <reference types="@as-pect/assembly/types/as-pect" />
import { seqLt, seqLe, seqGt, seqGe, seqInWindow } from "../../assembly/tcp/seq";

describe("sequence numbers (RFC 9293 §3.4)", () => {
  it("compare across the 2^32 wrap", () => {
    expect(seqLt(0xfffffff0, 0x10)).toBe(true);
    expect(seqGt(0x10, 0xfffffff0)).toBe(true);
    expect(seqLe(5, 5)).toBe(true);
    expect(seqGe(5, 6)).toBe(false);
  });
  it("window membership wraps too", () => {
    expect(seqInWindow(2, 0xfffffffe, 8)).toBe(true);
    expect(seqInWindow(0xfffffffd, 0xfffffffe, 8)).toBe(false);
    expect(seqInWindow(6, 0xfffffffe, 8)).toBe(false);
    expect(seqInWindow(5, 0xfffffffe, 8)).toBe(true);
  });
});
