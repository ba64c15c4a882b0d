// IPv4 in and out (RFC 791, RFC 1122 §3.2): validate, reassemble, deliver to TCP, UDP or ICMP;
// route and send.
import { FRAME_MAX } from "../config";
import { C, count } from "../util/counters";
import { ETH_HEADER_LEN, ETHERTYPE_IPV4, emitEth } from "../wire/ethernet";
import { IPV4_HEADER_LEN, ipCheck, ipHeaderLen, ipTotalLen, ipProto, ipSrc, ipDst, ipIsFragment, emitIpv4 } from "../wire/ipv4";
import { fragmentArrives } from "./fragments";
import { ourIp, ourMac, netmask, gatewayIp, linkSend, arpRequest, broadcastMac, joinedGroup, multicastMac } from "./iface";
import { udpInput } from "./udp";
import { arpLookup, arpHold } from "./arp_cache";
import { icmpInput, icmpUnreachable, ICMP_PROTOCOL_UNREACHABLE } from "./icmp";
import { tcpInput } from "../tcp/stack";

const PROTO_ICMP: u32 = 1;
const PROTO_TCP: u32 = 6;
const PROTO_UDP: u32 = 17;
const LIMITED_BROADCAST: u32 = 0xffffffff;
const txFrame = memory.data(FRAME_MAX, 4);
const groupDst = memory.data(6);
let ident: u32 = 0;

/** Sources we never accept (RFC 1122 §3.2.1.3): unspecified, loopback, multicast, broadcast, ourselves. */
function badSource(src: u32): bool {
  const me = ourIp();
  const m = netmask();
  if (src == 0 || src == 0xffffffff || (src >>> 24) == 127 || (src >>> 28) >= 14) return true;
  if (src == me) return true; // a land attack, or a loop
  if (m != 0 && m != 0xffffffff && (src & m) == (me & m) && (src & ~m) == ~m) return true; // subnet broadcast
  return false;
}

export function ipInput(p: usize, len: i32): void {
  // The checks are a call that returns before delivery: under wasm3 a function's operations
  // hold native stack frames until it returns, and delivery goes on to TCP and back out.
  const to = admit(p, len);
  if (to == DROPPED) return;
  if (ipIsFragment(p)) {
    if (to != TO_US) { count(C.IP_DROP_FRAGMENT); return; }
    const whole = fragmentArrives(p);
    if (whole != 0) deliver(whole, true);
    return;
  }
  deliver(p, to == TO_US);
}

const DROPPED = 0, TO_US = 1, FOR_DHCP = 2;

/** Whether a received datagram is ours to take (RFC 1122 §3.2.1): DROPPED (counted), TO_US or FOR_DHCP. */
function admit(p: usize, len: i32): i32 {
  count(C.IP_IN_RECEIVES);
  const why = ipCheck(p, len);
  if (why >= 0) { count(<C>why); return DROPPED; }
  const dst = ipDst(p);
  const proto = ipProto(p);
  // Broadcasts reach only UDP, where the DHCP client takes its server's answers; before we have
  // an address those may come to any destination (a server's subnet broadcast, or the offer).
  const toUs = dst == ourIp() && dst != 0;
  const forDhcp = proto == PROTO_UDP && (dst == LIMITED_BROADCAST || ourIp() == 0 || joinedGroup(dst));
  if (!toUs && !forDhcp) { count(C.IP_DROP_NOT_FOR_US); return DROPPED; }
  if (badSource(ipSrc(p))) { count(C.IP_DROP_BAD_SOURCE); return DROPPED; }
  return toUs ? TO_US : FOR_DHCP;
}

/** The datagram being delivered (its header first), which ICMP errors quote. */
let current: usize = 0;
export function ipCurrentDatagram(): usize { return current; }

function deliver(p: usize, toUs: bool): void {
  const hlen = ipHeaderLen(p);
  const total = ipTotalLen(p); // bytes past it are Ethernet padding
  const src = ipSrc(p);
  const dst = ipDst(p);
  const proto = ipProto(p);
  current = p;
  if (proto == PROTO_UDP) {
    count(C.IP_IN_DELIVERS);
    udpInput(src, dst, p + <usize>hlen, total - hlen);
  } else if (!toUs) {
    count(C.IP_DROP_NOT_FOR_US);
  } else if (proto == PROTO_TCP) {
    count(C.IP_IN_DELIVERS);
    tcpInput(src, dst, p + <usize>hlen, total - hlen);
  } else if (proto == PROTO_ICMP) {
    count(C.IP_IN_DELIVERS);
    icmpInput(src, p + <usize>hlen, total - hlen);
  } else {
    count(C.IP_DROP_PROTOCOL);
    icmpUnreachable(p, ICMP_PROTOCOL_UNREACHABLE); // RFC 1122 §3.2.2.1
  }
  current = 0;
}

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
function nextHop(dst: u32): u32 {
  const m = netmask();
  return (dst & m) == (ourIp() & m) ? dst : gatewayIp();
}

/** Where the caller writes the payload of the next datagram it sends. */
export function ipTxPayload(): usize { return txFrame + ETH_HEADER_LEN + IPV4_HEADER_LEN; }

/**
 * Send the payload (payloadLen bytes at ipTxPayload()) to dst. The frame goes out now, or waits
 * in the ARP cache for its next hop. False when there is no route.
 */
export function ipSend(dst: u32, proto: u32, payloadLen: i32): bool {
  const broadcast = dst == LIMITED_BROADCAST; // goes to every host on the link, no lookup
  const multicast = (dst >>> 28) == 14;        // so does a group's (mDNS, with TTL 255: RFC 6762 §11)
  const hop = broadcast || multicast ? dst : nextHop(dst);
  if (hop == 0) { count(C.IP_DROP_NO_ROUTE); return false; }
  count(C.IP_OUT_REQUESTS);
  emitIpv4(txFrame + ETH_HEADER_LEN, ourIp(), dst, proto, payloadLen, ident++ & 0xffff, multicast ? 255 : 64);
  const len = ETH_HEADER_LEN + IPV4_HEADER_LEN + payloadLen;
  if (multicast) multicastMac(groupDst, dst);
  const mac = broadcast ? broadcastMac() : multicast ? groupDst : arpLookup(hop);
  emitEth(txFrame, mac != 0 ? mac : ourMac(), ourMac(), ETHERTYPE_IPV4);
  if (mac != 0) linkSend(txFrame, len);
  else if (arpHold(hop, txFrame, len)) arpRequest(hop);
  return true;
}
