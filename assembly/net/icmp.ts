// ICMP (RFC 792, RFC 1122 §3.2.2): echo requests are answered; destination unreachable is sent
// for an unknown protocol or a closed UDP port (rate-limited), and "fragmentation needed"
// received is handed to TCP's path MTU logic (RFC 1191). Everything else is counted and dropped.
import { C, count } from "../util/counters";
import { get8, get16, get32, put8, put16, put32 } from "../util/bytes";
import { now } from "../util/clock";
import { ICMP_ERRORS_PER_SECOND, MTU } from "../config";
import { ICMP_HEADER_LEN, ICMP_ECHO_REQUEST, icmpType, icmpCode, icmpChecksumOk, makeEchoReply } from "../wire/icmp";
import { checksum } from "../wire/checksum";
import { ipHeaderLen, ipTotalLen, ipProto, ipSrc, ipDst } from "../wire/ipv4";
import { ipTxPayload, ipSend } from "./ip";
import { ourIp } from "./iface";
import { tcpFragNeeded } from "../tcp/pmtu";

const ICMP_DEST_UNREACHABLE: u32 = 3;
export const ICMP_PROTOCOL_UNREACHABLE: u32 = 2;
export const ICMP_PORT_UNREACHABLE: u32 = 3;
const ICMP_FRAG_NEEDED: u32 = 4;
/** How much of the offending datagram's data an error quotes after its header (RFC 1812 allows more). */
const QUOTE_DATA: i32 = 64;

export function icmpInput(src: u32, p: usize, len: i32): void {
  if (len < ICMP_HEADER_LEN || !icmpChecksumOk(p, len)) { count(C.ICMP_DROP_CHECKSUM); return; }
  const type = icmpType(p);
  if (type == ICMP_DEST_UNREACHABLE) { destUnreachable(p, len); return; }
  if (type != ICMP_ECHO_REQUEST || icmpCode(p) != 0) { count(C.ICMP_DROP_OTHER); return; }
  count(C.ICMP_IN_ECHOS);
  // A reassembled request may be larger than one frame, and we do not fragment: no answer.
  if (len > MTU - 20) { count(C.ICMP_DROP_OTHER); return; }
  const out = ipTxPayload();
  memory.copy(out, p, <usize>len);
  makeEchoReply(out, len);
  count(C.ICMP_OUT_ECHO_REPS);
  ipSend(src, 1, len);
}

/** A destination unreachable about a datagram we sent: its header and 8 bytes follow ours. */
function destUnreachable(p: usize, len: i32): void {
  count(C.ICMP_IN_DEST_UNREACHS);
  const inner = p + <usize>ICMP_HEADER_LEN;
  const room = len - ICMP_HEADER_LEN;
  if (room < 20 || (get8(inner) >> 4) != 4) { count(C.ICMP_DROP_OTHER); return; }
  const ihl = ipHeaderLen(inner);
  if (ihl < 20 || room < ihl + 8 || ipSrc(inner) != ourIp()) { count(C.ICMP_DROP_OTHER); return; }
  if (icmpCode(p) != ICMP_FRAG_NEEDED || ipProto(inner) != 6) return; // soft errors: TCP keeps trying (RFC 5927)
  count(C.ICMP_IN_FRAG_NEEDED);
  const t = inner + <usize>ihl;
  const mtu = get16(p + 6); // RFC 1191: next-hop MTU in the low half of the unused word
  if (!tcpFragNeeded(ipDst(inner), get16(t), get16(t + 2), get32(t + 4), mtu, ipTotalLen(inner))) {
    count(C.ICMP_DROP_UNVERIFIED);
  }
}

// RFC 1812 §4.3.2.8 / RFC 1122: errors are rate-limited, here by a budget per second.
let windowStart: u32 = 0;
let sentInWindow: u32 = 0;

/** Tell the sender of the datagram at d that it cannot be delivered (code: protocol or port). */
export function icmpUnreachable(d: usize, code: u32): void {
  if (d == 0 || ipDst(d) != ourIp() || ourIp() == 0) return; // never about broadcasts (RFC 1122 §3.2.2)
  if (now - windowStart >= 1000) { windowStart = now; sentInWindow = 0; }
  if (sentInWindow >= ICMP_ERRORS_PER_SECOND) { count(C.ICMP_OUT_RATE_LIMITED); return; }
  sentInWindow++;
  const hlen = ipHeaderLen(d);
  const quote = hlen + min(QUOTE_DATA, ipTotalLen(d) - hlen);
  const out = ipTxPayload();
  put8(out, ICMP_DEST_UNREACHABLE);
  put8(out + 1, code);
  put16(out + 2, 0);
  put32(out + 4, 0);
  memory.copy(out + <usize>ICMP_HEADER_LEN, d, <usize>quote);
  const len = ICMP_HEADER_LEN + quote;
  put16(out + 2, checksum(out, len));
  count(C.ICMP_OUT_DEST_UNREACHS);
  ipSend(ipSrc(d), 1, len);
}
