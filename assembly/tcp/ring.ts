// A byte ring whose bytes are blocks of the shared pool (pool.ts), chained: it holds only what it
// needs now, up to cap. The send ring holds unacknowledged and unsent data from SND.UNA; the
// receive ring unread data ending at RCV.NXT, out-of-order data written past its end inside the
// window it promised (reassembly.ts). Offsets count from the first byte held (the head).
import { POOL_BLOCK, POOL_SHIFT } from "../config";
import { pool, POOL_MASK, blocksFor } from "./pool";

@unmanaged export class Ring {
  // No object header (a slot's two rings are 32 bytes each with the allocator's word): nothing
  // here is a reference the collector would have to follow (the pool is pool.ts's one).
  /** First block of the chain (-1: none). */
  head: i32 = -1;
  /** Where this ring takes blocks after (pool.ts take): its last block, also once given back
   *  (-1: none yet); while the chain has blocks, its last one (tail). */
  private lastBlock: i32 = -1;
  len: i32 = 0;
  // Block counts and the head's offset in the first block, in 16 bits (a ring holds at most
  // blocksFor(TX_RING_MAX) + 1 blocks; an offset is below POOL_BLOCK); read as i32.
  private nHeld: u16 = 0;
  private nPromise: u16 = 0;
  /** Blocks kept held or promised even when empty: a grown receive buffer's (keepFor; a receive
   *  ring's at most 512, RX_RING_MAX). */
  keep: u16 = 0;
  private nRuns: u16 = 0;
  private nHeadOff: u16 = 0;
  /** Counted among the pool's users (holds or was promised a block). */
  counted: bool = false;
  /** A send ring: its blocks count in the pool's sendHeld, within its sendRoom. */
  sending: bool = false;

  constructor(public cap: i32) {}

  /** Blocks in the chain, and blocks the pool promised this ring beyond them. */
  @inline get held(): i32 { return this.nHeld; }
  @inline set held(n: i32) { this.nHeld = <u16>n; }
  @inline get promise(): i32 { return this.nPromise; }
  @inline set promise(n: i32) { this.nPromise = <u16>n; }
  /** Runs of adjacent blocks in the chain (pool.ts): at most one, and no walk finds a byte. */
  @inline get runs(): i32 { return this.nRuns; }
  @inline set runs(n: i32) { this.nRuns = <u16>n; }
  /** The head's offset in the first block. */
  @inline get headOff(): i32 { return this.nHeadOff; }
  @inline set headOff(n: i32) { this.nHeadOff = <u16>n; }
  /** The chain's last block (-1: none). */
  @inline private get tail(): i32 { return this.head >= 0 ? this.lastBlock : -1; }

  /** Give every block and promise back (a grown buffer's growth to the pool's growRoom). */
  clear(): void {
    this.releaseFront(this.held);
    pool.promised -= this.promise;
    this.promise = 0;
    if (this.keep > 0) { pool.growRoom += <i32>this.keep - pool.bufferFloor; this.keep = 0; }
    this.headOff = 0;
    this.len = 0;
    this.recount();
  }

  /** Bytes past the end this ring already holds or was promised. */
  @inline room(): i32 { return (this.held + this.promise) * POOL_BLOCK - this.headOff - this.len; }

  /** Blocks this ring may still take from what is available (its share, the pool's): all of it
   *  while half the pool is available (the share is then the whole pool); a send ring in a shared
   *  pool within what the send rings may hold (Pool.sendRoom, sendShare). */
  @inline private grantable(): i32 {
    const available = pool.available();
    const n = available * 2 >= pool.blocks ? available : this.sharedGrant();
    return this.sending && pool.sendBound ? this.sendGrant(n) : n;
  }

  private sendGrant(n: i32): i32 {
    return max(0, min(n, min(pool.sendRoom(), pool.sendShare() - this.held)));
  }

  private sharedGrant(): i32 {
    return max(0, min(pool.available(), pool.share() - this.held - this.promise));
  }

  /** Bytes that may be added now: within cap, what it holds or was promised, and its grant. */
  free(): i32 { return max(0, min(this.cap - this.len, this.room() + this.grantable() * POOL_BLOCK)); }

  /** Blocks a window may still be promised: its grant, less what of the send rings' reserve they have not taken. */
  private windowGrant(): i32 {
    return max(0, min(this.grantable(), pool.available() - max(0, pool.sendReserve - pool.sendHeld)));
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
    const base = max(<i32>this.keep, pool.bufferFloor);
    const blocks = min(blocksFor(min(bytes, this.cap)), base + pool.growRoom);
    const top = blocks - this.held - this.promise;
    if (blocks <= base || top > pool.available()) return had;
    if (top > 0) this.addPromise(top);
    pool.growRoom -= blocks - base;
    this.keep = <u16>blocks;
    return max(had, min(this.cap, blocks * POOL_BLOCK));
  }

  /** Copy n bytes from src to offset `off` (may lie past len); false if the blocks cannot be had. */
  writeAt(off: i32, src: usize, n: i32): bool {
    if (n <= 0) return true;
    if (!this.grow(off + n)) return false;
    this.copy(off, src, n, true);
    return true;
  }

  /** Copy n bytes at offset `off` (within what is held) to dst without consuming them. */
  readAt(off: i32, dst: usize, n: i32): void {
    if (n > 0) this.copy(off, dst, n, false);
  }

  /** Copy n (> 0) bytes between offset `off` and p, into the ring or out of it: one copy per run. */
  private copy(off: i32, p: usize, n: i32, into: bool): void {
    let at = this.headOff + off;
    let b = this.head;
    if (this.runs > 1) { b = this.blockAt(at >> POOL_SHIFT); at &= POOL_MASK; }
    while (true) {
      const from = pool.addr(b) + <usize>at;
      let run = n, e = b;
      if (this.runs > 1) { e = pool.runEnd(b); run = min(n, ((e - b + 1) << POOL_SHIFT) - at); }
      memory.copy(into ? from : p, into ? p : from, <usize>run);
      n -= run;
      if (n == 0) break;
      p += <usize>run; at = 0;
      b = pool.after(e);
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
    const off = this.headOff + n;
    const k = min(off >> POOL_SHIFT, this.held);
    this.headOff = off - (k << POOL_SHIFT);
    if (k > 0) this.releaseFront(k);
    if (this.head < 0) this.headOff = 0;
    const short = <i32>this.keep - this.held - this.promise; // the blocks just given back
    if (short > 0) this.addPromise(short);
    this.recount();
  }

  /** Count n bytes already written past the end as held. */
  commit(n: i32): void { this.len += n; }

  /** Once empty, give the blocks back, as nothing past the end is kept (the send ring's case). */
  release(): void {
    if (this.len != 0) return;
    this.releaseFront(this.held);
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
    return pool.addr(this.blockAt(at >> POOL_SHIFT)) + <usize>(at & POOL_MASK);
  }

  /** Bytes contiguous in memory from offset `off` (held, or prepared): to the end of its run. */
  runAt(off: i32): i32 {
    const at = this.headOff + off;
    if (this.runs <= 1) return (this.held << POOL_SHIFT) - at;
    const b = this.blockAt(at >> POOL_SHIFT);
    return ((pool.runEnd(b) - b + 1) << POOL_SHIFT) - (at & POOL_MASK);
  }

  /** The k-th (< held) block of the chain, found run by run. */
  private blockAt(k: i32): i32 {
    let b = this.head;
    if (this.runs <= 1) return b + k;
    while (true) {
      const e = pool.runEnd(b);
      if (k <= e - b) return b + k;
      k -= e - b + 1;
      b = pool.after(e);
    }
  }

  /** Make the chain cover `bytes` from the head: promised blocks first, then granted ones. */
  private grow(bytes: i32): bool {
    const need = blocksFor(this.headOff + bytes) - this.held;
    if (need <= 0) return true;
    if (need > this.promise && need > this.promise + this.grantable()) return false;
    const fromPromise = min(need, this.promise);
    this.promise -= fromPromise;
    pool.promised -= fromPromise;
    const first = pool.take(need, this.lastBlock, this.tail);
    this.runs += pool.runs;
    if (this.head < 0) this.head = first;
    this.lastBlock = pool.lastTaken;
    if (this.sending) { if (this.held == 0) pool.sendUsers++; pool.sendHeld += need; }
    this.held += need;
    this.recount();
    return true;
  }

  private addPromise(n: i32): void {
    this.promise += n;
    pool.promised += n;
    this.recount();
  }

  /** Keep the pool's count of rings using it (for the fair share) true. */
  @inline private recount(): void {
    if ((this.held + this.promise > 0) != this.counted) this.flipCounted();
  }

  private flipCounted(): void {
    this.counted = !this.counted;
    pool.users += this.counted ? 1 : -1;
  }

  /** Give the first k (<= held) blocks back to the pool at once. */
  private releaseFront(k: i32): void {
    if (k <= 0) return;
    this.head = pool.give(this.head, k);
    this.runs -= pool.runs;
    if (this.sending) { pool.sendHeld -= k; if (this.held == k) pool.sendUsers--; }
    this.held -= k;
  }
}
