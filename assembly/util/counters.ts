// Every counter synack keeps, in one table: the console's `stats` prints them in this order.
// Names follow the TCP-MIB / IP-MIB (RFC 4022, RFC 4293) where one exists; drops name their reason.

import { Text, Names, ascii } from "./text";

export const enum C {
  // Link and ARP
  ETH_IN_FRAMES, ETH_OUT_FRAMES, ETH_DROP_SHORT, ETH_DROP_TOO_LONG, ETH_DROP_NOT_FOR_US, ETH_DROP_ETHERTYPE,
  ARP_IN, ARP_OUT_REQUESTS, ARP_OUT_REPLIES, ARP_DROP_MALFORMED, ARP_DROP_UNRESOLVED, ARP_UNANSWERED, ARP_CONFLICTS,
  // IPv4
  IP_IN_RECEIVES, IP_IN_DELIVERS, IP_OUT_REQUESTS,
  IP_DROP_SHORT, IP_DROP_VERSION, IP_DROP_IHL, IP_DROP_TOTAL_LEN, IP_DROP_CHECKSUM,
  IP_DROP_FRAGMENT, IP_REASM_REQDS, IP_REASM_OKS, IP_REASM_FAILS, IP_DROP_FRAG_OVERLAP, IP_DROP_FRAG_TOO_LARGE,
  IP_DROP_FRAG_TOO_MANY, IP_DROP_FRAG_MALFORMED, IP_DROP_FRAG_TIMEOUT, IP_DROP_FRAG_EVICTED, IP_DROP_NOT_FOR_US, IP_DROP_BAD_SOURCE, IP_DROP_PROTOCOL, IP_DROP_NO_ROUTE,
  // ICMP
  ICMP_IN_ECHOS, ICMP_OUT_ECHO_REPS, ICMP_DROP_CHECKSUM, ICMP_DROP_OTHER,
  ICMP_OUT_DEST_UNREACHS, ICMP_OUT_RATE_LIMITED, ICMP_IN_DEST_UNREACHS, ICMP_IN_FRAG_NEEDED, ICMP_DROP_UNVERIFIED,
  // UDP and DHCP
  UDP_IN, UDP_DROP_SHORT, UDP_DROP_CHECKSUM, UDP_DROP_NO_PORT, UDP_DROP_QUEUE_FULL, DHCP_OUT, DHCP_OFFERS, DHCP_ACKS, DHCP_NAKS, DHCP_DECLINES, DHCP_DROP_MALFORMED,
  // TCP (TCP-MIB names first)
  TCP_ACTIVE_OPENS, TCP_PASSIVE_OPENS, TCP_ATTEMPT_FAILS, TCP_ESTAB_RESETS,
  TCP_IN_SEGS, TCP_OUT_SEGS, TCP_RETRANS_SEGS, TCP_FAST_RETRANSMITS, TCP_IN_ERRS, TCP_OUT_RSTS,
  TCP_DROP_SHORT, TCP_DROP_CHECKSUM, TCP_DROP_DATA_OFFSET, TCP_DROP_OPTIONS, TCP_DROP_PORT_ZERO, TCP_DROP_FLAGS,
  TCP_DROP_NO_LISTENER, TCP_DROP_BACKLOG, TCP_DROP_NO_SLOT, TCP_DROP_OUT_OF_WINDOW, TCP_DROP_BAD_ACK,
  TCP_DROP_OOO_FULL, TCP_DROP_PAWS, TCP_RST_IGNORED, TCP_CHALLENGE_ACKS, TCP_TIMEOUTS, TCP_ZERO_WINDOW_PROBES,
  TCP_OOO_SEGS, TCP_TIME_WAIT_REUSED, TCP_CHALLENGE_ACKS_LIMITED,
  TCP_SYN_COOKIES_SENT, TCP_SYN_COOKIES_OK, TCP_SYN_COOKIES_BAD, TCP_COOKIE_NO_SLOT_RSTS,
  TCP_SACK_RECOVERIES, TCP_SACK_LOST_RETRANSMITS, TCP_SACK_IGNORED,
  TCP_ECN_NEGOTIATED, TCP_ECN_CE_RECEIVED, TCP_ECN_REDUCTIONS, TCP_TIME_WAIT_EVICTED,
  COUNT
}

// The names, in the table's order (one list of ASCII bytes: util/text.ts Names).
const NAMES = new Names(ascii(
  "ethInFrames ethOutFrames ethDropShort ethDropTooLong ethDropNotForUs ethDropEthertype arpIn \
arpOutRequests arpOutReplies arpDropMalformed arpDropUnresolved arpUnanswered arpConflicts ipInReceives ipInDelivers \
ipOutRequests ipDropShort ipDropVersion ipDropIhl ipDropTotalLength ipDropChecksum \
ipDropFragment ipReasmReqds ipReasmOks ipReasmFails ipDropFragOverlap ipDropFragTooLarge \
ipDropFragTooMany ipDropFragMalformed ipDropFragTimeout ipDropFragEvicted ipDropNotForUs \
ipDropBadSource ipDropProtocol ipDropNoRoute icmpInEchos icmpOutEchoReps icmpDropChecksum \
icmpDropOther icmpOutDestUnreachs icmpOutRateLimited icmpInDestUnreachs icmpInFragNeeded \
icmpDropUnverified udpIn udpDropShort udpDropChecksum udpDropNoPort udpDropQueueFull dhcpOut \
dhcpOffers dhcpAcks dhcpNaks dhcpDeclines dhcpDropMalformed tcpActiveOpens tcpPassiveOpens tcpAttemptFails \
tcpEstabResets tcpInSegs tcpOutSegs tcpRetransSegs tcpFastRetransmits tcpInErrs tcpOutRsts \
tcpDropShort tcpDropChecksum tcpDropDataOffset tcpDropOptions tcpDropPortZero tcpDropFlags \
tcpDropNoListener tcpDropBacklog tcpDropNoSlot tcpDropOutOfWindow tcpDropBadAck tcpDropOooFull \
tcpDropPaws tcpRstIgnored tcpChallengeAcks tcpTimeouts tcpZeroWindowProbes tcpOooSegs \
tcpTimeWaitReused tcpChallengeAcksLimited tcpSynCookiesSent tcpSynCookiesOk tcpSynCookiesBad \
tcpCookieNoSlotRsts tcpSackRecoveries tcpSackLostRetransmits tcpSackIgnored \
tcpEcnNegotiated tcpEcnCeReceived tcpEcnReductions tcpTimeWaitEvicted "));

/** The values, at an address fixed when the module is built: each count() is then one load and
 * one store at a constant address (a call, or a pointer to look up, costs the board code and time). */
const values: usize = memory.data(C.COUNT * 4, 4);

@inline export function count(c: C): void {
  const p = values + (<usize>c << 2);
  store<u32>(p, load<u32>(p) + 1);
}
@inline export function counter(c: C): u32 { return load<u32>(values + (<usize>c << 2)); }
/** Write counter c's name into t, left-aligned in `width` columns (0: as long as it is). */
export function writeCounterName(t: Text, c: i32, width: i32 = 0): Text {
  return NAMES.write(t, c, width);
}
