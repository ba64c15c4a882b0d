// Out-of-order data (RFC 9293 §3.10.7.4, seventh step: "segments ... may be held"). The bytes
// are written straight into the receive ring past its end, at their offset from RCV.NXT; these
// ranges remember which parts are there, so nothing is copied twice. They are kept most recent
// first (the range the last segment fell into leads), the order RFC 2018 §4 wants SACK blocks in.
// Also the seventh step's text processing for the states that take data (receiveText), and what
// a simultaneous-open SYN carried, held until ESTABLISHED (holdUntilEstablished).
import { OOO_RANGES } from "../config";
import { Tcb, Owe, oooRanges } from "./tcb";
import { seqGt, seqLt, seqLe, seqGe } from "./seq";
import { Segment, FIN } from "../wire/tcp";
import { delayAck } from "./timers";
import { C, count } from "../util/counters";

/** Where slot t's row of out-of-order ranges begins in oooRanges: its starts, then its ends. */
@inline function row(t: Tcb): i32 { return t.id * 2 * OOO_RANGES; }
@inline function startAt(t: Tcb, i: i32): u32 { return unchecked(oooRanges[row(t) + i]); }
@inline function endAt(t: Tcb, i: i32): u32 { return unchecked(oooRanges[row(t) + OOO_RANGES + i]); }
@inline function setRange(t: Tcb, i: i32, s: u32, e: u32): void {
  unchecked(oooRanges[row(t) + i] = s);
  unchecked(oooRanges[row(t) + OOO_RANGES + i] = e);
}
/** The addresses of slot t's range starts and ends (the SACK blocks its ACKs carry: output.ts). */
export function oooStarts(t: Tcb): usize { return changetype<usize>(oooRanges) + (<usize>row(t) << 2); }
export function oooEnds(t: Tcb): usize { return oooStarts(t) + (<usize>OOO_RANGES << 2); }

/**
 * Remember [start, end) as held; merges with overlapping or touching ranges, and puts the union
 * first. False when full.
 */
export function oooInsert(t: Tcb, start: u32, end: u32): bool {
  // Absorb every range that overlaps or touches, then store the union.
  let i = 0;
  while (i < t.oooCount) {
    const s = startAt(t, i);
    const e = endAt(t, i);
    if (seqLe(s, end) && seqGe(e, start)) {
      if (seqLt(s, start)) start = s;
      if (seqGt(e, end)) end = e;
      removeAt(t, i);
    } else i++;
  }
  if (t.oooCount >= OOO_RANGES) return false;
  for (let j = t.oooCount; j > 0; j--) setRange(t, j, startAt(t, j - 1), endAt(t, j - 1));
  setRange(t, 0, start, end);
  t.oooCount++;
  return true;
}

/** Remove range i, keeping the others in their order. */
function removeAt(t: Tcb, i: i32): void {
  for (let j = i + 1; j < t.oooCount; j++) setRange(t, j - 1, startAt(t, j), endAt(t, j));
  t.oooCount--;
}

/**
 * A simultaneous-open SYN's text and FIN (the SYN skipped), "queued for processing after the
 * ESTABLISHED state has been reached" (RFC 9293 §3.10.7.3): the text held as out-of-order data at
 * RCV.NXT, the FIN held after it; both are taken once the handshake completes.
 */
export function holdUntilEstablished(t: Tcb, seg: Segment): void {
  const n = min(seg.dataLen, <i32>t.rcvWnd);
  if (n > 0) {
    t.rx.writeAt(t.rx.len, seg.data, n);
    if (!oooInsert(t, seg.seq, seg.seq + <u32>n)) return;
  }
  if (seg.has(FIN) && n == seg.dataLen) { t.finHeld = true; t.finHeldAt = seg.seq + <u32>n; }
}

/**
 * A FIN at `at`, beyond RCV.NXT: inside the window it is held until the gap before it fills
 * (SHLD-31), and a duplicate ACK says what is missing. False when it is outside the window.
 */
export function holdFin(t: Tcb, at: u32): bool {
  if (!seqGt(at, t.rcvNxt) || <i32>(at - t.rcvNxt) >= <i32>t.rcvWnd) return false;
  t.finHeld = true;
  t.finHeldAt = at;
  t.owed |= Owe.ACK;
  return true;
}

/** RCV.NXT moved: commit every held range it reached. Returns true if any was committed. */
export function oooAdvance(t: Tcb): bool {
  let moved = false;
  let i = 0;
  while (i < t.oooCount) {
    const s = startAt(t, i);
    const e = endAt(t, i);
    if (seqLe(s, t.rcvNxt)) {
      if (seqGt(e, t.rcvNxt)) {
        t.rx.commit(<i32>(e - t.rcvNxt));
        t.rcvNxt = e;
      }
      removeAt(t, i);
      moved = true;
      i = 0; // a later range may now be reachable
    } else i++;
  }
  return moved;
}

/** Seventh step for ESTABLISHED and FIN-WAIT-1/2: in-order data to the ring, the rest held. */
export function receiveText(t: Tcb, seg: Segment): void {
  let seq = seg.seq;
  let data = seg.data;
  let n = seg.dataLen;
  if (seqLt(seq, t.rcvNxt)) {
    const skip = <i32>(t.rcvNxt - seq);
    if (skip >= n) { t.owed |= Owe.ACK; return; }
    data += <usize>skip; n -= skip; seq = t.rcvNxt;
  }
  const off = <i32>(seq - t.rcvNxt);
  const room = <i32>t.rcvWnd - off;
  if (n > room) n = room; // trim to the window
  if (n <= 0) { t.owed |= Owe.ACK; return; }
  // Inside the window the pool promised it (window.ts advertise), so the bytes have a place; a
  // cookie's window, advertised with no record, is the one exception the check is for.
  if (!t.rx.writeAt(t.rx.len + off, data, n)) { count(C.TCP_DROP_OUT_OF_WINDOW); t.owed |= Owe.ACK; return; }
  if (off == 0) {
    t.rx.commit(n);
    t.rcvNxt += <u32>n;
    // Filling a hole is acknowledged at once (RFC 5681 §4.2), in-order data may wait.
    if (oooAdvance(t) || t.oooCount > 0) t.owed |= Owe.ACK;
    else delayAck(t);
  } else {
    count(C.TCP_OOO_SEGS);
    if (!oooInsert(t, seq, seq + <u32>n)) count(C.TCP_DROP_OOO_FULL);
    t.owed |= Owe.ACK; // a duplicate ACK tells the sender what is missing
  }
}
