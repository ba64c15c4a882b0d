// Path MTU discovery for TCP (RFC 1191): every segment leaves with DF set; an ICMP "fragmentation
// needed" lowers the connection's segment size. It is believed only when it quotes a segment of
// ours still unacknowledged (RFC 5927 §5.1), so a blind attacker cannot shrink connections.
import { oweOutput, findConn, logConnection } from "./tcb";
import { seqGe, seqLt } from "./seq";
import { State } from "./state";
import { emit } from "../util/log";

/** The smallest MTU we accept from an ICMP message (RFC 1191 §3 floor of 68 is too easy a lever). */
export const PMTU_MIN: u32 = 576;

/**
 * "Fragmentation needed" about a segment we sent to remoteIp from localPort to remotePort with
 * sequence number seq; mtu is the next hop's (0 from old routers: then the next lower plateau
 * below the quoted datagram's length). False when the message does not check out.
 */
export function tcpFragNeeded(remoteIp: u32, localPort: u32, remotePort: u32, seq: u32, mtu: u32, quotedLen: i32): bool {
  const t = findConn(localPort, remoteIp, remotePort);
  if (t == null || t.state < State.SYN_SENT) return false;
  if (!(seqGe(seq, t.sndUna) && seqLt(seq, t.sndMax))) return false; // RFC 5927: not in flight
  if (mtu == 0) mtu = plateauBelow(<u32>quotedLen);
  if (mtu >= <u32>quotedLen && quotedLen > 0) return false; // it claims our datagram fitted
  const newMss = max(mtu, PMTU_MIN) - 40 - t.optionBytes; // the segments' options fit the path too
  if (newMss >= t.mss) return true;
  logConnection(t).str("path MTU ").u32(max(mtu, PMTU_MIN)).str(": segments of ").u32(newMss);
  emit();
  t.mss = newMss;
  if (t.cwnd > 4 * newMss) t.cwnd = 4 * newMss;
  // What was lost in the too-big datagram goes again, in segments that fit (RFC 1191 §6.5).
  t.sndNxt = t.sndUna;
  t.rttTiming = false;
  oweOutput(t); // dispatch sends it after the frame
  return true;
}

/** RFC 1191 §7's plateau table: the largest plateau below len. */
function plateauBelow(len: u32): u32 {
  if (len > 1492) return 1492;
  if (len > 1006) return 1006;
  if (len > 576) return 576;
  return PMTU_MIN;
}
