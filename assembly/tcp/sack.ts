// Selective acknowledgments (RFC 2018), both ends. As the data receiver: the blocks our ACKs
// carry, taken from the out-of-order ranges, most recent first (§4). As the data sender: the
// scoreboard of what the peer holds above SND.UNA, and the questions RFC 6675 §4 asks of it —
// IsLost, pipe (SetPipe) and the holes NextSeg chooses from. Loss recovery itself is in
// congestion.ts (entering, leaving) and output.ts (sending while pipe is below cwnd).
//
// The scoreboard is bounded (SACK_BLOCKS): a block that does not fit pushes out the lowest one.
// Forgetting SACKed data is always safe: it only means resending bytes the peer already has
// (RFC 2018 §8: the sender keeps every byte until it is cumulatively acknowledged anyway).
import { SACK_BLOCKS } from "../config";
import { Tcb, scoreboards } from "./tcb";
import { seqLt, seqLe, seqGt, seqGe, seqMax, seqMin } from "./seq";
import { Segment } from "../wire/tcp";
import { C, count } from "../util/counters";

/** RFC 6675 §2 DupThresh: duplicate ACKs (or SACKed segments above a hole) that mean a loss. */
export const DUP_THRESH: i32 = 3;

// The data receiver's side is output.ts's: the out-of-order ranges (reassembly.ts) are kept most
// recent first, so its ACKs carry them as they are.

// ---- The data sender's side: the scoreboard, blocks in sequence order, disjoint, not touching.

@inline function row(t: Tcb): i32 { return t.id * 2 * SACK_BLOCKS; }
@inline export function left(t: Tcb, i: i32): u32 { return unchecked(scoreboards[row(t) + 2 * i]); }
@inline function right(t: Tcb, i: i32): u32 { return unchecked(scoreboards[row(t) + 2 * i + 1]); }
@inline function set(t: Tcb, i: i32, l: u32, r: u32): void {
  unchecked(scoreboards[row(t) + 2 * i] = l);
  unchecked(scoreboards[row(t) + 2 * i + 1] = r);
}

function removeAt(t: Tcb, i: i32): void {
  for (let j = i + 1; j < t.sbCount; j++) set(t, j - 1, left(t, j), right(t, j));
  t.sbCount--;
}

/** Bytes of [a, b) that [l, r) covers. */
@inline function overlap(a: u32, b: u32, l: u32, r: u32): u32 {
  const lo = seqMax(l, a);
  const hi = seqMin(r, b);
  return seqLt(lo, hi) ? hi - lo : 0;
}

/** Mark [l, r) SACKed (inside SND.UNA..SND.MAX); returns how many of its bytes were not before. */
function mark(t: Tcb, l: u32, r: u32): u32 {
  let fresh = r - l;
  let i = 0;
  while (i < t.sbCount) {
    const bl = left(t, i), br = right(t, i);
    if (seqLe(bl, r) && seqGe(br, l)) { // overlaps or touches: absorb it
      fresh -= overlap(l, r, bl, br);
      l = seqMin(l, bl);
      r = seqMax(r, br);
      removeAt(t, i);
    } else i++;
  }
  let at = 0;
  while (at < t.sbCount && seqLt(left(t, at), l)) at++;
  if (t.sbCount == SACK_BLOCKS) {
    if (at == 0) return fresh; // the lowest of five: it is the one forgotten
    removeAt(t, 0);
    at--;
  }
  for (let j = t.sbCount; j > at; j--) set(t, j, left(t, j - 1), right(t, j - 1));
  set(t, at, l, r);
  t.sbCount++;
  return fresh;
}

/**
 * Update() (RFC 6675 §4): the blocks of an acceptable ACK into the scoreboard; returns the bytes
 * newly SACKed (new information: RFC 6675 §2 counts such an ACK as a duplicate). A block with
 * left >= right, past SND.MAX, or further below SND.UNA than the peer's largest window is
 * impossible: it is ignored and counted. One at or below SND.UNA is a D-SACK (RFC 2883) or old
 * news: allowed, it changes nothing. A malformed option was already set aside by the parser.
 */
export function sackUpdate(t: Tcb, seg: Segment): u32 {
  if (seg.sackBad) count(C.TCP_SACK_IGNORED);
  let fresh: u32 = 0;
  const floor = t.sndUna - max(t.maxSndWnd, t.mss);
  for (let i = 0; i < seg.sackCount; i++) {
    let l = seg.sackLeft(i);
    const r = seg.sackRight(i);
    if (!seqLt(l, r) || seqGt(r, t.sndMax) || seqLt(l, floor)) { count(C.TCP_SACK_IGNORED); continue; }
    if (seqLe(r, t.sndUna)) continue;
    if (seqLt(l, t.sndUna)) l = t.sndUna;
    fresh += mark(t, l, r);
  }
  return fresh;
}

/** SND.UNA moved: forget blocks it passed. */
export function sackTrim(t: Tcb): void {
  while (t.sbCount > 0 && seqLe(right(t, 0), t.sndUna)) removeAt(t, 0);
  if (t.sbCount > 0 && seqLt(left(t, 0), t.sndUna)) set(t, 0, t.sndUna, right(t, 0));
}

/** Forget every block (after a retransmission timeout: the peer may have reneged, RFC 2018 §8). */
export function sackClear(t: Tcb): void { t.sbCount = 0; }

/** One past the highest byte the peer has SACKed (SND.UNA when nothing is). */
export function highSacked(t: Tcb): u32 { return t.sbCount > 0 ? right(t, t.sbCount - 1) : t.sndUna; }

/**
 * IsLost (RFC 6675 §4) as an edge: a byte is lost when DupThresh SACKed blocks, or more than
 * (DupThresh - 1) * SMSS SACKed bytes, lie above it; every unSACKed byte below the edge is.
 * SND.UNA when none is. (The RFC counts SACKed segments; a block holds one or more, so counting
 * blocks and bytes is at worst slower to call a small segment lost, never quicker.)
 */
export function lostEdge(t: Tcb): u32 {
  let bytes: u32 = 0;
  for (let k = t.sbCount - 1, n = 1; k >= 0; k--, n++) {
    bytes += right(t, k) - left(t, k);
    if (n >= DUP_THRESH || bytes > <u32>(DUP_THRESH - 1) * t.mss) return left(t, k);
  }
  return t.sndUna;
}

@inline export function isLost(t: Tcb, seq: u32): bool { return seqLt(seq, lostEdge(t)); }

/** Bytes of [a, b) not SACKed. */
function unsacked(t: Tcb, a: u32, b: u32): u32 {
  if (!seqLt(a, b)) return 0;
  let n = b - a;
  for (let i = 0; i < t.sbCount; i++) n -= overlap(a, b, left(t, i), right(t, i));
  return n;
}

/**
 * SetPipe (RFC 6675 §4): the bytes still in the network. Every unSACKed byte between SND.UNA and
 * SND.MAX counts once unless it is lost, and once more if it was retransmitted (below HighRxt).
 */
export function sackPipe(t: Tcb): u32 {
  const rxt = seqMin(seqMax(t.highRxt, t.sndUna), t.sndMax);
  return unsacked(t, lostEdge(t), t.sndMax) + unsacked(t, t.sndUna, rxt);
}

/**
 * A resent hole can be lost again, and RFC 6675 alone would leave it to the retransmission
 * timeout (a second or more). When the peer SACKs more than (DupThresh - 1) * SMSS of data sent
 * after the latest resend (rxtMark) while holes below HighRxt are still unSACKed, those resends
 * were lost as surely as a hole with as much SACKed above it is (IsLost's rule, applied to the
 * resend's place in the sending order, as Linux's lost-retransmit detection does): HighRxt goes
 * back to SND.UNA so NextSeg rule 1 resends them. True when it did.
 */
export function lostRetransmissions(t: Tcb): bool {
  if (!seqGt(t.highRxt, t.sndUna)) return false;
  if (!seqGt(highSacked(t), t.rxtMark + <u32>(DUP_THRESH - 1) * t.mss)) return false;
  // SND.UNA is below HighRxt and unSACKed: at least that resend is lost.
  t.highRxt = t.sndUna;
  t.rxtMark = t.sndMax;
  count(C.TCP_SACK_LOST_RETRANSMITS);
  return true;
}

/**
 * A hole [start, end) that sackHole or sackRescueHole found, as one value (start in the high
 * half), or NO_HOLE: a hole is never empty, so 0 is never one.
 */
export const NO_HOLE: u64 = 0;
@inline function hole(start: u32, end: u32): u64 { return (<u64>start << 32) | <u64>end; }
@inline export function holeStart(h: u64): u32 { return <u32>(h >>> 32); }
@inline export function holeEnd(h: u64): u32 { return <u32>h; }

/**
 * NextSeg (RFC 6675 §4) rules 1 and 3: the lowest unSACKed byte at or past HighRxt and below the
 * highest SACKed byte (rule 1: and lost; rule 3: lost or not), and the hole it starts, which ends
 * where SACKed data begins. NO_HOLE when there is none.
 */
export function sackHole(t: Tcb, lostOnly: bool): u64 {
  let s = seqMax(t.highRxt, t.sndUna);
  const limit = lostOnly ? lostEdge(t) : highSacked(t);
  for (let i = 0; i < t.sbCount; i++) {
    const l = left(t, i), r = right(t, i);
    if (seqLt(s, l)) {
      return seqLt(s, limit) ? hole(s, l) : NO_HOLE;
    }
    if (seqLt(s, r)) s = r; // inside a SACKed block: skip past it
  }
  return NO_HOLE;
}

/**
 * NextSeg rule 4, the rescue retransmission: the hole that ends at the highest unSACKed byte
 * outstanding (the last hole below SND.MAX). NO_HOLE when everything outstanding is SACKed.
 */
export function sackRescueHole(t: Tcb): u64 {
  let top = t.sndMax;
  let k = t.sbCount - 1;
  if (k >= 0 && right(t, k) == t.sndMax) { top = left(t, k); k--; }
  const bottom = k >= 0 ? right(t, k) : t.sndUna;
  return seqLt(bottom, top) ? hole(bottom, top) : NO_HOLE;
}
