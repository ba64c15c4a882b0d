// TCP's third verb beside segment arrival (input.ts) and dispatch (output.ts): poll, the timers.
// A timer that fires decides and marks what is owed (Tcb.owed); dispatch sends it. Also init.
import { maxConns, twRecords, poolShared } from "../layout";
import { now, reached } from "../util/clock";
import { C, count } from "../util/counters";
import { conns, Tcb, Owe } from "./tcb";
import { State, synchronized } from "./state";
import { isnInit } from "./isn";
import { dispatch } from "./output";
import { windowUpdateDue } from "./window";
import { onTimeout } from "./congestion";
import { backoff, nextDeadline, persistInterval, keepAliveOn, keepAliveAt } from "./timers";
import { toClosed } from "./close";
import { E_TIMEDOUT, E_HOSTUNREACH } from "../util/errors";
import { ipNegativeAdvice, nextHop } from "../net/ip";
import { arpUnansweredAny, arpUnanswered, arpUnansweredTaken } from "../net/arp_cache";
import { twTableInit, twExpire } from "./timewait";

export function tcpInit(): void { isnInit(); twTableInit(twRecords()); }

/** Run due timers and pending output; returns ms until the next TCP deadline. */
export function tcpPoll(): u32 {
  let next = twExpire();
  const shared = poolShared();
  for (let i = 0; i < maxConns; i++) {
    const t = unchecked(conns[i]);
    if (!t.inUse) continue;
    // nextDeadline looks at exactly the timers below: while none is due (and nothing is owed),
    // the connection has nothing to do here.
    // A window the pool could not give has a place now (blocks came back): say so, rather than
    // leave the peer to find it by probes that back off to a minute. Only a shared pool can be
    // short of blocks (one that holds every ring full never is): no look at every poll otherwise.
    if (shared && t.rcvWnd < t.rcvBuffer / 2 && synchronized(t.state) && windowUpdateDue(t)) t.owed |= Owe.ACK;
    const d = nextDeadline(t);
    if (d != 0 && (t.owed & Owe.ACK) == 0 && !t.swsForce) { next = min(next, d); continue; }
    if (t.closeOn && reached(t.closeAt, now)) { t.closeOn = false; toClosed(t); continue; }
    if (t.rtxOn && reached(t.rtxAt, now)) retransmitTimeout(t);
    if (!t.inUse) continue;
    if (t.persistOn && reached(t.persistAt, now)) {
      t.owed |= Owe.PROBE;
      t.persistBackoff++;
      t.persistAt = now + persistInterval(t);
    }
    if (t.ackOn && reached(t.ackAt, now)) { t.ackOn = false; t.owed |= Owe.ACK; }
    if (t.swsOn && reached(t.swsAt, now)) { t.swsOn = false; t.swsForce = true; }
    if (t.userTimeout != 0 && t.sndUna != t.sndMax && reached(t.unackedSince + t.userTimeout, now)) {
      giveUp(t); // RFC 9293 §3.8.3: the user's limit for unacknowledged data
      continue;
    }
    if (keepAliveOn(t) && reached(keepAliveAt(t), now)) {
      if (t.keepProbes >= t.keepCount) { giveUp(t); continue; }
      t.keepProbes++;
      t.owed |= Owe.KEEPALIVE;
    }
    // Everything else that makes a segment due (input, the socket calls, the retransmission
    // timer) has dispatched already; here only what the timers above marked is left.
    if (t.owed != 0 || t.swsForce) dispatch(t);
    next = min(next, nextDeadline(t));
  }
  return next;
}

/**
 * ARP gave up on a next hop (ARP_MAX_TRIES requests, a second apart): an active open towards it
 * fails with EHOSTUNREACH, as Linux's connect does when its neighbour lookup fails, rather than
 * retransmitting its SYN into nothing until ETIMEDOUT. Called by poll after the interface's timers.
 */
export function tcpUnreachable(): void {
  if (!arpUnansweredAny()) return;
  for (let i = 0; i < maxConns; i++) {
    const t = unchecked(conns[i]);
    if (!t.inUse || t.state != State.SYN_SENT || !arpUnanswered(nextHop(t.remoteIp))) continue;
    count(C.TCP_ATTEMPT_FAILS);
    t.error = E_HOSTUNREACH;
    toClosed(t);
  }
  arpUnansweredTaken();
}

/** The peer is gone (retries, keep-alives or the user timeout ran out): reset and close. */
function giveUp(t: Tcb): void {
  const s = t.state;
  if (s == State.SYN_SENT || s == State.SYN_RECEIVED) count(C.TCP_ATTEMPT_FAILS);
  else if (s == State.ESTABLISHED || s == State.CLOSE_WAIT) count(C.TCP_ESTAB_RESETS);
  t.error = E_TIMEDOUT;
  if (!synchronized(s)) { toClosed(t); return; }
  t.owed |= Owe.RESET; // dispatch sends what the timers marked before, then the RST, and closes
  dispatch(t);
}

/** RFC 6298 §5.4-5.6: retransmit from SND.UNA with a doubled RTO, or give up. */
function retransmitTimeout(t: Tcb): void {
  t.rtxOn = false;
  if (!backoff(t)) { giveUp(t); return; }
  count(C.TCP_RETRANS_SEGS);
  if (t.state == State.SYN_SENT || t.state == State.SYN_RECEIVED) t.synRetransmitted = true;
  if (t.retries >= 2) ipNegativeAdvice(t.remoteIp); // two timeouts in a row: check the neighbour too
  onTimeout(t);
  t.sndNxt = t.sndUna; // go back: dispatch resends from the first unacknowledged byte (or SYN)
  dispatch(t);
}

