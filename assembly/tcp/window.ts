// The receive window we offer: its size and right edge (RFC 9293 §3.8.6.2.2, receiver SWS
// avoidance as RFC 1122 §4.2.3.3), our MSS and the window shift we announce.
import { MTU } from "../config";
import { rxRingSize } from "../layout";
import { Tcb } from "./tcb";
import { seqGt } from "./seq";

/** The MSS we announce: an Ethernet MTU minus IPv4 and TCP headers. */
export const OUR_MSS: u32 = <u32>MTU - 40;

/** The largest segment the peer will send us: our MSS less the timestamps it carries once agreed. */
@inline function rcvMss(t: Tcb): u32 { return OUR_MSS - t.optionBytes; }

/**
 * The window to advertise, with receiver-side SWS avoidance (RFC 1122 §4.2.3.3): the right edge
 * only moves when it can move by min(half the buffer, one MSS), and never moves left.
 */
@inline export function advertise(t: Tcb): u32 {
  const edge = t.rcvNxt + <u32>t.rx.free();
  if (seqGt(edge, t.rcvAdv)) {
    const step = edge - t.rcvAdv;
    if (step >= min(<u32>rxRingSize / 2, rcvMss(t))) t.rcvAdv = edge;
  }
  return t.rcvAdv - t.rcvNxt;
}

/** True when the window we could advertise has grown enough to be worth a window update. */
@inline export function windowUpdateDue(t: Tcb): bool {
  const edge = t.rcvNxt + <u32>t.rx.free();
  if (!seqGt(edge, t.rcvAdv)) return false;
  const step = edge - t.rcvAdv;
  const mss = rcvMss(t);
  return step >= <u32>rxRingSize / 2 || (t.rcvWnd < mss && step >= mss);
}

/**
 * The shift we announce in our Window Scale option: the smallest that lets the receive ring be
 * offered whole. Rings are at most 65535 bytes today, so it is 0, which still lets the peer scale
 * its own window (a large send ring can then be kept in flight).
 */
export function ourWscale(): u32 {
  let s: u32 = 0;
  while ((<u32>rxRingSize >> s) > 0xffff && s < 14) s++;
  return s;
}
