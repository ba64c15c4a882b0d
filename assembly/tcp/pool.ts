// The shared buffer pool connections' rings draw on (lwIP's pbuf pool, the W5500's shared 16 KB):
// fixed blocks of POOL_BLOCK bytes, laid out once, handed out as data arrives or is queued and
// given back as it is read or acknowledged. A receive ring first *promises* blocks for the window
// it advertises (a promise is kept: the blocks are no longer available to anyone else), so an
// accepted byte always has a place; what is neither held nor promised is available.
//
// A ring's chain is a list of *runs*, blocks adjacent in memory: a bit per block says it is free,
// another that it ends a run, and only a run's last block has a link (to the next run's first
// block, -1 at the chain's end). Blocks are taken next-fit after the ring's last block, so a ring
// that grows where it ended extends its last run, and taking, giving back and copying cost a few
// operations per run, not per block (a full segment spans a dozen 128-byte blocks).
import { POOL_BLOCK, POOL_SHIFT } from "../config";
import { reserve } from "../util/bytes";

/** A byte's offset inside its block. */
export const POOL_MASK: i32 = POOL_BLOCK - 1;

/** Blocks needed to hold n (>= 0) bytes. */
@inline export function blocksFor(n: i32): i32 { return (n + POOL_MASK) >> POOL_SHIFT; }

/** Bytes of one of the pool's two bitmaps. */
@inline function bitmapBytes(blocks: i32): i32 { return ((blocks + 31) >> 5) << 2; }

/** The bitmap word holding block b's bit. */
@inline function word(map: usize, b: i32): usize { return map + (<usize>(b >> 5) << 2); }

/** Set (on) or clear n (>= 1) bits of map from bit b: a word at a time. */
function setBits(map: usize, b: i32, n: i32, on: bool): void {
  while (n > 0) {
    const k = min(n, 32 - (b & 31));
    flip(map, b, k, on);
    b += k; n -= k;
  }
}

/** Set (on) or clear k bits from bit b, all in b's word (1 <= k <= 32 - b % 32). */
@inline function flip(map: usize, b: i32, k: i32, on: bool): void {
  const mask = (<u32>-1 >> <u32>(32 - k)) << <u32>(b & 31);
  const w = word(map, b);
  store<u32>(w, on ? load<u32>(w) | mask : load<u32>(w) & ~mask);
}

/** The first bit of map at or after bit b that is set (clear, with inverse all ones); limit if
 *  none before it. */
function nextSet(map: usize, b: i32, limit: i32, inverse: u32 = 0): i32 {
  let w = (load<u32>(word(map, b)) ^ inverse) >> <u32>(b & 31);
  while (w == 0) {
    b = (b | 31) + 1;
    if (b >= limit) return limit;
    w = load<u32>(word(map, b)) ^ inverse;
  }
  return min(limit, b + <i32>ctz(w));
}

export class Pool {
  /** Block i's bytes are at base + i * POOL_BLOCK; its link (if it ends a run) at links + 4i. */
  base: usize;
  links: usize;
  /** The bitmaps: block i is free (bit i of free), block i ends a run of a chain (of ends; never
   *  set for a free block, so taking a run sets one bit there and giving it back clears one). */
  free: usize;
  ends: usize;
  /** Free blocks, blocks promised but not yet taken. */
  freeCount: i32 = 0;
  promised: i32 = 0;
  /** Rings holding or promised at least one block (for the fair share). */
  users: i32 = 0;
  /** Where the blocks handed out last end (take). */
  hint: i32 = 0;
  /** The last block the latest take() handed out, and the runs it added to the chain (give: the
   *  runs it took off). */
  lastTaken: i32 = -1;
  runs: i32 = 0;

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
  /** The quotients share() and sendShare() divided out last, and the terms they were of: each is
   *  divided again only when its terms changed (lx106 has no divider; a grant is asked for on
   *  every segment, rings start or stop using the pool far less often). */
  private fair: i32 = 0;
  private fairUsers: i32 = -1;
  private sendFair: i32 = 0;
  private sendFairUsers: i32 = -1;
  private sendFairRoom: i32 = -1;

  constructor(public blocks: i32, rings: i32) {
    this.floor = max(1, rings > 0 ? blocks / rings : 1);
    // One reservation: the blocks, their links, the bitmaps (every block free; the free bitmap's
    // bits past the last block too, which take never looks at).
    const bitmap = bitmapBytes(blocks);
    this.base = reserve(blocks * (POOL_BLOCK + 4) + 2 * bitmap);
    this.links = this.base + <usize>(blocks * POOL_BLOCK);
    this.free = this.links + <usize>(blocks << 2);
    this.ends = this.free + <usize>bitmap;
    memory.fill(this.free, 0xff, bitmap);
    this.freeCount = blocks;
  }

  @inline addr(block: i32): usize { return this.base + (<usize>block << POOL_SHIFT); }
  @inline link(block: i32, to: i32): void { store<i32>(this.links + (<usize>block << 2), to); }

  /** The last block of the run block b lies in. */
  @inline runEnd(b: i32): i32 { return nextSet(this.ends, b, this.blocks); }

  /** The first block of the run after the one ending at e (-1: the chain ends there). */
  @inline after(e: i32): i32 { return load<i32>(this.links + (<usize>e << 2)); }

  /** Blocks no ring holds or was promised. */
  @inline available(): i32 { return this.freeCount - this.promised; }

  /**
   * The most one ring may hold and be promised while others want blocks too: all of them while
   * half the pool is available, else an equal share among the rings using it (and one newcomer),
   * and never less than its even split of the whole pool.
   */
  share(): i32 {
    if (this.available() * 2 >= this.blocks) return this.blocks;
    if (this.users != this.fairUsers) {
      this.fairUsers = this.users;
      this.fair = max(this.floor, this.blocks / (this.users + 1));
    }
    return this.fair;
  }

  /** Blocks the send rings may still take (asked in a shared pool only: Ring's sendGrant). */
  @inline sendRoom(): i32 { return this.sendReserve + this.growRoom - this.sendHeld; }
  /**
   * The most one send ring may hold in a shared pool (asked there only): an even share of what
   * send rings may hold among those holding some and one newcomer (busy writers leave room for a
   * new one, such as an HTTP response behind sixteen echoes).
   */
  sendShare(): i32 {
    const room = this.sendReserve + this.growRoom;
    if (room != this.sendFairRoom || this.sendUsers != this.sendFairUsers) {
      this.sendFairRoom = room;
      this.sendFairUsers = this.sendUsers;
      this.sendFair = max(1, room / (this.sendUsers + 1));
    }
    return this.sendFair;
  }

  /**
   * Take n (>= 1, <= freeCount) free blocks onto the chain ending at block `tail` (-1: a new
   * chain) as runs, each the longest free one at the first free block after the run before (the
   * first after `after`, a ring's last block; -1: none yet), wrapping at the pool's end; the first
   * extends the tail's run when adjacent to it. Returns the first block taken; lastTaken the last,
   * runs the runs added. The caller checked available() or holds a promise for them.
   */
  take(n: i32, after: i32, tail: i32): i32 {
    const blocks = this.blocks;
    // A ring that held no block yet starts half the pool away from the blocks taken last (most
    // often its connection's other ring's), so each keeps to its own stretch of the pool.
    let s = after >= 0 ? after + 1 : this.hint + (blocks >> 1);
    if (s >= blocks) s -= blocks;
    let first = -1, end = tail, runs = 0;
    this.freeCount -= n;
    while (n > 0) {
      if (s >= blocks) s = 0;
      if ((load<u32>(word(this.free, s)) >> <u32>(s & 31) & 1) == 0) { // not free: look on
        s = nextSet(this.free, s, blocks);
        if (s == blocks) continue; // none up to the end: from the start
      }
      const r = nextSet(this.free, s, min(blocks, s + n), -1) - s; // its free run, looked at no further than needed
      setBits(this.free, s, r, false);
      if (first < 0) first = s;
      if (end >= 0 && s == end + 1) flip(this.ends, end, 1, false); // the tail's run goes on
      else { if (end >= 0) this.link(end, s); runs++; }
      end = s + r - 1;
      flip(this.ends, end, 1, true);
      n -= r; s += r;
    }
    this.link(end, -1);
    this.lastTaken = end;
    this.runs = runs;
    this.hint = end + 1 < blocks ? end + 1 : 0;
    return first;
  }

  /**
   * Give back the first n blocks of the chain from `first`; returns the block after them (-1:
   * none), runs the whole runs given back (each but the chain's last had a link to the next).
   */
  give(first: i32, n: i32): i32 {
    this.freeCount += n;
    let b = first, runs = 0;
    while (n > 0) {
      const e = this.runEnd(b);
      const len = e - b + 1;
      if (len > n) { // the run goes on: its rest is the chain's first run now
        setBits(this.free, b, n, true);
        b += n;
        break;
      }
      setBits(this.free, b, len, true);
      flip(this.ends, e, 1, false);
      runs++;
      n -= len;
      b = this.after(e);
    }
    this.runs = runs;
    return b;
  }
}

/** The pool every ring draws on: one per stack, laid out by tcbTableInit (a unit test makes its own). */
export let pool: Pool = changetype<Pool>(0);
export function usePool(p: Pool): Pool { pool = p; return p; }
