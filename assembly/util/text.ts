// Text written into fixed buffers without allocating: log lines, console replies, stats dumps.

/**
 * An ASCII string literal as zero-terminated bytes in static memory, its address: written
 * ascii("..."), replaced at compile time by scripts/ascii-transform.mjs (a string literal would be
 * a UTF-16 object with a header, twice as large, in the board's RAM).
 */
export declare function ascii(literal: string): usize;

/** Are the n bytes at p the zero-terminated word (ascii("..."))? */
export function isWord(p: usize, n: i32, word: usize): bool {
  for (let i = 0; i < n; i++) {
    const w = load<u8>(word + <usize>i);
    if (w == 0 || load<u8>(p + <usize>i) != w) return false;
  }
  return load<u8>(word + <usize>n) == 0;
}

/**
 * Text written into [ptr, ptr + cap): len bytes so far. A text longer than its buffer can be
 * written in pieces (HTTP's pages as the send ring drains), each rendered afresh: the writer puts
 * a mark() after each whole part (a table row, a counter); a piece passes over the first `from`
 * marks' parts and then `skip` bytes, counts in `lost` what comes past cap, and notes where the
 * last mark that fit whole fell (fitLen, fitMarks), so that the next piece starts at a part's
 * start. A part of a page that changed in between (a counter moved on, a connection came) is then
 * written whole either way, never spliced from two renderings.
 */
export class Text {
  len: i32 = 0;
  skip: i32 = 0;
  lost: i32 = 0;
  from: i32 = 0;
  marks: i32 = 0;
  fitLen: i32 = 0;
  fitMarks: i32 = 0;
  constructor(public ptr: usize, public cap: i32) {}

  reset(): Text {
    this.len = 0; this.skip = 0; this.lost = 0; this.from = 0; this.marks = 0; this.fitLen = 0; this.fitMarks = 0;
    return this;
  }

  /** The end of a whole part (see the class). */
  mark(): Text {
    const m = ++this.marks;
    if (m > this.from && this.lost == 0) { this.fitLen = this.len; this.fitMarks = m; }
    return this;
  }

  ch(c: u32): Text {
    if (this.marks < this.from) return this;
    if (this.skip > 0) this.skip--;
    else if (this.len < this.cap) { store<u8>(this.ptr + <usize>this.len, <u8>c); this.len++; }
    else this.lost++;
    return this;
  }

  /** n bytes from p, as far as they fit. */
  bytes(p: usize, n: i32): Text {
    if (this.marks < this.from) return this;
    const d = min(this.skip, n);
    this.skip -= d;
    const k = min(n - d, this.cap - this.len);
    if (k > 0) { memory.copy(this.ptr + <usize>this.len, p + <usize>d, <usize>k); this.len += k; }
    this.lost += n - d - max(k, 0);
    return this;
  }

  /** A zero-terminated ASCII string at p (ascii("...")). */
  z(p: usize): Text {
    for (let c = load<u8>(p); c != 0; c = load<u8>(++p)) this.ch(c);
    return this;
  }

  /**
   * An ASCII string (others become '?'). A literal argument is stored as bytes and written by
   * bytes() instead: scripts/ascii-transform.mjs rewrites str("...") at compile time.
   */
  str(s: string): Text {
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = <u32>s.charCodeAt(i);
      this.ch(c < 128 ? c : 63);
    }
    return this;
  }

  u32(v: u32): Text {
    if (v == 0) return this.ch(48);
    let div: u32 = 1_000_000_000;
    let started = false;
    while (div > 0) {
      const d = v / div;
      if (d != 0 || started) { this.ch(48 + d); started = true; }
      v -= d * div;
      div /= 10;
    }
    return this;
  }

  i32(v: i32): Text {
    if (v < 0) { this.ch(45); return this.u32(<u32>(-(<i64>v))); }
    return this.u32(<u32>v);
  }

  /** Right-align an unsigned number in `width` columns. */
  u32w(v: u32, width: i32): Text {
    let digits = 1;
    for (let t = v; t >= 10; t /= 10) digits++;
    for (let i = digits; i < width; i++) this.ch(32);
    return this.u32(v);
  }

  ip(a: u32): Text {
    return this.u32(a >>> 24).ch(46).u32((a >>> 16) & 255).ch(46).u32((a >>> 8) & 255).ch(46).u32(a & 255);
  }

  hex2(v: u32): Text {
    const h = ascii("0123456789abcdef");
    return this.ch(load<u8>(h + ((v >> 4) & 15))).ch(load<u8>(h + (v & 15)));
  }

  mac(p: usize): Text {
    for (let i: usize = 0; i < 6; i++) { if (i > 0) this.ch(58); this.hex2(load<u8>(p + i)); }
    return this;
  }
}

/**
 * A list of names kept in one zero-terminated ASCII string (ascii("a b c ")), each followed by a
 * space: on the board every string literal is an object in linear memory, so ninety short names
 * as one list of bytes take a quarter of what they would as strings. Where each name starts is
 * found once, when the list is made.
 */
export class Names {
  private at: StaticArray<u16>;
  constructor(private list: usize) {
    let n = 0, end = 0;
    for (let c = load<u8>(list); c != 0; c = load<u8>(list + <usize>++end)) if (c == 32) n++;
    this.at = new StaticArray<u16>(n + 1);
    for (let i = 0, at = 0; i <= n; i++) {
      unchecked(this.at[i] = <u16>at);
      while (at < end && load<u8>(list + <usize>at) != 32) at++;
      at++;
    }
  }

  /** How many names the list holds. */
  get count(): i32 { return this.at.length - 1; }

  /** Write name i into t, left-aligned in `width` columns (0: as long as it is); "?" out of range. */
  write(t: Text, i: i32, width: i32 = 0): Text {
    let n = 1;
    if (i < 0 || i >= this.count) t.ch(63);
    else {
      const from = <i32>unchecked(this.at[i]);
      n = <i32>unchecked(this.at[i + 1]) - 1 - from;
      t.bytes(this.list + <usize>from, n);
    }
    for (let k = n; k < width; k++) t.ch(32);
    return t;
  }
}
