// Segment out, TCP's second verb: dispatch() sends what the connection owes (Tcb.owed: marked by
// input, congestion control and the timers) and whatever it may send now (SYN, data, FIN, ACK),
// within the peer's window and the congestion window. Every segment leaves through send().
import { rcvBuffer, maxConns } from "../layout";
import { ipTxPayload, ipSend } from "../net/ip";
import { PROTO_TCP } from "../wire/ipv4";
import { C, count } from "../util/counters";
import { now } from "../util/clock";
import { Tcb, Owe, conns, takeMarked, MARKED_NONE, MARKED_SEVERAL } from "./tcb";
import { State } from "./state";
import { Segment, emitSegment, sackOptionLen, SACK_MAX_BLOCKS, SYN, ACK_FLAG, FIN, RST, PSH } from "../wire/tcp";
import { seqGt, seqLt } from "./seq";
import { armRtx, startPersist, armSwsOverride } from "./timers";
import { toClosed } from "./close";
import { ecnFlags, ecnField } from "./ecn";
import { sackPipe, sackHole, sackRescueHole, lostRetransmissions, holeStart, holeEnd, left, NO_HOLE } from "./sack";
import { twWork, twCheckIn, twPark } from "./timewait";
import { OUR_MSS, advertise, ourWscale } from "./window";
import { oooStarts, oooEnds } from "./reassembly";

/** The segment being sent: filled from a connection (or from the segment answered), then emitted. */
const out = new Segment();

/**
 * The one exit for TCP segments (data, ACK, SYN, FIN, RST, and the replies to segments without a
 * connection): emit `out`, whose payload is already in place, and hand it to IPv4. The repr is
 * filled by a call that has returned before this runs, so its work is not stacked under the send
 * path's (docs/wasm3-stack.md: the board's C stack is its deepest here).
 */
function send(): void {
  const len = emitSegment(ipTxPayload(), out);
  ipSend(out.dstIp, PROTO_TCP, len, out.ecn);
  count(C.TCP_OUT_SEGS);
  if (out.flags & RST) count(C.TCP_OUT_RSTS);
}

/** Build and send one segment of connection t; data comes from the send ring at dataOff. */
function xmit(t: Tcb, seq: u32, flags: u32, dataOff: i32, dataLen: i32): void {
  fill(t, seq, flags, dataOff, dataLen);
  send();
  if (flags & ACK_FLAG) { t.owed &= ~Owe.ACK; t.ackOn = false; }
  const end = seq + <u32>dataLen + ((flags & SYN) ? 1 : 0) + ((flags & FIN) ? 1 : 0);
  if (seqGt(end, t.sndMax)) t.sndMax = end;
}

/** Fill `out` with connection t's segment, its data copied from the send ring to where it goes. */
function fill(t: Tcb, seq: u32, flags: u32, dataOff: i32, dataLen: i32): void {
  const o = out;
  const syn = (flags & SYN) != 0;
  o.srcIp = t.localIp; o.dstIp = t.remoteIp; o.srcPort = t.localPort; o.dstPort = t.remotePort;
  o.seq = seq;
  o.flags = flags | ecnFlags(t, flags, seq, dataLen); o.ecn = ecnField(t, seq, dataLen); // RFC 3168
  o.mss = syn ? OUR_MSS : 0;
  o.wscale = syn && t.wsOffer ? <i32>ourWscale() : -1;
  // Timestamps on every segment once agreed, and on our SYNs while offered (RFC 7323 §3.2); a
  // RST carries none (its TSecr could be stale).
  o.hasTs = (flags & RST) == 0 && (syn ? t.tsOffer : t.tsOn);
  o.tsVal = now;
  o.tsEcr = (flags & ACK_FLAG) ? t.tsRecent : 0;
  o.sackOk = syn && t.sackOffer;
  o.sackCount = sackBlocksFor(t, flags, dataLen, o.hasTs);
  o.sackLefts = oooStarts(t);
  o.sackRights = oooEnds(t);
  o.dataLen = dataLen;
  if (dataLen > 0) t.tx.readAt(dataOff, ipTxPayload() + <usize>o.headerLen, dataLen);
  o.ack = (flags & ACK_FLAG) ? t.rcvNxt : 0;
  if (flags & ACK_FLAG) t.lastAckSent = o.ack;
  // A SYN's window is never scaled (RFC 7323 §2.2); later ones are, by the shift we announced.
  o.wnd = syn ? min(advertise(t), 0xffff) : advertise(t) >> t.rcvWscale;
}

/**
 * RFC 2018 §4: while data is held out of order, every ACK carries SACK blocks for it (the most
 * recent first), as many as fit: four, three next to timestamps, and on a segment with data only
 * what the segment size leaves (the blocks come out of it as options do, RFC 6691). They are the
 * out-of-order ranges, which reassembly.ts keeps most recent first; returns how many go.
 */
function sackBlocksFor(t: Tcb, flags: u32, dataLen: i32, ts: bool): i32 {
  if (!t.sackOn || t.oooCount == 0 || (flags & (ACK_FLAG | SYN | RST)) != ACK_FLAG) return 0;
  let n = ts ? SACK_MAX_BLOCKS - 1 : SACK_MAX_BLOCKS;
  if (dataLen > 0) {
    const room = <i32>t.mss - dataLen;
    while (n > 0 && sackOptionLen(n) > room) n--;
  }
  return min(n, t.oooCount);
}

/**
 * A bare ACK carrying our current window (also the RFC 5961 challenge ACK). It takes SND.MAX,
 * not SND.NXT: while we go back to retransmit, SND.NXT is old news to the peer, and a bare
 * segment with an old sequence number would be discarded before its ACK field is read, so two
 * stacks retransmitting at once could trade such ACKs forever (BSD's tcp_output does the same).
 */
function sendAck(t: Tcb): void { xmit(t, t.sndMax, ACK_FLAG, 0, 0); }

/** Reset the connection from our side (ABORT, RFC 9293 §3.10.5), at the first unsent number. */
function sendRst(t: Tcb): void { xmit(t, t.sndMax, RST | ACK_FLAG, 0, 0); }

/**
 * Answer a segment that has no connection (RFC 9293 §3.10.7.1): if it carried an ACK the reset
 * takes its sequence number from that ACK, else it acknowledges everything the segment occupied.
 */
export function sendRstFor(seg: Segment): void {
  if (seg.has(RST)) return;
  if (seg.has(ACK_FLAG)) replyTo(seg, seg.ack, 0, RST);
  else replyTo(seg, 0, seg.seq + seg.segLen, RST | ACK_FLAG);
  send();
}

/** A SYN,ACK from no TCB at all: the SYN cookie answer (the cookie keeps SACK-permitted). */
export function sendSynAckFor(seg: Segment, iss: u32): void {
  replyTo(seg, iss, seg.seq + 1, SYN | ACK_FLAG);
  out.wnd = min(<u32>rcvBuffer, 0xffff); // a connection's window, as cookieAccepted promises it
  out.mss = OUR_MSS;
  out.sackOk = seg.sackOk;
  send();
}

/** Fill `out` with a bare answer to seg (no window, no options; the caller adds what it needs). */
function replyTo(seg: Segment, seq: u32, ack: u32, flags: u32): void {
  const o = out;
  o.srcIp = seg.dstIp; o.dstIp = seg.srcIp; o.srcPort = seg.dstPort; o.dstPort = seg.srcPort;
  o.seq = seq; o.ack = ack; o.flags = flags; o.wnd = 0;
  o.mss = 0; o.wscale = -1; o.hasTs = false; o.sackOk = false; o.sackCount = 0; o.dataLen = 0; o.ecn = 0;
}

/** A short data segment sent (since SND.UNA, up to SND.NXT) is not yet acknowledged. */
@inline function shortUnacked(t: Tcb): bool { return seqGt(t.sndSml, t.sndUna) && !seqGt(t.sndSml, t.sndNxt); }

/** Data bytes in the send ring not yet sent. */
@inline function unsent(t: Tcb): i32 { return t.tx.len - <i32>(t.sndNxt - t.sndUna); }

/**
 * Send what the connections marked owed (oweOutput: TCP input, the socket calls, the services):
 * after each frame, after each socket call of the host's (abi.ts) and after the services (apps/
 * registry.ts), so what marked it has returned before the send path runs (docs/wasm3-stack.md),
 * and the ACK a service's read owes goes out with the data it writes next.
 */
export function dispatchOwed(): void {
  const w = twWork(); // a TIME-WAIT record's segment: answered, then back to its record
  if (w != null) {
    const wo = w.owed;
    w.owed = wo & ~Owe.OUTPUT;
    if ((wo & Owe.OUTPUT) != 0 && w.inUse) dispatch(w);
    twCheckIn();
  }
  const m = takeMarked();
  if (m == MARKED_NONE) return;
  const several = m == MARKED_SEVERAL;
  const end = several ? maxConns : m + 1;
  for (let i = several ? 0 : m; i < end; i++) {
    const t = unchecked(conns[i]);
    const o = t.owed;
    if ((o & Owe.OUTPUT) == 0) continue;
    t.owed = o & ~Owe.OUTPUT;
    if (!t.inUse) continue;
    dispatch(t);
    // A connection no user holds keeps TIME-WAIT as a record, not a slot (timewait.ts).
    if (t.state == State.TIME_WAIT && t.userClosed) twPark(t);
  }
}

/** Send everything connection t owes and may send now (dispatchOwed's, and the timers' in stack.ts). */
export function dispatch(t: Tcb): void {
  if (t.owed >= <u32>Owe.PROBE && !sendOwed(t)) return; // a bit past OUTPUT and ACK: sendOwed's
  const s = t.state;
  if (s == State.CLOSED || s == State.LISTEN || s == State.TIME_WAIT) {
    if ((t.owed & Owe.ACK) != 0 && s == State.TIME_WAIT) sendAck(t);
    return;
  }
  if (s == State.SYN_SENT || s == State.SYN_RECEIVED) {
    if (t.sndNxt == t.iss) {
      xmit(t, t.iss, s == State.SYN_SENT ? SYN : SYN | ACK_FLAG, 0, 0);
      t.sndNxt = t.iss + 1;
      if (t.retries == 0) { t.rttTiming = true; t.rttSeq = t.iss; t.rttStart = now; }
      armRtx(t);
    } else if ((t.owed & Owe.ACK) != 0) sendAck(t);
    return;
  }

  // Data, from SND.NXT up to the usable window (RFC 9293 §3.8.6.2.1 sender SWS avoidance:
  // send a full segment, or all that is queued, or at least half the largest window seen, or
  // whatever fits once the override timer has fired).
  let sent = false;
  const wnd = min(t.sndWnd, t.cwnd);
  // RFC 6675 loss recovery has its own sending rule (while going back after a timeout or a path
  // MTU change, SND.NXT is below SND.MAX and the ordinary loop resends).
  if (t.sackOn && t.sndNxt == t.sndMax && t.inRecovery) sent = recoverySend(t);
  else if (t.sackOn && t.sndNxt == t.sndMax && t.dupAcks > 0) sent = limitedTransmit(t);
  else while (true) {
    const pending = unsent(t);
    if (pending <= 0) break;
    const usable = <i32>(t.sndUna + wnd - t.sndNxt);
    if (usable <= 0) break;
    const n = min(min(pending, usable), <i32>t.mss);
    if (n < <i32>t.mss && n < pending && n < <i32>(t.maxSndWnd / 2) && !t.swsForce) {
      // Only a sliver of window for a longer queue: wait for the window to open, or for the
      // override timer (RFC 9293 §3.8.6.2.1), rather than trickle tiny segments.
      armSwsOverride(t);
      break;
    }
    t.swsForce = false;
    t.swsOn = false;
    // Nagle (RFC 896, RFC 1122 §4.2.3.4) with Minshall's refinement, as Linux: a segment
    // shorter than the MSS waits while an earlier short one is unacknowledged, unless the socket
    // said TCP_NODELAY or the FIN follows it. (Waiting whenever anything is in flight held a
    // stream's short tail until the peer's delayed ACK of the full segment before it.) Nor does it
    // wait when the send ring is full (as lwIP sends once its snd_buf is used up): nothing more can
    // join the segment, and an echo through a 2 KiB ring sent 1152 and 896 bytes in turn, each
    // pair 40 ms apart (the peer's delayed ACK of one short segment).
    if (n < <i32>t.mss && shortUnacked(t) && !t.noDelay && !t.finQueued && t.tx.free() > 0) break;
    const off = <i32>(t.sndNxt - t.sndUna);
    xmit(t, t.sndNxt, ACK_FLAG | (n == pending ? PSH : 0), off, n);
    if (n < <i32>t.mss) t.sndSml = t.sndNxt + <u32>n;
    if (!t.rttTiming) { t.rttTiming = true; t.rttSeq = t.sndNxt; t.rttStart = now; }
    if (t.sndUna == t.sndMax) t.unackedSince = now;
    t.sndNxt += <u32>n;
    sent = true;
  }

  // FIN once every byte before it has gone out.
  if (t.finQueued && unsent(t) <= 0 && !t.finSent &&
      (s == State.FIN_WAIT_1 || s == State.CLOSING || s == State.LAST_ACK)) {
    if (!t.finSeqSet) { t.finSeqSet = true; t.finSeq = t.sndNxt; }
    xmit(t, t.finSeq, FIN | ACK_FLAG, 0, 0);
    t.sndNxt = t.finSeq + 1;
    sent = true;
  }

  t.swsForce = false;
  if (t.sndNxt != t.sndUna && !t.persistOn) armRtx(t);
  // Data waits behind a closed window and nothing is in flight to bring an update: probe.
  if (unsent(t) > 0 && t.sndWnd == 0 && t.sndNxt == t.sndUna) startPersist(t);
  if (!sent && (t.owed & Owe.ACK) != 0) sendAck(t);
}

/**
 * The segments marked owed besides ordinary output, in Owe's order: probes, retransmissions, a
 * challenge ACK, and last a RST that closes the connection. False when the connection is closed.
 */
function sendOwed(t: Tcb): bool {
  const o = t.owed;
  t.owed = o & (Owe.OUTPUT | Owe.ACK);
  if (o & Owe.PROBE) sendProbe(t);
  if (o & Owe.KEEPALIVE) sendKeepAlive(t);
  if (o & Owe.RETRANSMIT_FIRST) retransmitFirst(t);
  if (o & Owe.SACK_RETRANSMIT) {
    // RFC 6675 §5 (4.3): the first segment presumed lost; HighRxt and RescueRxt end where it ends.
    const end = t.sbCount > 0 ? left(t, 0) : t.sndMax;
    t.highRxt = t.sndUna + resend(t, t.sndUna, end);
    t.rescueRxt = t.highRxt;
    t.rxtMark = t.sndMax;
  }
  if (o & Owe.CHALLENGE_ACK) sendAck(t);
  if (o & Owe.RESET) {
    sendRst(t);
    toClosed(t);
    return false;
  }
  return true;
}

/**
 * RFC 6675 §5 step (C): while cwnd - pipe >= 1 SMSS, send what NextSeg chooses: (1) a lost hole
 * above HighRxt, (2) new data, (3) any hole below the highest SACKed byte, (4) once per recovery
 * the rescue of the last hole; first, resends shown lost too go back to rule 1 (sack.ts,
 * lostRetransmissions). True when something was sent.
 */
function recoverySend(t: Tcb): bool {
  lostRetransmissions(t);
  let pipe = sackPipe(t);
  let sent = false;
  while (pipe + t.mss <= t.cwnd) {
    let n: u32 = 0;
    let h: u64 = NO_HOLE;
    if ((h = sackHole(t, true)) != NO_HOLE) {
      n = resendHole(t, h);
    } else if ((n = newData(t)) > 0) {
      // rule 2 sent it
    } else if ((h = sackHole(t, false)) != NO_HOLE) {
      n = resendHole(t, h);
    } else if (seqGt(t.sndUna, t.rescueRxt) && (h = sackRescueHole(t)) != NO_HOLE) {
      // The rescue resends the last SMSS of the hole, HighRxt stays; no second one (RescueRxt).
      const s = holeStart(h), e = holeEnd(h);
      n = resend(t, e - s > t.mss ? e - t.mss : s, e);
      t.rescueRxt = t.recover;
    }
    if (n == 0) break;
    pipe += n;
    sent = true;
  }
  return sent;
}

/** NextSeg rules 1 and 3: resend the start of hole h (sackHole's); HighRxt moves past it. */
function resendHole(t: Tcb, h: u64): u32 {
  const n = resend(t, holeStart(h), holeEnd(h));
  t.highRxt = holeStart(h) + n;
  t.rxtMark = t.sndMax;
  return n;
}

/**
 * RFC 6675 §5 step (3), Limited Transmit with SACK: after a duplicate ACK, before recovery, new
 * data goes out while cwnd - pipe >= 1 SMSS (SACKed data has left the network), so a small
 * window still brings the duplicates loss recovery needs instead of waiting for the timer.
 */
function limitedTransmit(t: Tcb): bool {
  t.highRxt = t.sndUna; // (3.1)
  let pipe = sackPipe(t);
  let sent = false;
  while (pipe + t.mss <= t.cwnd) {
    const n = newData(t);
    if (n == 0) break;
    pipe += n;
    sent = true;
  }
  return sent;
}

/** NextSeg rule 2: one segment of new data, if the peer's window takes it. Returns its length. */
function newData(t: Tcb): u32 {
  const pending = unsent(t);
  const usable = <i32>(t.sndUna + t.sndWnd - t.sndNxt);
  const n = min(min(pending, usable), <i32>t.mss);
  if (n <= 0 || (n < <i32>t.mss && n < pending)) return 0; // no slivers (sender SWS avoidance)
  xmit(t, t.sndNxt, ACK_FLAG | (n == pending ? PSH : 0), <i32>(t.sndNxt - t.sndUna), n);
  if (!t.rttTiming) { t.rttTiming = true; t.rttSeq = t.sndNxt; t.rttStart = now; }
  t.sndNxt += <u32>n;
  return <u32>n;
}

/**
 * Resend up to one segment of [start, end) (inside SND.UNA..SND.MAX), with our FIN if it is the
 * last sequence number there. Returns the sequence space sent (0 when nothing could be).
 */
function resend(t: Tcb, start: u32, end: u32): u32 {
  const dataEnd = t.sndUna + <u32>t.tx.len; // our FIN, when sent, is the sequence number after the data
  let n = <i32>min(end - start, t.mss);
  if (seqGt(start + <u32>n, dataEnd)) n = seqLt(start, dataEnd) ? <i32>(dataEnd - start) : 0;
  const fin = t.finSent && start + <u32>n == t.finSeq && seqGt(end, t.finSeq);
  if (n <= 0 && !fin) return 0;
  xmit(t, start, ACK_FLAG | (fin ? FIN : 0), <i32>(start - t.sndUna), n);
  count(C.TCP_RETRANS_SEGS);
  t.rttTiming = false; // Karn: no sample from a retransmitted segment
  return <u32>n + (fin ? 1 : 0);
}

/** Persist timer fired: send one byte past the closed window (RFC 9293 §3.8.6.1). */
function sendProbe(t: Tcb): void {
  count(C.TCP_ZERO_WINDOW_PROBES);
  if (t.sndNxt != t.sndUna && t.tx.len > 0) {
    xmit(t, t.sndUna, ACK_FLAG, 0, 1); // the earlier probe's byte is still unaccepted: offer it again
  } else if (unsent(t) > 0) {
    xmit(t, t.sndNxt, ACK_FLAG, <i32>(t.sndNxt - t.sndUna), 1);
    t.sndNxt += 1;
  } else {
    xmit(t, t.sndUna - 1, ACK_FLAG, 0, 0);
  }
}

/** A keep-alive probe: one old sequence number, so the peer must answer with an ACK. */
function sendKeepAlive(t: Tcb): void { xmit(t, t.sndUna - 1, ACK_FLAG, 0, 0); }

/** Fast retransmit: resend the first unacknowledged segment (RFC 5681 §3.2). */
function retransmitFirst(t: Tcb): void {
  const inFlight = <i32>(t.sndNxt - t.sndUna);
  const n = min(min(inFlight, t.tx.len), <i32>t.mss);
  if (n > 0) xmit(t, t.sndUna, ACK_FLAG, 0, n);
  else if (t.finSent) xmit(t, t.finSeq, FIN | ACK_FLAG, 0, 0);
  else return;
  count(C.TCP_RETRANS_SEGS);
  t.rttTiming = false; // Karn: no sample from a retransmitted segment
}

