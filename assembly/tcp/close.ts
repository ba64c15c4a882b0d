// The ends of a connection: TIME-WAIT, CLOSED and freeing the slot, and the initial congestion
// window that starts each one.
import { DEFAULT_MSL_MS } from "../config";
import { Tcb, Owe, setState, freeConn } from "./tcb";
import { State } from "./state";
import { stopRtx, stopPersist, startCloseTimer } from "./timers";

let mslMs: u32 = DEFAULT_MSL_MS;
export function msl(): u32 { return mslMs; }
export function setMsl(ms: u32): void { mslMs = ms; }

/** An orphaned FIN-WAIT-2 (the user closed, the peer never sends FIN) ends after this long. */
export function orphanFinWait2(t: Tcb): void { startCloseTimer(t, 2 * mslMs); }

export function enterTimeWait(t: Tcb): void {
  setState(t, State.TIME_WAIT);
  stopRtx(t);
  stopPersist(t);
  t.ackOn = false;
  startCloseTimer(t, 2 * mslMs);
}

/**
 * The connection is CLOSED. Its slot is freed at once unless a user still holds the socket
 * (then it stays CLOSED, with its error, until the user closes it).
 */
/** The peer's FIN taken (RFC 9293 §3.10.7.4, eighth step): RCV.NXT past it, ACKed, next state. */
export function takeFin(t: Tcb): void {
  t.rcvNxt += 1;
  t.finReceived = true;
  t.finHeld = false;
  t.owed |= Owe.ACK;
  const st = t.state;
  if (st == State.SYN_RECEIVED || st == State.ESTABLISHED) setState(t, State.CLOSE_WAIT);
  else if (st == State.FIN_WAIT_1) {
    if (t.finAcked) enterTimeWait(t); else setState(t, State.CLOSING);
  } else if (st == State.FIN_WAIT_2) enterTimeWait(t);
}

export function toClosed(t: Tcb): void {
  setState(t, State.CLOSED);
  stopRtx(t);
  stopPersist(t);
  t.ackOn = false;
  t.owed = 0;
  t.closeOn = false;
  const userHolds = !t.userClosed && (t.listener < 0 || t.accepted);
  if (!userHolds) freeConn(t);
}

/** RFC 5681 §3.1 initial window (RFC 3390's formula). */
export function initCwnd(t: Tcb): void {
  t.cwnd = min(4 * t.mss, max<u32>(2 * t.mss, 4380));
  t.ssthresh = u32.MAX_VALUE; // "arbitrarily high" until the first loss (RFC 5681 §3.1)
  t.bytesAcked = 0;
  t.inRecovery = false;
  t.recover = t.iss; // RFC 6582 §3.2 step 1
}
