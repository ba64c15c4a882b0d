// IPv4 out (RFC 791, RFC 1122 §3.2): route and send (what arrives is read in receive.ts).
import { FRAME_MAX } from "../config";
import { C, count } from "../util/counters";
import { ETH_HEADER_LEN, ETHERTYPE_IPV4, emitEth } from "../wire/ethernet";
import { IPV4_HEADER_LEN, emitIpv4 } from "../wire/ipv4";
import { ourIp, ourMac, netmask, gatewayIp, linkSend, arpRequest, broadcastMac, multicastMac } from "./iface";
import { arpLookup, arpHold } from "./arp_cache";

const LIMITED_BROADCAST: u32 = 0xffffffff;
const txFrame = memory.data(FRAME_MAX, 4);
const groupDst = memory.data(6);
let ident: u32 = 0;

/**
 * "Negative advice" from a transport that keeps getting no answer: the next hop's MAC may be
 * wrong (ARP carries no checksum, and a neighbour can change its card). Ask again, but keep
 * using what we have meanwhile: the reply overwrites a wrong entry, and nothing waits for it.
 */
export function ipNegativeAdvice(dst: u32): void {
  const hop = nextHop(dst);
  if (hop != 0) arpRequest(hop);
}

/** Where a datagram to dst goes first: dst itself on our subnet, else the gateway (0: none). */
@inline export function nextHop(dst: u32): u32 {
  const m = netmask();
  return (dst & m) == (ourIp() & m) ? dst : gatewayIp();
}

/** Where the caller writes the payload of the next datagram it sends. */
export function ipTxPayload(): usize { return txFrame + ETH_HEADER_LEN + IPV4_HEADER_LEN; }

/**
 * Send the payload (payloadLen bytes at ipTxPayload()) to dst, with the ECN field ecn (RFC 3168).
 * The frame goes out now, or waits in the ARP cache for its next hop. False when there is no route.
 */
export function ipSend(dst: u32, proto: u32, payloadLen: i32, ecn: u32 = 0): bool {
  const broadcast = dst == LIMITED_BROADCAST; // goes to every host on the link, no lookup
  const multicast = (dst >>> 28) == 14;        // so does a group's (mDNS, with TTL 255: RFC 6762 §11)
  const hop = broadcast || multicast ? dst : nextHop(dst);
  if (hop == 0) { count(C.IP_DROP_NO_ROUTE); return false; }
  count(C.IP_OUT_REQUESTS);
  emitIpv4(txFrame + ETH_HEADER_LEN, ourIp(), dst, proto, payloadLen, ident++ & 0xffff, multicast ? 255 : 64, ecn);
  const len = ETH_HEADER_LEN + IPV4_HEADER_LEN + payloadLen;
  if (multicast) multicastMac(groupDst, dst);
  const mac = broadcast ? broadcastMac() : multicast ? groupDst : arpLookup(hop);
  emitEth(txFrame, mac != 0 ? mac : ourMac(), ourMac(), ETHERTYPE_IPV4);
  if (mac != 0) linkSend(txFrame, len);
  else if (arpHold(hop, txFrame, len)) arpRequest(hop);
  return true;
}
