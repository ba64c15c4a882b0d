/// <reference types="@as-pect/assembly/types/as-pect" />
import { Tcb, tcbTableInit, conns } from "../../assembly/tcp/tcb";
import { Ring } from "../../assembly/tcp/ring";
import { Pool, usePool } from "../../assembly/tcp/pool";
import { oooInsert, oooAdvance } from "../../assembly/tcp/reassembly";
import { OOO_RANGES } from "../../assembly/config";

/** A fresh slot of the default layout (its out-of-order ranges are its row of the table). */
function slot(): Tcb {
  tcbTableInit();
  const t = conns[0];
  t.reset();
  t.inUse = true;
  return t;
}

describe("receive ring and out-of-order ranges", () => {
  it("a ring wraps writes and reads", () => {
    usePool(new Pool(1, 0));
    const r = new Ring(8);
    const src = heap.alloc(8);
    for (let i: u8 = 0; i < 8; i++) store<u8>(src + i, i + 1);
    expect(r.push(src, 6)).toBe(6);
    const dst = heap.alloc(8);
    expect(r.pop(dst, 4)).toBe(4);
    expect(r.push(src, 8)).toBe(6); // only the free space
    expect(r.pop(dst, 8)).toBe(8);
    expect(load<u8>(dst)).toBe(5);
    expect(load<u8>(dst + 2)).toBe(1);
    expect(load<u8>(dst + 7)).toBe(6);
  });

  it("merges ranges and commits them when RCV.NXT reaches them", () => {
    const t = slot();
    t.rcvNxt = 100;
    expect(oooInsert(t, 110, 120)).toBe(true);
    expect(oooInsert(t, 120, 130)).toBe(true); // touching: merged
    expect(t.oooCount).toBe(1);
    expect(oooInsert(t, 140, 150)).toBe(true);
    expect(t.oooCount).toBe(2);
    t.rcvNxt = 110;
    expect(oooAdvance(t)).toBe(true);
    expect(t.rcvNxt).toBe(130);
    expect(t.rx.len).toBe(20);
    expect(t.oooCount).toBe(1);
  });

  it("refuses a range once every slot is used", () => {
    const t = slot();
    t.rcvNxt = 0;
    for (let i = 0; i < OOO_RANGES; i++) expect(oooInsert(t, <u32>(10 + 10 * i), <u32>(15 + 10 * i))).toBe(true);
    expect(oooInsert(t, 500, 510)).toBe(false);
  });
});
