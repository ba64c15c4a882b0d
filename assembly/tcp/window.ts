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
 * only moves when it can move by min(half the receive buffer, one MSS), and never moves left. What
 * the edge moves over is first promised by the buffer pool (tcp/pool.ts), so every byte the window
 * offers has a place: a full pool holds the edge where it is, the sender slows down.
 */
export function advertise(t: Tcb): u32 {
  growBuffer(t);
  const edge = t.rcvNxt + offerable(t);
  if (seqGt(edge, t.rcvAdv)) {
    const step = edge - t.rcvAdv;
    if (step >= min(t.rcvBuffer / 2, rcvMss(t))) {
      const held = min(t.rx.promiseUpTo(<i32>(edge - t.rcvNxt) + t.rx.len) - t.rx.len, <i32>(edge - t.rcvNxt));
      if (seqGt(t.rcvNxt + <u32>held, t.rcvAdv)) t.rcvAdv = t.rcvNxt + <u32>held;
    }
  }
  return t.rcvAdv - t.rcvNxt;
}

/**
 * Receive buffer autotuning (as Linux's, simpler): while data flows, the application keeps up
 * (under a quarter of the buffer unread) and the sender has used half the window or more (a Linux
 * sender's segments are half the largest window it saw, tcp_bound_to_half_wnd), the buffer
 * doubles, up to the ring and what the pool's growRoom holds. Grown blocks stay the connection's
 * until it ends (Ring.keepFor): a window later squeezed under the segments its peer now sends
 * would stall it.
 */
function growBuffer(t: Tcb): void {
  const buf = t.rcvBuffer;
  if (buf < <u32>t.rx.cap && seqGt(t.rcvNxt, t.irs + 1) && t.rcvWnd <= buf / 2 && <u32>t.rx.len < buf / 4) {
    t.rcvBuffer = <u32>t.rx.keepFor(<i32>buf * 2, <i32>buf);
  }
}

/** The window the pool and the connection's receive buffer would let us offer now: the buffer's
 *  room when the ring already holds or was promised it (the pool is not asked). */
function offerable(t: Tcb): u32 {
  const want = <i32>t.rcvBuffer - t.rx.len;
  return <u32>max(0, t.rx.room() >= want ? want : min(t.rx.windowRoom(), want));
}

/** True when the window we could advertise has grown enough to be worth a window update. */
export function windowUpdateDue(t: Tcb): bool {
  const edge = t.rcvNxt + offerable(t);
  if (!seqGt(edge, t.rcvAdv)) return false;
  const step = edge - t.rcvAdv;
  const mss = rcvMss(t);
  return step >= t.rcvBuffer / 2 || (t.rcvWnd < mss && step >= mss);
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
