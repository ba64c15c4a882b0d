/// <reference types="@as-pect/assembly/types/as-pect" />
// The SACK scoreboard (tcp/sack.ts) on its own: RFC 6675's Update, IsLost, SetPipe and NextSeg's
// holes, the bound of SACK_BLOCKS blocks, and the timeout that forgets it.
import { Tcb, tcbTableInit, conns } from "../../assembly/tcp/tcb";
import { sackUpdate, sackTrim, lostEdge, sackPipe, sackHole, sackRescueHole, holeStart, holeEnd, highSacked, NO_HOLE } from "../../assembly/tcp/sack";
import { onTimeout } from "../../assembly/tcp/congestion";
import { parseSegment, emitSegment, Segment, ACK_FLAG } from "../../assembly/wire/tcp";
import { SACK_BLOCKS } from "../../assembly/config";

const SRC: u32 = 0x0a4d0001;
const DST: u32 = 0x0a4d0002;
const M: u32 = 1000; // the segment size in these tests
const UNA: u32 = 0xfffff000; // close to wrapping, so every comparison must be modular

const lefts = new StaticArray<u32>(4);
const rights = new StaticArray<u32>(4);
const seg = new Segment();
/** The peer's ACKs: 40000 -> 5000, window 1000, its SACK blocks read from lefts and rights. */
const out = new Segment();
out.srcIp = SRC; out.dstIp = DST; out.srcPort = 40000; out.dstPort = 5000; out.flags = ACK_FLAG; out.wnd = 1000;
out.sackLefts = changetype<usize>(lefts); out.sackRights = changetype<usize>(rights);
const buf = heap.alloc(128);

/** A sender with ten segments outstanding from UNA, nothing SACKed. */
function sender(): Tcb {
  tcbTableInit();
  const t = conns[0];
  t.reset();
  t.inUse = true;
  t.sackOn = true;
  t.mss = M;
  t.sndUna = UNA; t.sndNxt = UNA + 10 * M; t.sndMax = UNA + 10 * M;
  t.maxSndWnd = 65535;
  t.highRxt = UNA;
  return t;
}

/** The peer's ACK at UNA carrying blocks given in segments from UNA ([a, b) pairs); fresh bytes. */
function ack(t: Tcb, blocks: Array<u32>): u32 {
  const n = blocks.length / 2;
  for (let i = 0; i < n; i++) { lefts[i] = UNA + blocks[2 * i] * M; rights[i] = UNA + blocks[2 * i + 1] * M; }
  return ackRaw(t, n);
}

/** The same with the n blocks already in lefts and rights. */
function ackRaw(t: Tcb, n: i32): u32 {
  out.seq = 1; out.ack = t.sndUna; out.sackCount = n;
  const len = emitSegment(buf, out);
  expect(parseSegment(SRC, DST, buf, len, seg)).toBe(-1);
  expect(seg.sackCount).toBe(n);
  return sackUpdate(t, seg);
}

describe("SACK scoreboard", () => {
  it("takes blocks in sequence order, merges touching and overlapping ones, counts only new bytes", () => {
    const t = sender();
    expect(ack(t, [5, 6])).toBe(M);
    expect(ack(t, [2, 3, 5, 6])).toBe(M); // the repeated block adds nothing
    expect(t.sbCount).toBe(2);
    expect(ack(t, [3, 5])).toBe(2 * M); // joins both
    expect(t.sbCount).toBe(1);
    expect(highSacked(t)).toBe(UNA + 6 * M);
  });

  it("holds SACK_BLOCKS blocks: a further one pushes out the lowest", () => {
    const t = sender();
    for (let i = 0; i < SACK_BLOCKS; i++) ack(t, [<u32>(2 * i + 1), <u32>(2 * i + 2)]); // 1, 3, 5, 7
    expect(t.sbCount).toBe(SACK_BLOCKS);
    ack(t, [1, 1 + 0]); // empty: ignored
    expect(ack(t, [9, 10])).toBe(M);
    expect(t.sbCount).toBe(SACK_BLOCKS);
    const h = sackHole(t, false);
    expect(holeStart(h)).toBe(UNA); // segment 1's block is gone: from UNA to segment 3 is one hole
    expect(holeEnd(h)).toBe(UNA + 3 * M);
  });

  it("ignores blocks with left >= right, past SND.MAX or far below SND.UNA; a D-SACK below SND.UNA changes nothing", () => {
    const t = sender();
    expect(ack(t, [3, 2])).toBe(0);
    expect(ack(t, [8, 11])).toBe(0);
    lefts[0] = UNA - 200_000; rights[0] = UNA - 199_000;
    expect(ackRaw(t, 1)).toBe(0);
    expect(t.sbCount).toBe(0);
    // A D-SACK (RFC 2883): the first block at or below the ACK.
    t.sndUna = UNA + 2 * M;
    expect(ack(t, [0, 1, 4, 5])).toBe(M);
    expect(t.sbCount).toBe(1);
  });

  it("trims blocks that SND.UNA passes", () => {
    const t = sender();
    ack(t, [2, 4, 6, 7]);
    t.sndUna = UNA + 3 * M;
    sackTrim(t);
    expect(t.sbCount).toBe(2);
    t.sndUna = UNA + 5 * M;
    sackTrim(t);
    expect(t.sbCount).toBe(1);
    expect(highSacked(t)).toBe(UNA + 7 * M);
  });

  it("IsLost: more than 2 segments' bytes SACKed above, or 3 blocks above", () => {
    const t = sender();
    ack(t, [1, 3]);
    expect(lostEdge(t)).toBe(UNA); // 2 segments above SND.UNA: not yet
    ack(t, [1, 4]);
    expect(lostEdge(t)).toBe(UNA + M); // 3: segment 0 is lost
    const u = sender();
    ack(u, [1, 2, 3, 4, 5, 6]);
    expect(lostEdge(u)).toBe(UNA + M); // three blocks of one segment each
  });

  it("pipe counts unSACKed bytes not lost, and retransmitted ones once more", () => {
    const t = sender();
    expect(sackPipe(t)).toBe(10 * M);
    ack(t, [1, 4]); // segment 0 lost, 1..3 SACKed, 4..9 in flight
    expect(sackPipe(t)).toBe(6 * M);
    t.highRxt = UNA + M; // segment 0 resent
    expect(sackPipe(t)).toBe(7 * M);
  });

  it("NextSeg's holes: rule 1 only below the lost edge, rule 3 up to the highest SACKed byte, past HighRxt", () => {
    const t = sender();
    ack(t, [1, 4, 6, 7]); // holes: 0 (lost), 4..6 (not lost: one segment SACKed above)
    let h = sackHole(t, true);
    expect(holeStart(h)).toBe(UNA);
    expect(holeEnd(h)).toBe(UNA + M);
    t.highRxt = UNA + M;
    expect(sackHole(t, true)).toBe(NO_HOLE);
    h = sackHole(t, false);
    expect(holeStart(h)).toBe(UNA + 4 * M);
    expect(holeEnd(h)).toBe(UNA + 6 * M);
    t.highRxt = UNA + 6 * M;
    expect(sackHole(t, false)).toBe(NO_HOLE); // nothing unSACKed below segment 7 past HighRxt
    h = sackRescueHole(t); // the rescue: the last hole, 7..10
    expect(holeStart(h)).toBe(UNA + 7 * M);
    expect(holeEnd(h)).toBe(UNA + 10 * M);
  });

  it("a retransmission timeout forgets the scoreboard and ends recovery (RFC 2018 §8)", () => {
    const t = sender();
    ack(t, [1, 4]);
    t.inRecovery = true;
    onTimeout(t);
    expect(t.sbCount).toBe(0);
    expect(t.inRecovery).toBe(false);
    expect(t.recover).toBe(t.sndMax);
  });
});
