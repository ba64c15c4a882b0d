// ICMP echo (RFC 792, RFC 1122 §3.2.2.6): requests are answered with the same identifier,
// sequence number and data; everything else is counted and dropped.
import { C, count } from "../util/counters";
import { ICMP_HEADER_LEN, ICMP_ECHO_REQUEST, icmpType, icmpCode, icmpChecksumOk, makeEchoReply } from "../wire/icmp";
import { ipTxPayload, ipSend } from "./ip";

export function icmpInput(src: u32, p: usize, len: i32): void {
  if (len < ICMP_HEADER_LEN || !icmpChecksumOk(p, len)) { count(C.ICMP_DROP_CHECKSUM); return; }
  if (icmpType(p) != ICMP_ECHO_REQUEST || icmpCode(p) != 0) { count(C.ICMP_DROP_OTHER); return; }
  count(C.ICMP_IN_ECHOS);
  const out = ipTxPayload();
  memory.copy(out, p, <usize>len);
  makeEchoReply(out, len);
  count(C.ICMP_OUT_ECHO_REPS);
  ipSend(src, 1, len);
}
