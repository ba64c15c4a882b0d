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

/** A page of three parts whose first part changes length between renderings. */
function page(t: Text, uptime: u32): void {
  t.str("up ").u32(uptime).str(" s;").mark().str("row one;").mark().str("row two;").mark().str("end");
}

describe("Text in pieces", () => {
  it("starts each piece at a whole part, so a part that changed in between is never spliced", () => {
    let out = "", from = 0, skip = 0;
    for (let uptime: u32 = 9; uptime < 20; uptime++) { // each piece rendered afresh, a second later
      const t = new Text(buf, 10);
      t.from = from; t.skip = skip;
      page(t, uptime);
      if (t.lost == 0) { out += written(t); break; }
      if (t.fitMarks > 0) { out += String.UTF8.decodeUnsafe(t.ptr, <usize>t.fitLen); from = t.fitMarks; skip = 0; }
      else { out += written(t); skip += t.len; }
    }
    expect(out).toBe("up 9 s;row one;row two;end");
  });
  it("goes on by bytes inside a part longer than a piece", () => {
    let out = "", skip = 0;
    for (let i = 0; i < 10; i++) {
      const t = new Text(buf, 4);
      t.skip = skip;
      t.str("a long first part").mark().str("and more");
      if (t.fitMarks > 0) { out += String.UTF8.decodeUnsafe(t.ptr, <usize>t.fitLen); break; }
      out += written(t); skip += t.len;
    }
    expect(out).toBe("a long first part");
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
