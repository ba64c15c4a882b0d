// The shared buffer pool connections' rings draw on (lwIP's pbuf pool, the W5500's shared 16 KB):
// fixed blocks of POOL_BLOCK bytes, laid out once, handed out as data arrives or is queued and
// given back as it is read or acknowledged. A receive ring first *promises* blocks for the window
// it advertises (a promise is kept: the blocks are no longer available to anyone else), so an
// accepted byte always has a place; what is neither held nor promised is available.
import { POOL_BLOCK, POOL_SHIFT } from "../config";
import { reserve } from "../util/bytes";

/** A byte's offset inside its block. */
export const POOL_MASK: i32 = POOL_BLOCK - 1;

/** Blocks needed to hold n (>= 0) bytes. */
@inline export function blocksFor(n: i32): i32 { return (n + POOL_MASK) >> POOL_SHIFT; }

/** A free block's link. */
const FREE: i32 = -2;

export class Pool {
  /** Block i's bytes are at base + i * POOL_BLOCK. */
  base: usize;
  /** Each ring's chain: the i32 at links + 4i is the block after i (-1: none; FREE: i is free). */
  links: usize;
  /** Free blocks, blocks promised but not yet taken. */
  freeCount: i32 = 0;
  promised: i32 = 0;
  /** Rings holding or promised at least one block (for the fair share). */
  users: i32 = 0;
  /** Where a ring that holds no block starts looking: after the blocks handed out last. */
  hint: i32 = 0;
  /** The last block the latest take() handed out, and the gaps (a link to a block not the next
   *  in memory) the latest take() made or give() removed. */
  lastTaken: i32 = -1;
  gaps: i32 = 0;

  /** What each of `rings` rings may always grow to: the pool split evenly among them. */
  floor: i32;
  /**
   * Blocks windows leave to the send rings (an eighth of a shared pool; none in one that holds
   * every ring full): were every block promised to windows whose data waits to be echoed or
   * answered, nothing could be sent and so nothing read.
   */
  sendReserve: i32 = 0;

  constructor(public blocks: i32, rings: i32) {
    this.floor = max(1, rings > 0 ? blocks / rings : 1);
    this.base = blocks > 0 ? reserve(blocks * POOL_BLOCK) : 0;
    this.links = blocks > 0 ? reserve(blocks << 2) : 0;
    for (let i = 0; i < blocks; i++) this.link(i, FREE);
    this.freeCount = blocks;
  }

  @inline addr(block: i32): usize { return this.base + (<usize>block << POOL_SHIFT); }
  @inline nextOf(block: i32): i32 { return load<i32>(this.links + (<usize>block << 2)); }
  @inline link(block: i32, to: i32): void { store<i32>(this.links + (<usize>block << 2), to); }

  /** Blocks no ring holds or was promised. */
  @inline available(): i32 { return this.freeCount - this.promised; }

  /**
   * The most one ring may hold and be promised while others want blocks too: all of them while
   * half the pool is available, else an equal share among the rings using it (and one newcomer),
   * and never less than its even split of the whole pool.
   */
  share(): i32 {
    if (this.available() * 2 >= this.blocks) return this.blocks;
    return max(this.floor, this.blocks / (this.users + 1));
  }

  /**
   * Take n (>= 1, <= freeCount) free blocks as one chain, each the first free one after the one
   * before (the first after `after`, a ring's last block; -1: from the hint), wrapping at the end:
   * a ring that grows where it ended gets blocks adjacent in memory, copied in one run. Returns
   * the chain's first block, lastTaken its last. The caller checked available() or holds a promise.
   */
  @inline take(n: i32, after: i32): i32 {
    const links = this.links;
    const end = links + (<usize>this.blocks << 2);
    let p = links + (<usize>(after >= 0 ? after + 1 : this.hint) << 2); // a link's address names its block
    if (p == end) p = links;
    let first: usize = 0, last: usize = 0;
    let gaps = 0;
    this.freeCount -= n;
    while (true) {
      while (load<i32>(p) != FREE) { p += 4; if (p == end) p = links; }
      if (last != 0) {
        store<i32>(last, <i32>((p - links) >> 2));
        if (p != last + 4) gaps++;
      } else first = p;
      last = p;
      p += 4; if (p == end) p = links;
      if (--n == 0) break;
    }
    store<i32>(last, -1);
    this.gaps = gaps;
    this.lastTaken = <i32>((last - links) >> 2);
    this.hint = <i32>((p - links) >> 2);
    return <i32>((first - links) >> 2);
  }

  /** Give back the first n blocks of the chain from `first`; returns the block after them (-1: none). */
  give(first: i32, n: i32): i32 {
    const links = this.links;
    this.freeCount += n;
    let b = first, gaps = 0;
    do {
      const p = links + (<usize>b << 2);
      const c = load<i32>(p);
      store<i32>(p, FREE);
      if (c != b + 1 && c >= 0) gaps++;
      b = c;
    } while (--n > 0);
    this.gaps = gaps;
    return b;
  }
}
