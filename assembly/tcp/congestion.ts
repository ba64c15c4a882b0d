// Congestion control (RFC 5681) with appropriate byte counting (RFC 3465) and loss recovery:
// SACK-based (RFC 6675) when both ends agreed on SACK, else NewReno fast recovery (RFC 6582).
// Input calls these on each acceptable ACK, duplicate ACK and timeout; they decide and mark
// (Tcb.owed: a fast retransmit is owed), never send. The window they keep (cwnd) bounds what
// dispatch() sends, next to the peer's window (in SACK recovery: cwnd - pipe).
import { Tcb, Owe } from "./tcb";
import { seqGt, seqGe, seqLt } from "./seq";
import { restartRtx } from "./timers";
import { DUP_THRESH, isLost, sackClear } from "./sack";
import { C, count } from "../util/counters";

/** RFC 3465 §2.3: in slow start an ACK may open the window by at most L = 2 segments. */
const ABC_LIMIT: u32 = 2;

/** The largest window worth keeping: what the send ring can hold, and never less than 64 KiB. */
@inline function cwndCap(t: Tcb): u32 { return max<u32>(<u32>t.tx.cap, 0x10000) + 2 * t.mss; }

/** A duplicate ACK (RFC 5681 §2). The third starts fast retransmit; more inflate the window. */
export function onDupAck(t: Tcb): void {
  t.dupAcks++;
  if (t.sackOn) { sackDupAck(t); return; }
  if (t.inRecovery) {
    t.cwnd = min(t.cwnd + t.mss, cwndCap(t)); // RFC 6582 §3.2 step 3: each one means a segment left
    return;
  }
  // RFC 6582 §3.2 step 2: only when the ACK covers more than the last recovery (no false restart
  // from duplicates of data that was sent before an earlier loss was repaired).
  if (t.dupAcks == 3 && seqGt(t.sndUna, t.recover)) {
    const flight = t.sndMax - t.sndUna;
    t.ssthresh = max(flight / 2, 2 * t.mss);
    t.recover = t.sndMax;
    t.inRecovery = true;
    t.cwnd = t.ssthresh + 3 * t.mss;
    count(C.TCP_FAST_RETRANSMITS);
    t.owed |= Owe.RETRANSMIT_FIRST;
  }
}

/**
 * A duplicate ACK with SACK on (RFC 6675 §5): DupThresh of them, or fewer once the scoreboard
 * finds the first unacknowledged byte lost (IsLost(HighACK + 1)), start loss recovery — but not
 * before SND.UNA reaches the end of the previous one (§5.1, after a timeout). In recovery the ACK
 * only updated the scoreboard; dispatch sends what pipe allows.
 */
function sackDupAck(t: Tcb): void {
  if (t.inRecovery || seqLt(t.sndUna, t.recover)) return;
  if (t.dupAcks < DUP_THRESH && !isLost(t, t.sndUna)) return;
  // (4.1) RecoveryPoint = HighData; (4.2) ssthresh = cwnd = FlightSize / 2.
  t.recover = t.sndMax;
  t.ssthresh = max((t.sndMax - t.sndUna) / 2, 2 * t.mss);
  t.cwnd = t.ssthresh;
  t.inRecovery = true;
  t.bytesAcked = 0;
  if (t.sndNxt != t.sndMax) t.sndNxt = t.sndMax; // new data goes from HighData on; holes are NextSeg's
  count(C.TCP_FAST_RETRANSMITS);
  count(C.TCP_SACK_RECOVERIES);
  t.owed |= Owe.SACK_RETRANSMIT; // (4.3), sent by dispatch
}

/** SND.UNA moved by `acked` bytes: leave recovery, repair the next hole, or grow the window. */
export function onAck(t: Tcb, acked: u32): void {
  if (t.inRecovery && t.sackOn) {
    // RFC 6675 §5 (A): an ACK at or past RecoveryPoint ends recovery; cwnd stays at ssthresh. A
    // partial one changes no window: dispatch fills what pipe leaves below cwnd (steps B, C).
    if (seqGe(t.sndUna, t.recover)) { t.inRecovery = false; t.cwnd = min(t.cwnd, t.ssthresh); }
    return;
  }
  if (t.inRecovery) {
    if (seqGe(t.sndUna, t.recover)) {
      // Full acknowledgment (RFC 6582 §3.2 step 5): deflate to ssthresh, or to what is still out.
      t.cwnd = min(t.ssthresh, max(t.sndMax - t.sndUna, t.mss) + t.mss);
      t.inRecovery = false;
      t.bytesAcked = 0;
    } else {
      // Partial acknowledgment (step 4): the next hole is lost too; resend it (dispatch does), deflate
      // by what was acknowledged and add back one segment, keep the timer from firing meanwhile.
      t.owed |= Owe.RETRANSMIT_FIRST;
      t.cwnd = t.cwnd > acked ? t.cwnd - acked : 0;
      if (acked >= t.mss) t.cwnd += t.mss;
      t.cwnd = max(t.cwnd, t.mss);
      restartRtx(t);
    }
    return;
  }
  if (t.cwnd < t.ssthresh) {
    t.cwnd += min(acked, ABC_LIMIT * t.mss); // slow start, by bytes acknowledged
  } else {
    // Congestion avoidance: one segment per window's worth of acknowledged bytes.
    t.bytesAcked += acked;
    if (t.bytesAcked >= t.cwnd) { t.bytesAcked -= t.cwnd; t.cwnd += t.mss; }
  }
  t.cwnd = min(t.cwnd, cwndCap(t));
}

/**
 * The peer echoed a CE mark (RFC 3168 §6.1.2): the window is halved as for a loss, without
 * retransmitting anything (ecn.ts decided it is the first echo of this window).
 */
export function onEcnEcho(t: Tcb): void {
  t.ssthresh = max((t.sndMax - t.sndUna) / 2, 2 * t.mss);
  t.cwnd = t.ssthresh;
  t.bytesAcked = 0;
}

/** A retransmission timeout (RFC 5681 §3.1, RFC 6582 §3.2 step 4 of the timeout): start over. */
export function onTimeout(t: Tcb): void {
  const flight = t.sndMax - t.sndUna;
  t.ssthresh = max(flight / 2, 2 * t.mss);
  t.cwnd = t.mss;
  t.bytesAcked = 0;
  t.inRecovery = false;
  t.recover = t.sndMax;
  // RFC 2018 §8: a timeout may mean the peer reneged on what it SACKed, so the scoreboard starts
  // over and everything from SND.UNA is resent (RFC 6675 §5.1 would let it be kept).
  sackClear(t);
}
