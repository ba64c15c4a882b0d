// Out-of-order data (RFC 9293 §3.10.7.4, seventh step: "segments ... may be held"). The bytes
// are written straight into the receive ring past its end, at their offset from RCV.NXT; these
// ranges remember which parts are there, so nothing is copied twice.
import { OOO_RANGES } from "../config";
import { Tcb } from "./tcb";
import { seqGt, seqLt, seqLe, seqGe } from "./seq";

/** Remember [start, end) as held; merges with overlapping or touching ranges. False when full. */
export function oooInsert(t: Tcb, start: u32, end: u32): bool {
  // Absorb every range that overlaps or touches, then store the union.
  let i = 0;
  while (i < t.oooCount) {
    const s = unchecked(t.oooStart[i]);
    const e = unchecked(t.oooEnd[i]);
    if (seqLe(s, end) && seqGe(e, start)) {
      if (seqLt(s, start)) start = s;
      if (seqGt(e, end)) end = e;
      removeAt(t, i);
    } else i++;
  }
  if (t.oooCount >= OOO_RANGES) return false;
  unchecked(t.oooStart[t.oooCount] = start);
  unchecked(t.oooEnd[t.oooCount] = end);
  t.oooCount++;
  return true;
}

function removeAt(t: Tcb, i: i32): void {
  const last = t.oooCount - 1;
  unchecked(t.oooStart[i] = t.oooStart[last]);
  unchecked(t.oooEnd[i] = t.oooEnd[last]);
  t.oooCount = last;
}

/** RCV.NXT moved: commit every held range it reached. Returns true if any was committed. */
export function oooAdvance(t: Tcb): bool {
  let moved = false;
  let i = 0;
  while (i < t.oooCount) {
    const s = unchecked(t.oooStart[i]);
    const e = unchecked(t.oooEnd[i]);
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
