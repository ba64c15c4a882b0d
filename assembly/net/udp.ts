// UDP out, for the DHCP client and the sockets of udpsock.ts (what arrives is read in receive.ts).
import { UDP_HEADER_LEN, emitUdp } from "../wire/udp";
import { PROTO_UDP } from "../wire/ipv4";
import { ipTxPayload, ipSend } from "./ip";
import { ourIp } from "./iface";

/** Where the caller writes a datagram's payload. */
export function udpTxPayload(): usize { return ipTxPayload() + UDP_HEADER_LEN; }

export function udpSend(dst: u32, sport: u32, dport: u32, payloadLen: i32): void {
  const len = emitUdp(ipTxPayload(), ourIp(), dst, sport, dport, payloadLen);
  ipSend(dst, PROTO_UDP, len);
}
