// The DHCP client (RFC 2131 §4.4): SELECTING -> REQUESTING -> BOUND, renewing at T1 (unicast to
// the server), rebinding at T2 (broadcast), and starting over when the lease runs out or a NAK
// comes. Replies are asked to come back broadcast, so no address is needed before the lease.
import { random_u32 } from "../env";
import { now, reached, until } from "../util/clock";
import { C, count } from "../util/counters";
import { logText, emit } from "../util/log";
import { DhcpReply, parseDhcpReply, emitDhcpRequest, DHCP_DISCOVER, DHCP_REQUEST, DHCP_DECLINE, DHCP_OFFER, DHCP_ACK, DHCP_NAK } from "../wire/dhcp";
import { acdStart, acdTakeLost } from "./acd";
import { ourIp, ourMac, ifaceSetAddress, arpAnnounce } from "./iface";
import { hostName, hostNameLen } from "./hostname";
import { udpTxPayload, udpSend } from "./udp";

const enum S { OFF, SELECTING, REQUESTING, BOUND, RENEWING, REBINDING }
export const DHCP_CLIENT_PORT: u32 = 68;
const SERVER_PORT: u32 = 67;
const BROADCAST: u32 = 0xffffffff;
const MAX_LEASE_S: u32 = 24 * 86400; // keeps every deadline inside the u32 millisecond clock
const DECLINE_WAIT_MS: u32 = 10_000;

/** The client's state, one record in static memory (a wasm global each would cost the board 32 bytes). */
@unmanaged class Client {
  state: i32; // S, OFF (0) until dhcpStart
  xid: u32;
  tries: i32;
  started: u32;
  deadline: u32;
  offered: u32;
  server: u32;
  t1: u32;
  t2: u32;
  expiry: u32;
  dns1: u32; // the lease's name servers (option 6), for the resolver
  dns2: u32;
}
const c = changetype<Client>(memory.data(offsetof<Client>(), 4));
const reply = new DhcpReply();

export function dhcpActive(): bool { return c.state != S.OFF; }
/** The lease's name servers, k = 0 or 1 (0: none). */
export function dhcpNameServer(k: i32): u32 { return c.state >= S.BOUND ? (k == 0 ? c.dns1 : c.dns2) : 0; }
/** Off (a static address) or holding a lease. */
export function dhcpSettled(): bool { return c.state == S.OFF || c.state >= S.BOUND; }

export function dhcpStart(): void {
  c.state = S.SELECTING;
  c.xid = random_u32();
  c.tries = 0;
  c.started = now;
  discover();
}

function send(type: u32, dst: u32, ciaddr: u32, requested: u32, srv: u32): void {
  const len = emitDhcpRequest(udpTxPayload(), type, c.xid, ourMac(), ciaddr, requested, srv, (now - c.started) / 1000,
    hostName, hostNameLen);
  count(C.DHCP_OUT);
  udpSend(dst, DHCP_CLIENT_PORT, SERVER_PORT, len);
}

/** 4 s, 8 s, 16 s, 32 s, then every 64 s (RFC 2131 §4.1). */
function retryIn(): u32 { return <u32>4000 << <u32>min(c.tries, 4); }

function discover(): void {
  send(DHCP_DISCOVER, BROADCAST, 0, 0, 0);
  c.deadline = now + retryIn();
}

function request(): void {
  if (c.state == S.REQUESTING) send(DHCP_REQUEST, BROADCAST, 0, c.offered, c.server);
  else if (c.state == S.RENEWING) send(DHCP_REQUEST, c.server, ourIp(), 0, 0);
  else send(DHCP_REQUEST, BROADCAST, ourIp(), 0, 0);
  c.deadline = now + retryIn();
}

function prefixOf(mask: u32): u32 { return mask == 0 ? 24 : <u32>popcnt(mask); }

function bind(r: DhcpReply): void {
  const lease = <u32>min(r.leaseSecs == 0 ? 3600 : r.leaseSecs, MAX_LEASE_S);
  c.t1 = now + lease * 500;
  c.t2 = now + lease * 875;
  c.expiry = now + lease * 1000;
  if (c.state == S.REQUESTING || ourIp() != r.yiaddr) {
    ifaceSetAddress(r.yiaddr, prefixOf(r.mask), r.router);
    arpAnnounce();
    acdStart();
  }
  c.state = S.BOUND;
  c.deadline = c.t1;
  c.dns1 = r.dns1;
  c.dns2 = r.dns2;
  logText().str("dhcp bound ").ip(r.yiaddr).ch(47).u32(prefixOf(r.mask)).str(" router ").ip(r.router)
    .str(" lease ").u32(lease).str(" s from ").ip(c.server);
  emit();
}

/**
 * An address no server may hand out: unspecified, broadcast, loopback, multicast or reserved,
 * or the server's or the router's own (the fuzzer's find: we would then drop all our traffic as
 * a land attack).
 */
function unusable(r: DhcpReply): bool {
  const a = r.yiaddr;
  return a == 0 || a == BROADCAST || (a >>> 24) == 127 || (a >>> 28) >= 14 || a == r.serverId || a == r.router;
}

/** A datagram to port 68. */
export function dhcpInput(p: usize, len: i32): void {
  if (c.state == S.OFF || c.state == S.BOUND) return;
  if (!parseDhcpReply(p, len, ourMac(), reply) || reply.xid != c.xid) { count(C.DHCP_DROP_MALFORMED); return; }
  if (c.state == S.SELECTING) {
    if (reply.type != DHCP_OFFER || reply.serverId == 0) return;
    if (unusable(reply)) { count(C.DHCP_DROP_MALFORMED); return; }
    count(C.DHCP_OFFERS);
    c.offered = reply.yiaddr;
    c.server = reply.serverId;
    c.state = S.REQUESTING;
    c.tries = 0;
    request();
    return;
  }
  if (reply.type == DHCP_ACK) {
    if (unusable(reply)) { count(C.DHCP_DROP_MALFORMED); return; }
    count(C.DHCP_ACKS);
    bind(reply);
  }
  else if (reply.type == DHCP_NAK) { count(C.DHCP_NAKS); restart(); }
}

function restart(): void {
  if (ourIp() != 0) {
    logText().str("dhcp lost ").ip(ourIp());
    emit();
    ifaceSetAddress(0, 0, 0);
  }
  dhcpStart();
}

/**
 * Another host answers ARP for the leased address (net/acd.ts): tell the server (DHCPDECLINE),
 * give the address up and start over after ten seconds (RFC 2131 §3.1.5, RFC 5227 §2.1.1).
 */
function decline(): void {
  const addr = ourIp();
  ifaceSetAddress(0, 0, 0); // first: the DECLINE comes from 0.0.0.0, not from the address in dispute
  send(DHCP_DECLINE, BROADCAST, 0, addr, c.server);
  count(C.DHCP_DECLINES);
  logText().str("dhcp declined ").ip(addr);
  emit();
  c.state = S.SELECTING;
  c.xid = random_u32();
  c.tries = 0;
  c.started = now;
  c.deadline = now + DECLINE_WAIT_MS;
}

/** Timers; returns ms until the next one (u32.MAX_VALUE when DHCP is off). */
export function dhcpPoll(): u32 {
  if (c.state == S.OFF) return u32.MAX_VALUE;
  if (c.state >= S.BOUND && acdTakeLost()) decline();
  if (c.state >= S.BOUND && reached(c.expiry, now)) { restart(); return until(c.deadline, now); }
  if (!reached(c.deadline, now)) return until(c.deadline, now);
  c.tries++;
  if (c.state == S.SELECTING) discover();
  else if (c.state == S.REQUESTING) { if (c.tries >= 4) restart(); else request(); }
  else {
    if (c.state == S.BOUND) { c.state = S.RENEWING; c.tries = 0; c.xid = random_u32(); }
    if (c.state == S.RENEWING && reached(c.t2, now)) c.state = S.REBINDING;
    request();
    const limit = c.state == S.RENEWING ? c.t2 : c.expiry;
    if (<i32>(c.deadline - limit) > 0) c.deadline = limit;
  }
  return until(c.deadline, now);
}
