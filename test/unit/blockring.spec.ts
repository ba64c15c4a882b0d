/// <reference types="@as-pect/assembly/types/as-pect" />
import { Pool, POOL_BLOCK } from "../../assembly/tcp/pool";
import { BlockRing } from "../../assembly/tcp/blockring";

function bytes(n: i32, from: u8): usize {
  const p = heap.alloc(n);
  for (let i = 0; i < n; i++) store<u8>(p + i, <u8>(from + <u8>i));
  return p;
}

describe("rings over the shared block pool", () => {
  it("a ring holds only the blocks its bytes need, across block edges, and gives them back as read", () => {
    const pool = new Pool(16);
    const r = new BlockRing(pool, 1024);
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

  it("a promised window stays promised: another ring cannot take it, and data inside it always fits", () => {
    const pool = new Pool(8);
    const rx = new BlockRing(pool, 1024);
    const tx = new BlockRing(pool, 1024);
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

  it("under pressure a ring grows to its share only; with half the pool free it may take all it asks", () => {
    const pool = new Pool(30);
    const a = new BlockRing(pool, 8192);
    const b = new BlockRing(pool, 8192);
    expect(a.promiseUpTo(20 * POOL_BLOCK)).toBe(20 * POOL_BLOCK); // alone, the pool free: all it asks
    expect(b.promiseUpTo(5 * POOL_BLOCK)).toBe(5 * POOL_BLOCK);
    // 5 of 30 available, two users: a share is 30 / 3 = 10 blocks.
    expect(a.promiseUpTo(8192)).toBe(20 * POOL_BLOCK); // over its share: no more
    expect(a.free()).toBe(20 * POOL_BLOCK);
    expect(b.promiseUpTo(8192)).toBe(10 * POOL_BLOCK); // up to its share
    expect(pool.available()).toBe(0);
    a.clear();
    expect(b.promiseUpTo(8192)).toBe(30 * POOL_BLOCK); // alone again
  });

  it("the tail run is the room left in the last block, written in place and committed", () => {
    const pool = new Pool(4);
    const r = new BlockRing(pool, 512);
    expect(r.push(bytes(100, 0), 100)).toBe(100);
    expect(r.tailRun()).toBe(POOL_BLOCK - 100);
    store<u8>(r.tailPtr(), 0xaa);
    r.commit(1);
    expect(r.tailRun()).toBe(POOL_BLOCK - 101);
    const dst = heap.alloc(101);
    r.readAt(0, dst, 101);
    expect(load<u8>(dst + 100)).toBe(0xaa);
    r.consume(101);
    r.release();
    expect(pool.freeCount).toBe(4);
    expect(pool.users).toBe(0);
  });
});
