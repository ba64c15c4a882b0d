// The shared buffer pool connections' rings draw on (lwIP's pbuf pool, the W5500's shared 16 KB):
// fixed blocks of POOL_BLOCK bytes, laid out once, handed out as data arrives or is queued and
// given back as it is read or acknowledged. A receive ring first *promises* blocks for the window
// it advertises (a promise is kept: the blocks are no longer available to anyone else), so an
// accepted byte always has a place; what is neither held nor promised is available.
import { POOL_BLOCK } from "../config";
import { reserve } from "../util/bytes";

/** Blocks needed to hold n bytes. */
@inline export function blocksFor(n: i32): i32 { return (n + POOL_BLOCK - 1) / POOL_BLOCK; }

export class Pool {
  /** Block i's bytes are at base + i * POOL_BLOCK. */
  base: usize;
  /** The free list and each ring's chain: next[i] is the block after i (-1: none). */
  next: StaticArray<i32>;
  /** First free block (-1: none), free blocks, blocks promised but not yet taken. */
  freeHead: i32 = -1;
  freeCount: i32 = 0;
  promised: i32 = 0;
  /** Rings holding or promised at least one block (for the fair share). */
  users: i32 = 0;

  /** What each of `rings` rings may always grow to: the pool split evenly among them. */
  floor: i32;
  /**
   * Blocks windows leave to the send rings (an eighth of a shared pool; none in one that holds
   * every ring full): were every block promised to windows whose data waits to be echoed or
   * answered, nothing could be sent and so nothing read.
   */
  sendReserve: i32 = 0;
  /**
   * Receive buffers (tcp/window.ts): every connection may count on bufferFloor blocks; blocks a
   * buffer grows beyond that come from growRoom, which is what windows may take of the pool less
   * every slot's floor, and are kept (Ring.keep) until the connection ends.
   */
  bufferFloor: i32 = 0;
  growRoom: i32 = 0;
  /**
   * Send rings hold sendHeld blocks; in a shared pool (sendBound) at most the sendReserve and
   * what growRoom has not given to receive buffers, so every slot's floor stays there for its
   * window: a new connection is never offered a zero window because writers took the pool.
   */
  sendHeld: i32 = 0;
  sendBound: bool = false;
  /** Send rings holding a block: each may grow to an even share of what the send rings may hold. */
  sendUsers: i32 = 0;

  constructor(public blocks: i32, rings: i32) {
    this.floor = max(1, rings > 0 ? blocks / rings : 1);
    this.base = blocks > 0 ? reserve(blocks * POOL_BLOCK) : 0;
    this.next = new StaticArray<i32>(blocks);
    for (let i = blocks - 1; i >= 0; i--) this.give(i);
  }

  @inline addr(block: i32): usize { return this.base + <usize>(block * POOL_BLOCK); }

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

  /** Blocks the send rings may still take. */
  @inline sendRoom(): i32 { return this.sendBound ? this.sendReserve + this.growRoom - this.sendHeld : this.blocks; }
  /**
   * The most one send ring may hold in a shared pool: an even share of what send rings may hold
   * among those holding some and one newcomer (busy writers leave room for a new one, such as an
   * HTTP response behind sixteen echoes).
   */
  @inline sendShare(): i32 { return this.sendBound ? max(1, (this.sendReserve + this.growRoom) / (this.sendUsers + 1)) : this.blocks; }

  /** Take a free block (the caller checked available(), or holds a promise for it). */
  take(): i32 {
    const b = this.freeHead;
    if (b < 0) return -1;
    this.freeHead = unchecked(this.next[b]);
    unchecked(this.next[b] = -1);
    this.freeCount--;
    return b;
  }

  give(b: i32): void {
    unchecked(this.next[b] = this.freeHead);
    this.freeHead = b;
    this.freeCount++;
  }
}
