// Segment in, TCP's first verb: RFC 9293 §3.10.7 "SEGMENT ARRIVES", step by step and named as the
// RFC names them, with RFC 5961's challenge ACKs (RST, SYN and ACK checks). Input only updates the
// connection and marks what it owes (Tcb.owed); dispatch (output.ts) sends it after the frame. A
// segment with no connection is answered at once (RST, cookie SYN,ACK) via output's one send().
import { C, count } from "../util/counters";
import { CHALLENGE_ACKS_PER_SECOND } from "../config";
import { rcvBuffer } from "../layout";
import { now } from "../util/clock";
import { Segment, parseSegment, SYN, ACK_FLAG, FIN, RST, DEFAULT_MSS } from "../wire/tcp";
import { takePeerOptions, agreeCookie, pawsOk, takeTimestamp } from "./options";
import {
  Tcb, Owe, oweOutput, findConn, findListener, allocConn, setState, pendingCount, listeners, halfOpenCount, halfOpenLimit,
} from "./tcb";
import { State } from "./state";
import { seqLt, seqLe, seqGt, seqInWindow } from "./seq";
import { sendRstFor, sendSynAckFor } from "./output";
import { onAck, onDupAck, onEcnEcho } from "./congestion";
import { restartRtx, stopRtx, stopPersist, rttSample, startCloseTimer, rtoAfterHandshake } from "./timers";
import { receiveText, holdUntilEstablished, holdFin, oooAdvance } from "./reassembly";
import { cookieFor, cookieCheck, COOKIE_SACK } from "./syncookie";
import { isnFor } from "./isn";
import { ecnInput } from "./ecn";
import { sackUpdate, sackTrim } from "./sack";
import { toClosed, enterTimeWait, initCwnd, orphanFinWait2, msl, takeFin } from "./close";
import { E_REFUSED, E_RESET } from "../util/errors";
import { twCheckOut } from "./timewait";

const seg = new Segment();

/** Entry from the receive ladder (receive.ts): one segment for our address, with its IP ECN field. */
export function segmentArrives(src: u32, dst: u32, p: usize, len: i32, ecn: u32): void {
  count(C.TCP_IN_SEGS);
  const why = parseSegment(src, dst, p, len, seg);
  if (why >= 0) { count(<C>why); count(C.TCP_IN_ERRS); return; }
  seg.ecn = ecn;

  let t = findConn(seg.dstPort, seg.srcIp, seg.srcPort);
  if (t == null) t = twCheckOut(seg.dstPort, seg.srcIp, seg.srcPort); // TIME-WAIT kept as a record
  if (t == null) {
    const lid = findListener(seg.dstPort);
    if (lid < 0) { count(C.TCP_DROP_NO_LISTENER); sendRstFor(seg); return; }
    listenState(lid, seg); return;
  }
  t.lastHeard = now;
  t.keepProbes = 0;
  if (!seg.has(SYN)) seg.wnd <<= t.sndWscale; // RFC 7323 §2.3: SEG.WND as the peer means it
  if (t.tsOn && seg.hasTs && !pawsOk(t, seg)) {
    // dropped by PAWS (RFC 7323 §5.3); the ACK it owes goes out with dispatch
  } else if (t.state == State.SYN_SENT) synSentState(t, seg);
  else otherStates(t, seg);
  if (t.inUse) oweOutput(t);
}

/** §3.10.7.2 LISTEN; `reused`: the SYN ends a TIME-WAIT whose SND.NXT was oldSndNxt. */
function listenState(lid: i32, seg: Segment, reused: bool = false, oldSndNxt: u32 = 0): void {
  // first check for an RST: ignore it
  if (seg.has(RST)) return;
  // second check for an ACK: only the ACK of a SYN cookie can be acceptable here
  if (seg.has(ACK_FLAG)) {
    if (!seg.has(SYN) && cookieAccepted(lid, seg)) return;
    sendRstFor(seg); return;
  }
  // third check for a SYN
  if (!seg.has(SYN)) return;
  // A full backlog (or table) answers with a SYN cookie instead of holding state (RFC 4987).
  const l = unchecked(listeners[lid]);
  if (pendingCount(lid) >= l.backlog) { count(C.TCP_DROP_BACKLOG); sendCookie(seg); return; }
  // Half-open entries are bounded apart from established ones: over the bound (a SYN flood) SYNs
  // are answered statelessly with cookies, as Linux and BSD do; otherwise a TCB holds the
  // connection and its ISS comes from RFC 6528's clock.
  if (halfOpenCount() >= halfOpenLimit()) { sendCookie(seg); return; }
  // No connection record: dropped and counted, as Linux and lwIP refuse it (its retransmitted SYN
  // gets in once a record frees); a cookie here completed handshakes we then had to reset.
  const t = allocConn(l.priority);
  if (t == null) { count(C.TCP_DROP_NO_SLOT); return; }
  t.localIp = seg.dstIp; t.localPort = seg.dstPort;
  t.remoteIp = seg.srcIp; t.remotePort = seg.srcPort;
  t.listener = lid;
  t.irs = seg.seq;
  t.rcvNxt = seg.seq + 1;
  t.rcvAdv = t.rcvNxt;
  t.iss = isnFor(seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort);
  // A new incarnation from TIME-WAIT starts above the old one's numbers (RFC 9293 §3.6.1).
  if (reused && !seqGt(t.iss, oldSndNxt + 65535)) t.iss = oldSndNxt + 65537;
  t.sndUna = t.iss; t.sndNxt = t.iss; t.sndMax = t.iss;
  takePeerOptions(t, seg);
  t.state = State.LISTEN; // the slot stands for the listener's TCB at this instant
  setState(t, State.SYN_RECEIVED);
  count(C.TCP_PASSIVE_OPENS);
  oweOutput(t); // SYN,ACK
}

function sendCookie(seg: Segment): void {
  count(C.TCP_SYN_COOKIES_SENT);
  sendSynAckFor(seg, cookieIss(seg));
}

/** The SYN cookie (syncookie.ts) answering a SYN over the half-open bound: its four-tuple, MSS and SACK-permitted. */
function cookieIss(seg: Segment): u32 {
  return cookieFor(seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort, seg.seq, seg.mss != 0 ? seg.mss : DEFAULT_MSS, seg.sackOk);
}

/** The ACK completing a cookie handshake: build the connection the cookie describes. */
function cookieAccepted(lid: i32, seg: Segment): bool {
  const cookie = cookieCheck(seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort, seg.ack - 1, seg.seq - 1);
  if (cookie == 0) { count(C.TCP_SYN_COOKIES_BAD); return false; }
  const t = allocConn(unchecked(listeners[lid]).priority);
  if (t == null) {
    // No slot for it: say so with a RST, or the peer would believe it is connected (RFC 4987
    // leaves this to us; a silent drop strands it in ESTABLISHED).
    count(C.TCP_DROP_NO_SLOT);
    count(C.TCP_COOKIE_NO_SLOT_RSTS);
    sendRstFor(seg);
    return true;
  }
  count(C.TCP_SYN_COOKIES_OK);
  t.localIp = seg.dstIp; t.localPort = seg.dstPort;
  t.remoteIp = seg.srcIp; t.remotePort = seg.srcPort;
  t.listener = lid;
  t.irs = seg.seq - 1;
  t.rcvNxt = seg.seq;
  t.rcvAdv = t.rcvNxt + <u32>t.rx.promiseUpTo(rcvBuffer); // what the cookie SYN,ACK advertised, if the pool has it
  t.iss = seg.ack - 1;
  t.sndUna = t.iss; t.sndNxt = seg.ack; t.sndMax = seg.ack;
  takePeerOptions(t, seg);
  agreeCookie(t, cookie & 0xffff, (cookie & COOKIE_SACK) != 0);
  initCwnd(t);
  t.lastHeard = now;
  t.state = State.LISTEN;
  setState(t, State.SYN_RECEIVED);
  count(C.TCP_PASSIVE_OPENS);
  otherStates(t, seg); // the ACK (and any data) as if the TCB had been there all along
  if (t.inUse) oweOutput(t);
  return true;
}

/** §3.10.7.3 SYN-SENT. */
function synSentState(t: Tcb, seg: Segment): void {
  // first check the ACK bit
  let ackOk = false;
  if (seg.has(ACK_FLAG)) {
    if (seqLe(seg.ack, t.iss) || seqGt(seg.ack, t.sndMax)) {
      if (!seg.has(RST)) sendRstFor(seg);
      count(C.TCP_DROP_BAD_ACK);
      return;
    }
    ackOk = true;
  }
  // second check the RST bit
  if (seg.has(RST)) {
    if (ackOk) { t.error = E_REFUSED; count(C.TCP_ATTEMPT_FAILS); toClosed(t); }
    else count(C.TCP_RST_IGNORED);
    return;
  }
  // fourth check the SYN bit (there is no third, security, step here)
  if (!seg.has(SYN)) return;
  t.irs = seg.seq;
  t.rcvNxt = seg.seq + 1;
  t.rcvAdv = t.rcvNxt + min(<u32>t.rx.room(), 0xffff); // the window our SYN offered: what its pool promised
  takePeerOptions(t, seg);
  if (ackOk) {
    ackedUpTo(t, seg);
    setState(t, State.ESTABLISHED);
    rtoAfterHandshake(t);
    t.owed |= Owe.ACK;
    if (t.finQueued) setState(t, State.FIN_WAIT_1);
    // A SYN,ACK's text and FIN: "continue processing at the sixth step".
    if (seg.dataLen > 0 || seg.has(FIN)) {
      seg.skipSyn();
      if (seventhProcessText(t, seg)) eighthCheckFin(t, seg);
    }
  } else {
    // Simultaneous open: answer with SYN,ACK from our ISN again; the SYN's text and FIN are
    // "queued for processing after the ESTABLISHED state has been reached".
    setState(t, State.SYN_RECEIVED);
    t.sndNxt = t.iss;
    if (seg.dataLen > 0 || seg.has(FIN)) { seg.skipSyn(); holdUntilEstablished(t, seg); }
  }
}

/** §3.10.7.4 Other states: SYN-RECEIVED and every synchronized state. */
function otherStates(t: Tcb, seg: Segment): void {
  const s = t.state;
  // A SYN,ACK at IRS in SYN-RECEIVED is the peer's half of a simultaneous open: its SYN is old
  // news, its ACK is new. Keep only the new part, as RFC 9293 does for any straddling segment.
  if (s == State.SYN_RECEIVED && seg.has(SYN) && seg.has(ACK_FLAG) && seg.seq == t.irs) seg.skipSyn();
  // Each step is a call that returns before the next (false: the segment is done with), so its
  // work is not stacked under what the later ones call (docs/wasm3-stack.md).
  if (!firstCheckSequence(t, seg, s)) return;
  takeTimestamp(t, seg); // RFC 7323 §4.3: only from a segment found in sequence
  if (ecnInput(t, seg)) onEcnEcho(t);
  if (seg.has(RST) && !secondCheckRst(t, seg, s)) return; // called only with work to do
  // third check security: no compartments here.
  if (!fourthCheckSyn(t, seg, s)) return;
  if (!fifthCheckAck(t, seg, s) || !fifthOurFinAcked(t, s)) return;
  // sixth, check the URG bit: urgent data is not supported; it arrives as ordinary data.
  if (!seventhProcessText(t, seg)) return;
  eighthCheckFin(t, seg);
}

/** first check sequence number */
function firstCheckSequence(t: Tcb, seg: Segment, s: i32): bool {
  const wnd = t.rcvWnd;
  const segLen = seg.segLen;
  let acceptable = segLen == 0
    ? (wnd == 0 ? seg.seq == t.rcvNxt : seqInWindow(seg.seq, t.rcvNxt, wnd))
    : wnd != 0 && (seqInWindow(seg.seq, t.rcvNxt, wnd) || seqInWindow(seg.seq + segLen - 1, t.rcvNxt, wnd));
  // A closed window still takes valid ACKs, RSTs and FINs at RCV.NXT; their data is trimmed later.
  if (!acceptable && wnd == 0 && seg.seq == t.rcvNxt) acceptable = true;
  if (acceptable) return true;
  if (s == State.TIME_WAIT && seg.has(SYN) && !seg.has(ACK_FLAG) && seqGt(seg.seq, t.rcvNxt)) {
    // A new incarnation of the connection (RFC 9293 §3.6.1): let the listener take it.
    const lid = findListener(t.localPort), old = t.sndNxt;
    if (lid >= 0) { count(C.TCP_TIME_WAIT_REUSED); toClosed(t); listenState(lid, seg, true, old); return false; }
  }
  if (s == State.SYN_RECEIVED && seg.has(SYN) && !seg.has(ACK_FLAG) && seg.seq == t.irs) {
    t.sndNxt = t.iss; // the peer lost our SYN,ACK: send it again
    return false;
  }
  count(C.TCP_DROP_OUT_OF_WINDOW);
  if (!seg.has(RST)) t.owed |= Owe.ACK;
  if (s == State.TIME_WAIT && seg.has(FIN)) startCloseTimer(t, 2 * msl());
  return false;
}

/** second check the RST bit (RFC 5961 §3.2: only an exact match resets; others are challenged), on a segment with RST set */
function secondCheckRst(t: Tcb, seg: Segment, s: i32): bool {
  // TIME-WAIT ignores RSTs (RFC 1337 §3, as BSD): one answering our ACK of a retransmitted FIN
  // would end it early. No challenge ACK either: it would draw another.
  if (s == State.TIME_WAIT) { count(C.TCP_RST_IGNORED); return false; }
  if (seg.seq != t.rcvNxt) { challengeAck(t); return false; }
  if (s == State.SYN_RECEIVED) {
    count(C.TCP_ATTEMPT_FAILS);
    if (t.listener < 0) t.error = E_REFUSED;
  } else if (s == State.ESTABLISHED || s == State.CLOSE_WAIT) {
    count(C.TCP_ESTAB_RESETS);
    t.error = E_RESET;
  } else if (s == State.FIN_WAIT_1 || s == State.FIN_WAIT_2) {
    t.error = E_RESET;
  }
  toClosed(t);
  return false;
}

/** fourth check the SYN bit */
function fourthCheckSyn(t: Tcb, seg: Segment, s: i32): bool {
  if (!seg.has(SYN)) return true;
  if (s == State.SYN_RECEIVED && t.listener >= 0) {
    // Passive open: the connection goes back to LISTEN, i.e. this TCB simply goes away.
    count(C.TCP_ATTEMPT_FAILS);
    toClosed(t);
    return false;
  }
  challengeAck(t); // RFC 5961 §4.2
  return false;
}

/** fifth check the ACK field */
function fifthCheckAck(t: Tcb, seg: Segment, s: i32): bool {
  if (!seg.has(ACK_FLAG)) return false;
  if (s == State.SYN_RECEIVED) {
    if (seqGt(seg.ack, t.sndUna) && seqLe(seg.ack, t.sndMax)) {
      setState(t, State.ESTABLISHED);
      rtoAfterHandshake(t);
      t.sndWnd = seg.wnd; t.sndWl1 = seg.seq; t.sndWl2 = seg.ack;
      t.maxSndWnd = max(t.maxSndWnd, seg.wnd);
      if (t.finQueued) setState(t, State.FIN_WAIT_1);
      if (t.oooCount > 0 && oooAdvance(t)) t.owed |= Owe.ACK; // text a simultaneous-open SYN carried
    } else {
      sendRstFor(seg);
      count(C.TCP_DROP_BAD_ACK);
      return false;
    }
  }
  if (seqGt(seg.ack, t.sndMax)) {
    // Acknowledges something not yet sent: ACK and drop.
    count(C.TCP_DROP_BAD_ACK);
    t.owed |= Owe.ACK;
    return false;
  }
  if (seqLt(seg.ack, t.sndUna - t.maxSndWnd)) {
    // RFC 5961 §5.2: too old to be real; a blind injection attempt, challenge it.
    count(C.TCP_DROP_BAD_ACK);
    challengeAck(t);
    return false;
  }
  if (seqGt(seg.ack, t.sndUna)) {
    ackedUpTo(t, seg);
    if (t.sackOn) sackUpdate(t, seg);
  } else if (seg.ack == t.sndUna) {
    // A duplicate ACK: with SACK, one that SACKs data not SACKed before (RFC 6675 §2); without
    // (or when a SACK peer sends no blocks), RFC 5681 §2's. DupThresh of them, or a hole found
    // lost by the scoreboard, start loss recovery.
    const fresh = t.sackOn ? sackUpdate(t, seg) : 0;
    const plain = seg.dataLen == 0 && !seg.has(FIN) && seg.wnd == t.sndWnd && seg.wnd != 0 &&
      (!t.sackOn || seg.sackCount == 0);
    if (t.sndNxt != t.sndUna && (fresh > 0 || plain)) onDupAck(t);
  }
  // Send window update (RFC 9293 §3.10.7.4: SND.WL1/SND.WL2 rule).
  if (seqLe(t.sndUna, seg.ack) &&
      (seqLt(t.sndWl1, seg.seq) || (t.sndWl1 == seg.seq && seqLe(t.sndWl2, seg.ack)))) {
    t.sndWnd = seg.wnd; t.sndWl1 = seg.seq; t.sndWl2 = seg.ack;
    if (seg.wnd > t.maxSndWnd) t.maxSndWnd = seg.wnd;
    if (seg.wnd > 0 && t.persistOn) {
      stopPersist(t);
      t.sndNxt = t.sndUna; // a probe byte the peer did not take is sent again with the rest
    }
  }
  return true;
}

/** The fifth step's per-state part, once the ACK has been taken: our FIN acknowledged. */
function fifthOurFinAcked(t: Tcb, s: i32): bool {
  if (!t.finAcked) return true;
  if (s == State.FIN_WAIT_1 || t.state == State.FIN_WAIT_1) {
    setState(t, State.FIN_WAIT_2);
    if (t.userClosed) orphanFinWait2(t);
  } else if (s == State.CLOSING) {
    enterTimeWait(t);
  } else if (s == State.LAST_ACK) {
    toClosed(t);
    return false;
  }
  return true;
}

/** seventh, process the segment text */
function seventhProcessText(t: Tcb, seg: Segment): bool {
  if (seg.dataLen == 0) return true;
  const st = t.state;
  if (st == State.ESTABLISHED || st == State.FIN_WAIT_1 || st == State.FIN_WAIT_2) {
    if (t.userClosed) {
      // Nobody will ever read this: tell the peer instead of dropping it silently (RFC 2525 §2.17).
      t.error = E_RESET;
      t.owed |= Owe.RESET; // dispatch resets and closes
      return false;
    }
    receiveText(t, seg);
  }
  return true;
}

/**
 * eighth, check the FIN bit: taken once every byte before it has arrived; a FIN beyond RCV.NXT
 * inside the window is held until the gap fills (SHLD-31), then taken without being sent again.
 */
function eighthCheckFin(t: Tcb, seg: Segment): void {
  if (seg.has(FIN) && !t.finReceived) {
    const at = seg.seq + <u32>seg.dataLen;
    if (at == t.rcvNxt) { takeFin(t); return; }
    if (holdFin(t, at)) return;
  }
  if (t.finHeld && !t.finReceived && t.rcvNxt == t.finHeldAt) { takeFin(t); return; }
  if (seg.has(FIN)) {
    // A second FIN, or one outside the window: say where we are with a duplicate ACK at once;
    // in TIME-WAIT it restarts the 2 MSL wait (RFC 9293 §3.10.7.4).
    t.owed |= Owe.ACK;
    if (t.state == State.TIME_WAIT) startCloseTimer(t, 2 * msl());
  }
}

/** SND.UNA advances to seg's ACK: free acknowledged data, sample the RTT, grow the congestion window. */
function ackedUpTo(t: Tcb, seg: Segment): void {
  const ack = seg.ack;
  let acked = ack - t.sndUna;
  if (t.sndUna == t.iss) acked -= 1; // our SYN occupied one sequence number, not a data byte
  const data = min(<i32>acked, t.tx.len);
  t.tx.consume(data);
  t.tx.release(); // an emptied send ring gives its last block back
  t.sndUna = ack;
  if (seqLt(t.sndNxt, t.sndUna)) t.sndNxt = t.sndUna;
  sackTrim(t);
  if (t.tsOn && seg.hasTs && seg.tsEcr != 0) {
    // RFC 7323 §4 RTTM: every ACK that moves SND.UNA times the segment whose TSval it echoes.
    t.rttTiming = false;
    rttSample(t, now - seg.tsEcr);
  } else if (t.rttTiming && seqGt(ack, t.rttSeq)) {
    t.rttTiming = false;
    rttSample(t, now - t.rttStart);
  }
  t.retries = 0;
  t.dupAcks = 0;
  t.unackedSince = now;
  if (t.sndUna == t.sndMax) stopRtx(t); else restartRtx(t);
  onAck(t, acked); // the congestion window: grows, or repairs the next hole in fast recovery
}

// RFC 5961 §7: challenge ACKs are rate-limited, so they cannot be used to flood or to probe.
let challengeWindowStart: u32 = 0;
let challengesInWindow: u32 = 0;

function challengeAck(t: Tcb): void {
  if (now - challengeWindowStart >= 1000) { challengeWindowStart = now; challengesInWindow = 0; }
  if (challengesInWindow >= CHALLENGE_ACKS_PER_SECOND) { count(C.TCP_CHALLENGE_ACKS_LIMITED); return; }
  challengesInWindow++;
  count(C.TCP_CHALLENGE_ACKS);
  t.owed |= Owe.CHALLENGE_ACK;
}

