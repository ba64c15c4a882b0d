// A byte ring over a block reserved at start-up. The send ring holds unacknowledged and unsent
// data starting at SND.UNA; the receive ring holds unread data ending at RCV.NXT, and out-of-order
// data is written past its end (see reassembly.ts) before it is committed.
import { reserve } from "../util/bytes";

export class Ring {
  base: usize;
  head: i32 = 0; // offset of the first byte
  len: i32 = 0;  // bytes held

  constructor(public cap: i32) { this.base = reserve(cap); }

  clear(): void { this.head = 0; this.len = 0; }
  @inline free(): i32 { return this.cap - this.len; }

  /** Copy n bytes from src to ring offset `off` counted from head (may lie past len). */
  writeAt(off: i32, src: usize, n: i32): void {
    let pos = this.head + off;
    if (pos >= this.cap) pos -= this.cap;
    const first = min(n, this.cap - pos);
    memory.copy(this.base + <usize>pos, src, <usize>first);
    if (first < n) memory.copy(this.base, src + <usize>first, <usize>(n - first));
  }

  /** Copy n bytes at ring offset `off` (from head) to dst without consuming them. */
  readAt(off: i32, dst: usize, n: i32): void {
    let pos = this.head + off;
    if (pos >= this.cap) pos -= this.cap;
    const first = min(n, this.cap - pos);
    memory.copy(dst, this.base + <usize>pos, <usize>first);
    if (first < n) memory.copy(dst + <usize>first, this.base, <usize>(n - first));
  }

  /** Append up to n bytes; returns how many fit. */
  push(src: usize, n: i32): i32 {
    n = min(n, this.free());
    this.writeAt(this.len, src, n);
    this.len += n;
    return n;
  }

  /** Take up to n bytes from the head into dst; returns how many. */
  pop(dst: usize, n: i32): i32 {
    n = min(n, this.len);
    this.readAt(0, dst, n);
    this.consume(n);
    return n;
  }

  /** Drop up to n bytes from the head without copying them; returns how many. */
  drop(n: i32): i32 {
    n = min(n, this.len);
    this.consume(n);
    return n;
  }

  /** Free bytes contiguous after the end (the rest of free() is at base). */
  tailRun(): i32 {
    let pos = this.head + this.len;
    if (pos >= this.cap) pos -= this.cap;
    return min(this.free(), this.cap - pos);
  }

  /** Where the byte after the end goes. */
  tailPtr(): usize {
    let pos = this.head + this.len;
    if (pos >= this.cap) pos -= this.cap;
    return this.base + <usize>pos;
  }

  /** Drop n bytes from the head. */
  consume(n: i32): void {
    this.head += n;
    if (this.head >= this.cap) this.head -= this.cap;
    this.len -= n;
  }

  /** Count n bytes already written past the end as held. */
  commit(n: i32): void { this.len += n; }
}
