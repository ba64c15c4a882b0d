// The receive ladder (smoltcp's interface): one frame in, handed up Ethernet -> ARP or IPv4 ->
// ICMP, UDP or TCP. Everything below it (net/, wire/) only keeps addresses and sends; nothing
// below calls back up here, so a frame is followed from this file alone. Every drop is counted.
import { FRAME_MAX, MTU } from "./config";
import { C, count } from "./util/counters";
import { ETH_HEADER_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, ethDst, ethType } from "./wire/ethernet";
import { Ipv4, parseIpv4, ipv4Fields, ipHeaderLen, ipTotalLen, ipProto, ipSrc, ipDst, PROTO_ICMP, PROTO_TCP, PROTO_UDP } from "./wire/ipv4";
import {
  ICMP_HEADER_LEN, ICMP_ECHO_REQUEST, ICMP_DEST_UNREACHABLE, ICMP_FRAG_NEEDED, ICMP_PROTOCOL_UNREACHABLE,
  ICMP_PORT_UNREACHABLE, icmpType, icmpCode, icmpChecksumOk, icmpNextHopMtu,
} from "./wire/icmp";
import { UDP_HEADER_LEN, udpCheck, udpSrcPort, udpDstPort, udpPayloadLen } from "./wire/udp";
import { get8, get16, get32 } from "./util/bytes";
import { ourIp, netmask, joinedGroup, macIsOurs, arpInput } from "./net/iface";
import { fragmentArrives } from "./net/fragments";
import { icmpEchoReply, icmpUnreachable } from "./net/icmp";
import { dhcpInput, DHCP_CLIENT_PORT } from "./net/dhcp";
import { udpDeliver } from "./net/udpsock";
import { segmentArrives } from "./tcp/input";
import { tcpFragNeeded } from "./tcp/pmtu";

const LIMITED_BROADCAST: u32 = 0xffffffff;
/** The datagram being delivered: parsed once, read by every step below (ICMP errors quote it). */
const ip = new Ipv4();

/** One Ethernet frame of len bytes at f (RFC 894). */
@inline export function frameArrives(f: usize, len: i32): void {
  count(C.ETH_IN_FRAMES);
  if (len < ETH_HEADER_LEN) { count(C.ETH_DROP_SHORT); return; }
  if (len > FRAME_MAX || len - ETH_HEADER_LEN > MTU) { count(C.ETH_DROP_TOO_LONG); return; }
  // Broadcast carries ARP, and DHCP's replies before we have an address (IPv4 filters those);
  // the joined multicast group carries mDNS.
  if (!macIsOurs(ethDst(f))) { count(C.ETH_DROP_NOT_FOR_US); return; }
  const type = ethType(f);
  if (type == ETHERTYPE_IPV4) ipv4Arrives(f + ETH_HEADER_LEN, len - ETH_HEADER_LEN);
  else if (type == ETHERTYPE_ARP) arpInput(f + ETH_HEADER_LEN, len - ETH_HEADER_LEN);
  else count(C.ETH_DROP_ETHERTYPE);
}

@inline function ipv4Arrives(p: usize, len: i32): void {
  // The checks are a call that returns before delivery (docs/wasm3-stack.md).
  const to = admit(p, len);
  if (to == DROPPED) return;
  if (ip.fragment && !reassembled(to)) return;
  deliver(to == TO_US);
}

/** ip is a fragment: true once it completed its datagram, which ip then describes. */
function reassembled(to: i32): bool {
  if (to != TO_US) { count(C.IP_DROP_FRAGMENT); return false; }
  const whole = fragmentArrives(ip.at);
  if (whole == 0) return false;
  ipv4Fields(whole, ip);
  return true;
}

/** What admit() decided: to us, or to UDP only (broadcast, our multicast group, or before DHCP). */
const DROPPED = 0, TO_US = 1, TO_UDP_ONLY = 2;

/** Whether a received datagram is ours to take (RFC 1122 §3.2.1): DROPPED (counted), TO_US or TO_UDP_ONLY. */
function admit(p: usize, len: i32): i32 {
  count(C.IP_IN_RECEIVES);
  const why = parseIpv4(p, len, ip);
  if (why >= 0) { count(<C>why); return DROPPED; }
  // Broadcasts and the joined group reach only UDP (DHCP's answers, mDNS); before we have an
  // address DHCP's answers may come to any destination (a server's subnet broadcast, or the offer).
  const toUs = ip.dst == ourIp() && ip.dst != 0;
  const toUdp = ip.proto == PROTO_UDP && (ip.dst == LIMITED_BROADCAST || ourIp() == 0 || joinedGroup(ip.dst));
  if (!toUs && !toUdp) { count(C.IP_DROP_NOT_FOR_US); return DROPPED; }
  if (badSource(ip.src)) { count(C.IP_DROP_BAD_SOURCE); return DROPPED; }
  return toUs ? TO_US : TO_UDP_ONLY;
}

/** Sources we never accept (RFC 1122 §3.2.1.3): unspecified, loopback, multicast, broadcast, ourselves. */
function badSource(src: u32): bool {
  const me = ourIp();
  const m = netmask();
  if (src == 0 || src == 0xffffffff || (src >>> 24) == 127 || (src >>> 28) >= 14) return true;
  if (src == me) return true; // a land attack, or a loop
  if (m != 0 && m != 0xffffffff && (src & m) == (me & m) && (src & ~m) == ~m) return true; // subnet broadcast
  return false;
}

function deliver(toUs: bool): void {
  const proto = ip.proto;
  if (proto == PROTO_UDP) {
    count(C.IP_IN_DELIVERS);
    udpArrives(ip.payload, ip.payloadLen);
  } else if (!toUs) {
    count(C.IP_DROP_NOT_FOR_US);
  } else if (proto == PROTO_TCP) {
    count(C.IP_IN_DELIVERS);
    segmentArrives(ip.src, ip.dst, ip.payload, ip.payloadLen, ip.ecn);
  } else if (proto == PROTO_ICMP) {
    count(C.IP_IN_DELIVERS);
    icmpArrives(ip.payload, ip.payloadLen);
  } else {
    count(C.IP_DROP_PROTOCOL);
    icmpUnreachable(ip, ICMP_PROTOCOL_UNREACHABLE); // RFC 1122 §3.2.2.1
  }
}

/** ICMP (RFC 792, RFC 1122 §3.2.2): echo requests are answered, "fragmentation needed" goes to TCP. */
function icmpArrives(p: usize, len: i32): void {
  if (len < ICMP_HEADER_LEN || !icmpChecksumOk(p, len)) { count(C.ICMP_DROP_CHECKSUM); return; }
  const type = icmpType(p);
  if (type == ICMP_DEST_UNREACHABLE) { destUnreachable(p, len); return; }
  if (type != ICMP_ECHO_REQUEST || icmpCode(p) != 0) { count(C.ICMP_DROP_OTHER); return; }
  count(C.ICMP_IN_ECHOS);
  icmpEchoReply(ip.src, p, len);
}

/** A destination unreachable about a datagram we sent: its header and 8 bytes follow ours. */
function destUnreachable(p: usize, len: i32): void {
  count(C.ICMP_IN_DEST_UNREACHS);
  const inner = p + <usize>ICMP_HEADER_LEN;
  const room = len - ICMP_HEADER_LEN;
  if (room < 20 || (get8(inner) >> 4) != 4) { count(C.ICMP_DROP_OTHER); return; }
  const ihl = ipHeaderLen(inner);
  if (ihl < 20 || room < ihl + 8 || ipSrc(inner) != ourIp()) { count(C.ICMP_DROP_OTHER); return; }
  if (icmpCode(p) != ICMP_FRAG_NEEDED || ipProto(inner) != PROTO_TCP) return; // soft errors: TCP keeps trying (RFC 5927)
  count(C.ICMP_IN_FRAG_NEEDED);
  const t = inner + <usize>ihl; // the quoted TCP header's first 8 bytes: ports and sequence number
  if (!tcpFragNeeded(ipDst(inner), get16(t), get16(t + 2), get32(t + 4), icmpNextHopMtu(p), ipTotalLen(inner))) {
    count(C.ICMP_DROP_UNVERIFIED);
  }
}

/** UDP (RFC 768): the DHCP client, then the sockets (net/udpsock.ts); the rest is counted. */
function udpArrives(p: usize, len: i32): void {
  const why = udpCheck(ip.src, ip.dst, p, len);
  if (why >= 0) { count(<C>why); return; }
  count(C.UDP_IN);
  const dport = udpDstPort(p);
  if (dport == DHCP_CLIENT_PORT) dhcpInput(p + UDP_HEADER_LEN, udpPayloadLen(p));
  else if (ip.dst != ourIp() && !joinedGroup(ip.dst)) count(C.UDP_DROP_NO_PORT);
  else if (!udpDeliver(ip.src, udpSrcPort(p), dport, p + UDP_HEADER_LEN, udpPayloadLen(p))) {
    count(C.UDP_DROP_NO_PORT);
    if (ip.dst != ourIp()) return; // no ICMP errors about multicast (RFC 1122 §3.2.2)
    icmpUnreachable(ip, ICMP_PORT_UNREACHABLE); // RFC 1122 §4.1.3.1
  }
}
