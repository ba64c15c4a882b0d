// Explicit Congestion Notification (RFC 3168; RFC 9293 SHLD-8). Negotiated on the SYNs: a SYN with
// ECE and CWR offers it, a SYN,ACK with ECE alone agrees. Passive opens agree whenever offered;
// active opens offer it only when switched on (set_ecn, as Linux's net.ipv4.tcp_ecn: 0 off, 1 also
// active, 2 passive only, the default). Once on: new data goes out ECT(0); a CE mark from the path
// is echoed with ECE on every ACK until the peer's CWR; an ECE from the peer halves the congestion
// window as a loss would, at most once per window, and the next new data carries CWR. A peer
// without ECN never sees any of it. Input and output call these; nothing here sends.
import { C, count } from "../util/counters";
import { Tcb } from "./tcb";
import { seqGe, seqLt } from "./seq";
import { Segment, SYN, ACK_FLAG, ECE, CWR } from "../wire/tcp";
import { ECN_ECT0, ECN_NOT_ECT, ECN_CE } from "../wire/ipv4";

export const ECN_OFF: u32 = 0;
export const ECN_ACTIVE: u32 = 1;
export const ECN_PASSIVE: u32 = 2;
let mode: u32 = ECN_PASSIVE;

/** Choose the mode (0, 1 or 2); false for another number. */
export function setEcnMode(m: u32): bool {
  if (m > ECN_PASSIVE) return false;
  mode = m;
  return true;
}

/** An active open: whether its SYN offers ECN. */
export function ecnOfferActive(t: Tcb): void { t.ecnOffer = mode == ECN_ACTIVE; }

/**
 * The peer's SYN or SYN,ACK (RFC 3168 §6.1.1): an ECN-setup SYN (ECE and CWR) is agreed to unless
 * ECN is off; a SYN,ACK with ECE and without CWR agrees to what our SYN offered. Anything else
 * (a cookie's ACK too) leaves ECN off.
 */
export function ecnAgree(t: Tcb, seg: Segment): void {
  if (!seg.has(SYN)) return;
  const on = seg.has(ACK_FLAG) ? t.ecnOffer && seg.has(ECE) && !seg.has(CWR) : mode != ECN_OFF && seg.has(ECE) && seg.has(CWR);
  if (!on) return;
  t.ecnOn = true;
  count(C.TCP_ECN_NEGOTIATED);
}

/**
 * An acceptable segment of an ECN connection: CWR ends our echo, a CE mark starts it (§6.1.3);
 * an ECE on an ACK is congestion on the path, answered once per window (§6.1.2). Returns true
 * when the congestion window is to be reduced.
 */
export function ecnInput(t: Tcb, seg: Segment): bool {
  if (!t.ecnOn) return false;
  if (seg.has(CWR)) t.ecnEcho = false;
  if (seg.ecn == ECN_CE) { count(C.TCP_ECN_CE_RECEIVED); t.ecnEcho = true; }
  if (!seg.has(ECE) || !seg.has(ACK_FLAG) || seg.has(SYN)) return false;
  if (t.inRecovery || (t.ecnReduced && seqLt(t.sndUna, t.ecnRecover))) return false;
  t.ecnReduced = true;
  t.ecnRecover = t.sndMax;
  t.ecnCwr = true;
  count(C.TCP_ECN_REDUCTIONS);
  return true;
}

/** The ECN flags a segment of t carries besides `flags` (seq, dataLen: what it sends). */
export function ecnFlags(t: Tcb, flags: u32, seq: u32, dataLen: i32): u32 {
  if (flags & SYN) {
    if (flags & ACK_FLAG) return t.ecnOn ? ECE : 0;
    return t.ecnOffer ? ECE | CWR : 0;
  }
  if (!t.ecnOn) return 0;
  let f: u32 = 0;
  if (t.ecnEcho && (flags & ACK_FLAG)) f |= ECE;
  if (t.ecnCwr && newData(t, seq, dataLen)) { f |= CWR; t.ecnCwr = false; }
  return f;
}

/** The IP ECN field of a segment of t: ECT(0) for new data, never for a retransmission (§6.1.5). */
export function ecnField(t: Tcb, seq: u32, dataLen: i32): u32 {
  return t.ecnOn && newData(t, seq, dataLen) ? ECN_ECT0 : ECN_NOT_ECT;
}

@inline function newData(t: Tcb, seq: u32, dataLen: i32): bool { return dataLen > 0 && seqGe(seq, t.sndMax); }
