/// <reference types="@as-pect/assembly/types/as-pect" />
import { arpLookup, arpLearn, arpHold, arpTick, arpClear, holdLength } from "../../assembly/net/arp_cache";
import { setNow } from "../../assembly/util/clock";
import { ARP_TTL_MS, ARP_RETRY_MS, ARP_MAX_TRIES, ARP_CACHE_SIZE } from "../../assembly/config";

const A: u32 = 0x0a4d0001;
let asked: u32 = 0;
let askedCount = 0;
function ask(ip: u32): void { asked = ip; askedCount++; }

function mac(last: u8): usize {
  const p = heap.alloc(6);
  memory.fill(p, 2, 5);
  store<u8>(p + 5, last);
  return p;
}

describe("ARP cache", () => {
  beforeEach(() => { arpClear(); setNow(1000); askedCount = 0; });

  it("learns only what was meant for us, and refreshes what it knows", () => {
    expect(arpLearn(A, mac(1), false)).toBe(-1);
    expect(arpLookup(A)).toBe(0);
    arpLearn(A, mac(1), true);
    expect(load<u8>(arpLookup(A) + 5)).toBe(1);
    arpLearn(A, mac(9), false);
    expect(load<u8>(arpLookup(A) + 5)).toBe(9);
  });

  it("entries expire after their time to live", () => {
    arpLearn(A, mac(1), true);
    setNow(1000 + ARP_TTL_MS - 1);
    arpTick(ask);
    expect(arpLookup(A)).not.toBe(0);
    setNow(1000 + ARP_TTL_MS);
    arpTick(ask);
    expect(arpLookup(A)).toBe(0);
  });

  it("holds a frame until the reply, which releases it", () => {
    const frame = heap.alloc(60);
    expect(arpHold(A, frame, 60)).toBe(true); // new: send a request now
    expect(arpHold(A, frame, 50)).toBe(false); // already asking; the newer frame replaces the older
    const slot = arpLearn(A, mac(3), false);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(holdLength(slot)).toBe(50);
  });

  it("asks again every retry interval, then gives up and drops the held frame", () => {
    const frame = heap.alloc(60);
    arpHold(A, frame, 60);
    for (let i = 1; i < ARP_MAX_TRIES; i++) {
      setNow(1000 + <u32>i * ARP_RETRY_MS);
      arpTick(ask);
      expect(asked).toBe(A);
    }
    expect(askedCount).toBe(ARP_MAX_TRIES - 1);
    setNow(1000 + <u32>ARP_MAX_TRIES * ARP_RETRY_MS);
    arpTick(ask);
    expect(arpLearn(A, mac(3), false)).toBe(-1); // forgotten: a late reply creates nothing
  });

  it("a full cache replaces the entry expiring first", () => {
    for (let i = 0; i < ARP_CACHE_SIZE; i++) { setNow(1000 + <u32>i); arpLearn(A + <u32>i, mac(<u8>i), true); }
    arpLearn(A + 100, mac(100), true);
    expect(arpLookup(A)).toBe(0);
    expect(arpLookup(A + 1)).not.toBe(0);
    expect(arpLookup(A + 100)).not.toBe(0);
  });
});

describe("ARP cache under a flood of unknown addresses", () => {
  it("lookups in progress never push out resolved neighbours", () => {
    arpClear();
    setNow(1000);
    arpLearn(A, mac(1), true);
    const frame = heap.alloc(60);
    for (let i = 0; i < 3 * ARP_CACHE_SIZE; i++) arpHold(0x0a4d0080 + <u32>i, frame, 60);
    expect(arpLookup(A)).not.toBe(0);
  });
});
