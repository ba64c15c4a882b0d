// What a connection agrees on in the SYNs (MSS; RFC 7323 window scale and timestamps; RFC 2018
// SACK-permitted), and the timestamp rules that follow from it: TS.Recent and PAWS. An option
// counts only when both SYNs carried it: ours offers it on an active open, and a SYN,ACK answers
// only a SYN that had it.
import { Tcb, Owe, logConnection } from "./tcb";
import { State } from "./state";
import { Segment, SYN, RST, DEFAULT_MSS } from "../wire/tcp";
import { seqLt, seqLe, seqGe } from "./seq";
import { OUR_MSS, ourWscale } from "./window";
import { C, count } from "../util/counters";
import { initCwnd } from "./close";
import { emit } from "../util/log";
import { ecnAgree } from "./ecn";

/** A SYN's (or SYN,ACK's, or cookie ACK's) options, window and numbers into a new connection. */
export function takePeerOptions(t: Tcb, seg: Segment): void {
  if (seg.wscaleAsked > 14) {
    logConnection(t).str("window scale ").u32(<u32>seg.wscaleAsked).str(" used as 14 (RFC 7323)");
    emit();
  }
  agreeOptions(t, seg);
  ecnAgree(t, seg);
  t.sndWnd = seg.wnd; t.maxSndWnd = seg.wnd;
  t.sndWl1 = seg.seq; t.sndWl2 = seg.ack;
  initCwnd(t);
}

/** The peer's SYN (or SYN,ACK) options into the TCB; anything else leaves them all off. */
export function agreeOptions(t: Tcb, seg: Segment): void {
  const syn = seg.has(SYN);
  const answering = t.state != State.SYN_SENT; // a passive open: we answer what the SYN offered
  t.mss = seg.mss != 0 ? min(seg.mss, OUR_MSS) : DEFAULT_MSS;
  if (syn && seg.wscale >= 0 && (t.wsOffer || answering)) {
    t.wsOffer = true;
    t.sndWscale = <u32>seg.wscale;
    t.rcvWscale = ourWscale();
  } else {
    t.wsOffer = false; // no scaling: nor do our later SYNs (a simultaneous open's SYN,ACK) offer it
    t.sndWscale = 0;
    t.rcvWscale = 0;
  }
  if (syn && seg.hasTs && (t.tsOffer || answering)) {
    t.tsOffer = true;
    t.tsOn = true;
    t.tsRecent = seg.tsVal;
    // Every segment carries them: they come out of its size (an MSS option under 13 leaves 1 byte,
    // where it underflowed: Tcb.mss is 16 bits, and a wrapped MSS must not let a segment pass the MTU).
    t.mss -= min(t.optionBytes, t.mss - 1);
  } else {
    t.tsOffer = false;
    t.tsOn = false;
  }
  if (syn && seg.sackOk && (t.sackOffer || answering)) {
    t.sackOffer = true;
    t.sackOn = true;
  } else {
    t.sackOffer = false;
    t.sackOn = false;
  }
}

/**
 * A connection opened by the ACK of a SYN cookie agrees on what the cookie remembers: the MSS and
 * SACK-permitted (syncookie.ts). Window scaling and timestamps were not offered in the cookie's
 * SYN,ACK, so they stay off.
 */
export function agreeCookie(t: Tcb, mss: u32, sack: bool): void {
  t.mss = min(mss, OUR_MSS);
  t.sackOffer = sack;
  t.sackOn = sack;
}

/**
 * RFC 7323 §5.3 PAWS: a segment whose timestamp is older than the last one taken in sequence is
 * an old duplicate (or a wrapped sequence number): it is dropped and answered with an ACK. A RST
 * is not judged by its timestamp.
 */
export function pawsOk(t: Tcb, seg: Segment): bool {
  if (seg.has(RST) || !seqLt(seg.tsVal, t.tsRecent)) return true;
  count(C.TCP_DROP_PAWS);
  t.owed |= Owe.ACK;
  return false;
}

/** RFC 7323 §4.3: echo the newest TSval of a segment that starts at or before our last ACK. */
export function takeTimestamp(t: Tcb, seg: Segment): void {
  if (t.tsOn && seg.hasTs && seqLe(seg.seq, t.lastAckSent) && seqGe(seg.tsVal, t.tsRecent)) t.tsRecent = seg.tsVal;
}
