// A byte ring whose bytes are blocks of the shared pool (pool.ts), chained: it holds only what it
// needs now, up to cap. The send ring holds unacknowledged and unsent data from SND.UNA; the
// receive ring unread data ending at RCV.NXT, out-of-order data written past its end inside the
// window it promised (reassembly.ts). Offsets count from the first byte held (the head).
import { POOL_BLOCK } from "../config";
import { Pool, blocksFor } from "./pool";

export class Ring {
  /** First and last block of the chain (-1: none), and the head's offset in the first. */
  head: i32 = -1;
  tail: i32 = -1;
  headOff: i32 = 0;
  /** Blocks in the chain, and blocks the pool promised this ring beyond them. */
  held: i32 = 0;
  promise: i32 = 0;
  len: i32 = 0;
  /** Counted among the pool's users (holds or was promised a block). */
  counted: bool = false;
  /** Blocks kept held or promised even when empty: a grown receive buffer's (keepFor). */
  keep: i32 = 0;
  /** A send ring: its blocks count in the pool's sendHeld, within its sendRoom. */
  sending: bool = false;

  constructor(public pool: Pool, public cap: i32) {}

  /** Give every block and promise back (a grown buffer's growth to the pool's growRoom). */
  clear(): void {
    while (this.head >= 0) this.releaseHead();
    this.pool.promised -= this.promise;
    this.promise = 0;
    if (this.keep > 0) { this.pool.growRoom += this.keep - this.pool.bufferFloor; this.keep = 0; }
    this.headOff = 0;
    this.len = 0;
    this.recount();
  }

  /** Bytes past the end this ring already holds or was promised. */
  @inline room(): i32 { return (this.held + this.promise) * POOL_BLOCK - this.headOff - this.len; }

  /** Blocks this ring may still take from what is available (its share, the pool's). */
  private grantable(): i32 {
    const n = min(this.pool.available(), this.pool.share() - this.held - this.promise);
    return max(0, this.sending ? min(n, min(this.pool.sendRoom(), this.pool.sendShare() - this.held)) : n);
  }

  /** Bytes that may be added now: within cap, what it holds or was promised, and its grant. */
  free(): i32 { return max(0, min(this.cap - this.len, this.room() + this.grantable() * POOL_BLOCK)); }

  /** Blocks a window may still be promised: its grant, less what of the send rings' reserve they have not taken. */
  private windowGrant(): i32 {
    const p = this.pool;
    return max(0, min(this.grantable(), p.available() - max(0, p.sendReserve - p.sendHeld)));
  }

  /** Bytes past the end a window may offer now (what promiseUpTo would keep). */
  windowRoom(): i32 { return max(0, min(this.cap - this.len, this.room() + this.windowGrant() * POOL_BLOCK)); }

  /**
   * Have the pool keep room for `bytes` from the head (the receive window's right edge), within
   * cap and the grant; returns the bytes from the head now held or promised (at least what was).
   * A promise is never taken back while the ring lives (RFC 9293 §3.8.6.2.2: no shrinking), and
   * windows leave the pool's sendReserve to the send rings.
   */
  promiseUpTo(bytes: i32): i32 {
    const want = blocksFor(this.headOff + min(bytes, this.cap)) - this.held - this.promise;
    const n = min(want, this.windowGrant());
    if (n > 0) this.addPromise(n);
    return (this.held + this.promise) * POOL_BLOCK - this.headOff;
  }

  /**
   * Grow this ring's receive buffer towards `bytes` (within cap): the blocks past the pool's
   * bufferFloor come out of its growRoom and are kept, held or promised, until clear(), so the
   * window never has to fall below the buffer less unread bytes again (a peer sizes its segments
   * by the largest window it saw). Returns the buffer now (at least `had`).
   */
  keepFor(bytes: i32, had: i32): i32 {
    const base = max(this.keep, this.pool.bufferFloor);
    const blocks = min(blocksFor(min(bytes, this.cap)), base + this.pool.growRoom);
    const top = blocks - this.held - this.promise;
    if (blocks <= base || top > this.pool.available()) return had;
    if (top > 0) this.addPromise(top);
    this.pool.growRoom -= blocks - base;
    this.keep = blocks;
    return max(had, min(this.cap, blocks * POOL_BLOCK));
  }

  /** Copy n bytes from src to offset `off` (may lie past len); false if the blocks cannot be had. */
  writeAt(off: i32, src: usize, n: i32): bool {
    if (n <= 0) return true;
    if (!this.grow(off + n)) return false;
    let at = this.headOff + off;
    let b = this.blockAt(at / POOL_BLOCK);
    at %= POOL_BLOCK;
    while (n > 0) {
      const k = min(n, POOL_BLOCK - at);
      memory.copy(this.pool.addr(b) + <usize>at, src, <usize>k);
      src += <usize>k; n -= k; at = 0;
      b = unchecked(this.pool.next[b]);
    }
    return true;
  }

  /** Copy n bytes at offset `off` (within what is held) to dst without consuming them. */
  readAt(off: i32, dst: usize, n: i32): void {
    if (n <= 0) return;
    let at = this.headOff + off;
    let b = this.blockAt(at / POOL_BLOCK);
    at %= POOL_BLOCK;
    while (n > 0) {
      const k = min(n, POOL_BLOCK - at);
      memory.copy(dst, this.pool.addr(b) + <usize>at, <usize>k);
      dst += <usize>k; n -= k; at = 0;
      b = unchecked(this.pool.next[b]);
    }
  }

  /** Append up to n bytes; returns how many fit. */
  push(src: usize, n: i32): i32 {
    n = min(n, this.free());
    if (n <= 0 || !this.writeAt(this.len, src, n)) return 0;
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

  /** Drop n bytes from the head; blocks wholly consumed go back to the pool. */
  consume(n: i32): void {
    this.len -= n;
    this.headOff += n;
    while (this.head >= 0 && this.headOff >= POOL_BLOCK) { this.releaseHead(); this.headOff -= POOL_BLOCK; }
    if (this.head < 0) this.headOff = 0;
    const short = this.keep - this.held - this.promise; // the blocks just given back
    if (short > 0) { this.promise += short; this.pool.promised += short; }
    this.recount();
  }

  /** Count n bytes already written past the end as held. */
  commit(n: i32): void { this.len += n; }

  /** Once empty, give the blocks back, as nothing past the end is kept (the send ring's case). */
  release(): void {
    if (this.len != 0) return;
    while (this.head >= 0) this.releaseHead();
    this.headOff = 0;
    this.recount();
  }

  /**
   * Have blocks for n bytes past the end, for a writer that fills them in place (ptrAt, runAt)
   * before commit; false when they cannot be had (n within free() always can).
   */
  prepare(n: i32): bool { return n <= this.free() && this.grow(this.len + n); }

  /** The address of the byte at offset `off` (held, or prepared). */
  ptrAt(off: i32): usize {
    const at = this.headOff + off;
    return this.pool.addr(this.blockAt(at / POOL_BLOCK)) + <usize>(at % POOL_BLOCK);
  }

  /** Bytes contiguous from offset `off` to the end of its block. */
  @inline runAt(off: i32): i32 { return POOL_BLOCK - (this.headOff + off) % POOL_BLOCK; }

  /** The k-th block of the chain. */
  private blockAt(k: i32): i32 {
    let b = this.head;
    while (k-- > 0) b = unchecked(this.pool.next[b]);
    return b;
  }

  /** Make the chain cover `bytes` from the head: promised blocks first, then granted ones. */
  private grow(bytes: i32): bool {
    const need = blocksFor(this.headOff + bytes) - this.held;
    if (need <= 0) return true;
    if (need > this.promise + this.grantable()) return false;
    const fromPromise = min(need, this.promise);
    this.promise -= fromPromise;
    this.pool.promised -= fromPromise;
    for (let i = 0; i < need; i++) this.append(this.pool.take());
    this.recount();
    return true;
  }

  private addPromise(n: i32): void {
    this.promise += n;
    this.pool.promised += n;
    this.recount();
  }

  /** Keep the pool's count of rings using it (for the fair share) true. */
  private recount(): void {
    const using = this.held + this.promise > 0;
    if (using != this.counted) { this.pool.users += using ? 1 : -1; this.counted = using; }
  }

  private append(b: i32): void {
    if (this.tail >= 0) unchecked(this.pool.next[this.tail] = b); else this.head = b;
    this.tail = b;
    this.held++;
    if (this.sending) { this.pool.sendHeld++; if (this.held == 1) this.pool.sendUsers++; }
  }

  private releaseHead(): void {
    const b = this.head;
    this.head = unchecked(this.pool.next[b]);
    if (this.head < 0) this.tail = -1;
    this.pool.give(b);
    this.held--;
    if (this.sending) { this.pool.sendHeld--; if (this.held == 0) this.pool.sendUsers--; }
  }
}
