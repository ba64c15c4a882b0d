// UDP in and out: the DHCP client, then the sockets of udpsock.ts; the rest is counted and dropped.
import { C, count } from "../util/counters";
import { UDP_HEADER_LEN, udpCheck, udpSrcPort, udpDstPort, udpPayloadLen, emitUdp } from "../wire/udp";
import { udpDeliver } from "./udpsock";
import { ipTxPayload, ipSend, ipCurrentDatagram } from "./ip";
import { icmpUnreachable, ICMP_PORT_UNREACHABLE } from "./icmp";
import { ourIp, joinedGroup } from "./iface";
import { dhcpInput, DHCP_CLIENT_PORT } from "./dhcp";

const PROTO_UDP: u32 = 17;

export function udpInput(src: u32, dst: u32, p: usize, len: i32): void {
  const why = udpCheck(src, dst, p, len);
  if (why >= 0) { count(<C>why); return; }
  count(C.UDP_IN);
  const dport = udpDstPort(p);
  if (dport == DHCP_CLIENT_PORT) dhcpInput(p + UDP_HEADER_LEN, udpPayloadLen(p));
  else if (dst != ourIp() && !joinedGroup(dst)) count(C.UDP_DROP_NO_PORT);
  else if (!udpDeliver(src, udpSrcPort(p), dport, p + UDP_HEADER_LEN, udpPayloadLen(p))) {
    count(C.UDP_DROP_NO_PORT);
    if (dst != ourIp()) return; // no ICMP errors about multicast (RFC 1122 §3.2.2)
    icmpUnreachable(ipCurrentDatagram(), ICMP_PORT_UNREACHABLE); // RFC 1122 §4.1.3.1
  }
}

/** Where the caller writes a datagram's payload. */
export function udpTxPayload(): usize { return ipTxPayload() + UDP_HEADER_LEN; }

export function udpSend(dst: u32, sport: u32, dport: u32, payloadLen: i32): void {
  const len = emitUdp(ipTxPayload(), ourIp(), dst, sport, dport, payloadLen);
  ipSend(dst, PROTO_UDP, len);
}
