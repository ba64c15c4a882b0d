/// <reference types="@as-pect/assembly/types/as-pect" />
// Text as the module writes it: literals stored as ASCII bytes by scripts/ascii-transform.mjs
// (str("...") becomes bytes(address, length), ascii("...") a zero-terminated address), and the
// Names lists built on them.
import { Text, Names, ascii } from "../../assembly/util/text";

const buf = memory.data(64);
function written(t: Text): string { return String.UTF8.decodeUnsafe(t.ptr, <usize>t.len); }

describe("Text", () => {
  it("writes a literal's bytes, and a string that is not a literal the same way", () => {
    const t = new Text(buf, 64);
    const s = "two" + " words";
    expect(written(t.str("one literal, ").str(s))).toBe("one literal, two words");
  });
  it("stops at its capacity, whatever writes", () => {
    const t = new Text(buf, 5);
    expect(written(t.str("abc").z(ascii("defgh")).u32(42))).toBe("abcde");
  });
  it("writes a zero-terminated ASCII string, and numbers right-aligned", () => {
    const t = new Text(buf, 64);
    expect(written(t.z(ascii("n=")).u32w(7, 3).ch(32).ip(0x0a4d0002))).toBe("n=  7 10.77.0.2");
  });
});

const names = new Names(ascii("CLOSED LISTEN SYN-SENT "));

describe("Names", () => {
  it("counts and writes each name, padded to a width", () => {
    expect(names.count).toBe(3);
    const t = new Text(buf, 64);
    expect(written(names.write(names.write(t, 2).ch(124), 1, 8).ch(124))).toBe("SYN-SENT|LISTEN  |");
  });
  it("writes ? for a number out of range", () => {
    const t = new Text(buf, 64);
    expect(written(names.write(names.write(t, 3, 2), -1))).toBe("? ?");
  });
});
