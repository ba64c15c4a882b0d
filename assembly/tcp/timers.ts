// Per-connection timers: retransmission (RFC 6298), persist (zero-window probes), delayed ACK,
// and the close timer (TIME-WAIT's 2*MSL, or an orphaned FIN-WAIT-2). Each is a deadline plus an
// armed flag; poll runs whichever are due and reports the earliest one left.
import {
  RTO_MIN_MS, RTO_MAX_MS, SWS_OVERRIDE_MS, RTO_AFTER_SYN_RTX_MS, MAX_RETRIES, MAX_SYNACK_RETRIES, SYN_R2_MS, DELAYED_ACK_MS, PERSIST_MIN_MS, PERSIST_MAX_MS,
} from "../config";
import { now, reached, until } from "../util/clock";
import { C, count } from "../util/counters";
import { Tcb, Owe } from "./tcb";
import { State } from "./state";

export function armRtx(t: Tcb): void {
  if (!t.rtxOn) { t.rtxOn = true; t.rtxAt = now + t.rto; }
}
export function restartRtx(t: Tcb): void { t.rtxOn = true; t.rtxAt = now + t.rto; }
export function stopRtx(t: Tcb): void { t.rtxOn = false; }

export function startPersist(t: Tcb): void {
  if (t.persistOn) return;
  t.persistOn = true;
  t.rtxOn = false;
  t.persistBackoff = 0;
  t.persistAt = now + persistInterval(t);
}
export function stopPersist(t: Tcb): void { t.persistOn = false; t.persistBackoff = 0; }

/** The persist interval backs off exponentially from the RTO, within fixed bounds. */
export function persistInterval(t: Tcb): u32 {
  let iv = max(t.rto, PERSIST_MIN_MS);
  for (let i = 0; i < t.persistBackoff && iv < PERSIST_MAX_MS; i++) iv <<= 1;
  return min(iv, PERSIST_MAX_MS);
}

/** Delayed ACK: at most DELAYED_ACK_MS, and never for more than one unacknowledged segment. */
export function delayAck(t: Tcb): void {
  if (t.ackOn) { t.owed |= Owe.ACK; return; }
  t.ackOn = true;
  t.ackAt = now + DELAYED_ACK_MS;
}

/** Sender SWS avoidance held data back: send it anyway after the override timeout. */
export function armSwsOverride(t: Tcb): void {
  if (!t.swsOn) { t.swsOn = true; t.swsAt = now + SWS_OVERRIDE_MS; }
}

/** RFC 6298 §5.7: data transmission starts with a 3 s RTO if the handshake needed a retransmission. */
export function rtoAfterHandshake(t: Tcb): void {
  if (t.synRetransmitted && t.srtt8 == 0) t.rto = RTO_AFTER_SYN_RTX_MS; // the backed-off SYN RTO is dropped
}

export function startCloseTimer(t: Tcb, ms: u32): void { t.closeOn = true; t.closeAt = now + ms; }

/** RFC 6298 §2: fold one round-trip sample (ms) into SRTT/RTTVAR and recompute the RTO. */
export function rttSample(t: Tcb, r: u32): void {
  if (t.srtt8 == 0) {
    t.srtt8 = max<u32>(r, 1) << 3;
    t.rttvar4 = r << 1; // RTTVAR = R/2, scaled by 4
  } else {
    const srtt = t.srtt8 >> 3;
    const err = r > srtt ? r - srtt : srtt - r;
    // RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|; SRTT = 7/8 SRTT + 1/8 R (in scaled units)
    t.rttvar4 = t.rttvar4 - (t.rttvar4 >> 2) + err;
    t.srtt8 = t.srtt8 - (t.srtt8 >> 3) + r;
  }
  // RTO = SRTT + max(G, 4*RTTVAR), with a 1 ms clock granularity.
  const rto = (t.srtt8 >> 3) + max<u32>(1, t.rttvar4);
  t.rto = min(max(rto, RTO_MIN_MS), RTO_MAX_MS);
}

/** RFC 6298 §5.5: back off the timer. False when the connection has tried enough. */
export function backoff(t: Tcb): bool {
  t.retries++;
  if (triedEnough(t)) { count(C.TCP_TIMEOUTS); return false; }
  t.rto = min(t.rto << 1, RTO_MAX_MS);
  t.rttTiming = false; // Karn's algorithm
  return true;
}

/**
 * R2 (RFC 9293 §3.8.3): a user timeout, when set, alone decides (tcpPoll enforces it); else a SYN
 * gets SYN_R2_MS from the first one, a SYN,ACK MAX_SYNACK_RETRIES, data MAX_RETRIES.
 */
function triedEnough(t: Tcb): bool {
  if (t.userTimeout != 0) return false;
  if (t.state == State.SYN_SENT) return reached(t.unackedSince + SYN_R2_MS, now);
  return t.retries > (t.state == State.SYN_RECEIVED ? MAX_SYNACK_RETRIES : MAX_RETRIES);
}

/** Keep-alive applies to an idle synchronized connection with the option on. */
export function keepAliveOn(t: Tcb): bool {
  return t.keepIdle != 0 && (t.state == State.ESTABLISHED || t.state == State.CLOSE_WAIT);
}
/** When the next keep-alive probe (or the verdict after the last one) is due. */
export function keepAliveAt(t: Tcb): u32 {
  return t.lastHeard + t.keepIdle + <u32>t.keepProbes * t.keepInterval;
}

/** Earliest armed deadline of t as ms from now (u32.MAX_VALUE if none). */
export function nextDeadline(t: Tcb): u32 {
  let d = u32.MAX_VALUE;
  if (t.rtxOn) d = min(d, until(t.rtxAt, now));
  if (t.persistOn) d = min(d, until(t.persistAt, now));
  if (t.ackOn) d = min(d, until(t.ackAt, now));
  if (t.closeOn) d = min(d, until(t.closeAt, now));
  if (t.swsOn) d = min(d, until(t.swsAt, now));
  if (keepAliveOn(t)) d = min(d, until(keepAliveAt(t), now));
  if (t.userTimeout != 0 && t.sndUna != t.sndMax) d = min(d, until(t.unackedSince + t.userTimeout, now));
  return d;
}

