/// <reference types="@as-pect/assembly/types/as-pect" />
import { Pool, usePool } from "../../assembly/tcp/pool";
import { POOL_BLOCK } from "../../assembly/config";
import { Ring } from "../../assembly/tcp/ring";

function bytes(n: i32, from: u8): usize {
  const p = heap.alloc(n);
  for (let i = 0; i < n; i++) store<u8>(p + i, <u8>(from + <u8>i));
  return p;
}

/** The ring holds the 100 bytes pushed (0, 1, ...) and then 200 bytes filled with 0xaa. */
function expectPushedThenFilled(r: Ring): void {
  const dst = heap.alloc(300);
  r.readAt(0, dst, 300);
  expect(load<u8>(dst + 99)).toBe(99);
  expect(load<u8>(dst + 100)).toBe(0xaa);
  expect(load<u8>(dst + 299)).toBe(0xaa);
}

describe("rings over the shared block pool", () => {
  it("a ring holds only the blocks its bytes need, across block edges, and gives them back as read", () => {
    const pool = usePool(new Pool(16, 0));
    const r = new Ring(1024);
    expect(r.push(bytes(300, 0), 300)).toBe(300);
    expect(r.held).toBe(3);
    expect(pool.freeCount).toBe(13);
    const dst = heap.alloc(300);
    expect(r.pop(dst, 200)).toBe(200);
    expect(load<u8>(dst + 199)).toBe(199);
    expect(r.held).toBe(2); // the first block wholly read went back
    expect(r.push(bytes(100, 44), 100)).toBe(100);
    expect(r.pop(dst, 300)).toBe(200);
    expect(load<u8>(dst)).toBe(200);
    expect(load<u8>(dst + 99)).toBe(<u8>299);
    expect(load<u8>(dst + 100)).toBe(44);
    expect(load<u8>(dst + 199)).toBe(143);
    r.clear();
    expect(pool.freeCount).toBe(16);
    expect(pool.users).toBe(0);
  });

  it("reads walk on from the block found last, also after the head's blocks went back", () => {
    const pool = usePool(new Pool(16, 0));
    const r = new Ring(2048);
    expect(r.push(bytes(6 * POOL_BLOCK, 0), 6 * POOL_BLOCK)).toBe(6 * POOL_BLOCK);
    const dst = heap.alloc(4);
    r.readAt(4 * POOL_BLOCK + 1, dst, 1); // remembers block 4
    expect(load<u8>(dst)).toBe(<u8>(4 * POOL_BLOCK + 1));
    expect(r.drop(2 * POOL_BLOCK + 3)).toBe(2 * POOL_BLOCK + 3); // two blocks go back: it is block 2 now
    r.readAt(2 * POOL_BLOCK - 3 + 5, dst, 1);
    expect(load<u8>(dst)).toBe(<u8>(4 * POOL_BLOCK + 5));
    r.readAt(0, dst, 1); // before the one remembered: from the head
    expect(load<u8>(dst)).toBe(<u8>(2 * POOL_BLOCK + 3));
    expect(r.drop(4 * POOL_BLOCK)).toBe(4 * POOL_BLOCK - 3); // all of it: the remembered block went back
    expect(r.push(bytes(2 * POOL_BLOCK, 9), 2 * POOL_BLOCK)).toBe(2 * POOL_BLOCK);
    r.readAt(POOL_BLOCK + 2, dst, 1);
    expect(load<u8>(dst)).toBe(<u8>(9 + POOL_BLOCK + 2));
    r.clear();
    expect(pool.freeCount).toBe(16);
  });

  it("a promised window stays promised: another ring cannot take it, and data inside it always fits", () => {
    const pool = usePool(new Pool(8, 0));
    const rx = new Ring(1024);
    const tx = new Ring(1024);
    expect(rx.promiseUpTo(512)).toBe(512);
    expect(pool.available()).toBe(4);
    expect(tx.push(bytes(1024, 0), 1024)).toBeLessThanOrEqual(4 * POOL_BLOCK);
    expect(pool.available()).toBe(0);
    // Out of order first (past the end), then the hole: both inside the promise.
    expect(rx.writeAt(256, bytes(256, 50), 256)).toBe(true);
    expect(rx.writeAt(0, bytes(256, 0), 256)).toBe(true);
    rx.commit(512);
    const dst = heap.alloc(512);
    expect(rx.pop(dst, 512)).toBe(512);
    expect(load<u8>(dst + 255)).toBe(255);
    expect(load<u8>(dst + 256)).toBe(50);
    expect(pool.available()).toBe(4); // what was read went back to the pool
    expect(tx.push(bytes(1024, 0), 1024)).toBe(4 * POOL_BLOCK);
    expect(rx.writeAt(0, bytes(1, 0), 1)).toBe(false); // nothing promised any more, nothing available
    expect(rx.free()).toBe(0);
  });

  it("under pressure a ring grows to its share only, and windows leave the last eighth to sending", () => {
    const pool = usePool(new Pool(32, 0));
    pool.sendReserve = 4;
    const a = new Ring(8192);
    const b = new Ring(8192);
    expect(a.promiseUpTo(20 * POOL_BLOCK)).toBe(20 * POOL_BLOCK); // alone, the pool free: all it asks
    expect(b.promiseUpTo(5 * POOL_BLOCK)).toBe(5 * POOL_BLOCK);
    // 7 of 32 available, two users: a share is 32 / 3 = 10 blocks.
    expect(a.promiseUpTo(8192)).toBe(20 * POOL_BLOCK); // over its share: no more
    expect(b.promiseUpTo(8192)).toBe(8 * POOL_BLOCK); // 3 more: 4 blocks (an eighth) stay for sending
    expect(pool.available()).toBe(4);
    const tx = new Ring(8192);
    expect(tx.push(bytes(1024, 0), 1024)).toBe(4 * POOL_BLOCK); // which a send ring may take
    a.clear();
    expect(b.promiseUpTo(8192)).toBe(24 * POOL_BLOCK); // alone again, but for the eighth
  });

  it("a writer fills prepared blocks in place, run by run, then commits; an empty send ring gives them back", () => {
    const pool = usePool(new Pool(4, 0));
    const r = new Ring(512);
    const other = new Ring(512);
    // A new ring starts half the pool away from the blocks taken last, then takes the free blocks
    // after its own last one, wrapping at the pool's end.
    expect(r.push(bytes(100, 0), 100)).toBe(100); // block 2
    expect(other.push(bytes(1, 0), 1)).toBe(1); // block 1 (half the pool after block 3)
    expect(r.prepare(200)).toBe(true); // blocks 3 and 0: the chain is 2, 3, 0
    expect(r.held).toBe(3);
    expect(r.runAt(r.len)).toBe(2 * POOL_BLOCK - 100); // blocks 2 and 3, one run
    expect(r.runAt(r.len + 2 * POOL_BLOCK - 100)).toBe(POOL_BLOCK); // block 0 does not follow block 3
    other.clear();
    let done = 0;
    while (done < 200) {
      const k = min(r.runAt(r.len + done), 200 - done);
      memory.fill(r.ptrAt(r.len + done), 0xaa, k);
      done += k;
    }
    r.commit(200);
    expectPushedThenFilled(r);
    expect(r.prepare(4 * POOL_BLOCK)).toBe(false); // more than the pool has
    r.consume(300);
    r.release();
    expect(pool.freeCount).toBe(4);
    expect(pool.users).toBe(0);
  });

  it("a run spans blocks adjacent in memory: one copy, one fill for them", () => {
    const pool = usePool(new Pool(8, 0));
    const r = new Ring(512);
    expect(r.push(bytes(100, 0), 100)).toBe(100); // block 4
    expect(r.prepare(200)).toBe(true); // blocks 4, 5, 6 in a row
    expect(r.runAt(r.len)).toBe(3 * POOL_BLOCK - 100);
    memory.fill(r.ptrAt(r.len), 0xaa, 200);
    r.commit(200);
    expectPushedThenFilled(r);
    r.consume(2 * POOL_BLOCK); // two blocks go back at once
    expect(pool.freeCount).toBe(7);
    expect(r.push(bytes(3 * POOL_BLOCK - 44, 0), 3 * POOL_BLOCK - 44)).toBe(3 * POOL_BLOCK - 44);
    expect(r.runAt(0)).toBe(2 * POOL_BLOCK); // the chain is 6, 7, 0 (wrapped): two runs
    expect(r.runAt(r.len - 1)).toBe(1); // its last byte ends block 0, and the chain
    const all = heap.alloc(3 * POOL_BLOCK);
    r.readAt(0, all, 3 * POOL_BLOCK); // across the runs, in order
    expect(load<u8>(all + 44 + 2 * POOL_BLOCK - 3)).toBe(<u8>(2 * POOL_BLOCK - 3));
    expect(load<u8>(all + 44 + 2 * POOL_BLOCK + 5)).toBe(<u8>(2 * POOL_BLOCK + 5));
    r.clear();
    expect(pool.freeCount).toBe(8);
  });
});
