// ICMP out (RFC 792, RFC 1122 §3.2.2): echo replies, and destination unreachable for an unknown
// protocol or a closed UDP port, rate-limited. Both are emitted from an `Icmp` repr
// (wire/icmp.ts); what arrives is read in receive.ts.
import { C, count } from "../util/counters";
import { now } from "../util/clock";
import { ICMP_ERRORS_PER_SECOND, MTU } from "../config";
import { Icmp, emitIcmp, icmpRest, ICMP_HEADER_LEN, ICMP_ECHO_REPLY, ICMP_DEST_UNREACHABLE } from "../wire/icmp";
import { Ipv4, IPV4_HEADER_LEN, PROTO_ICMP } from "../wire/ipv4";
import { ipTxPayload, ipSend } from "./ip";
import { ourIp } from "./iface";

/** How much of the offending datagram's data an error quotes after its header (RFC 1812 allows more). */
const QUOTE_DATA: i32 = 64;
const out = new Icmp();

/** Answer the echo request at p (len bytes, checksum checked) from src. */
export function icmpEchoReply(src: u32, p: usize, len: i32): void {
  // A reassembled request may be larger than one frame, and we do not fragment: no answer.
  if (len > MTU - IPV4_HEADER_LEN) { count(C.ICMP_DROP_OTHER); return; }
  const o = ipTxPayload();
  memory.copy(o, p, <usize>len);
  out.type = ICMP_ECHO_REPLY;
  out.code = 0;
  out.rest = icmpRest(p); // identifier and sequence number, echoed
  out.data = o + <usize>ICMP_HEADER_LEN;
  out.dataLen = len - ICMP_HEADER_LEN;
  count(C.ICMP_OUT_ECHO_REPS);
  ipSend(src, PROTO_ICMP, emitIcmp(o, out));
}

// RFC 1812 §4.3.2.8 / RFC 1122: errors are rate-limited, here by a budget per second.
let windowStart: u32 = 0;
let sentInWindow: u32 = 0;

/** Tell the sender of datagram d that it cannot be delivered (code: protocol or port unreachable). */
export function icmpUnreachable(d: Ipv4, code: u32): void {
  if (d.dst != ourIp() || ourIp() == 0) return; // never about broadcasts (RFC 1122 §3.2.2)
  if (now - windowStart >= 1000) { windowStart = now; sentInWindow = 0; }
  if (sentInWindow >= ICMP_ERRORS_PER_SECOND) { count(C.ICMP_OUT_RATE_LIMITED); return; }
  sentInWindow++;
  out.type = ICMP_DEST_UNREACHABLE;
  out.code = code;
  out.rest = 0;
  out.data = d.at; // its header, and the start of its data
  out.dataLen = d.headerLen + min(QUOTE_DATA, d.payloadLen);
  count(C.ICMP_OUT_DEST_UNREACHS);
  ipSend(d.src, PROTO_ICMP, emitIcmp(ipTxPayload(), out));
}
