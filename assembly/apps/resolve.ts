// Names to IPv4 addresses: a stub resolver (RFC 1035 §7, RFC 1123 §6.1.3) asking A queries over
// UDP of the servers DHCP handed out (option 6) or the host configured, `.local` names by mDNS
// one-shot queries (RFC 6762 §5.1: from an ephemeral port to 224.0.0.251, answered by legacy
// unicast), `localhost` (RFC 6761 §6.3) and our own mDNS name without asking, dotted quads as
// they are. Each lookup is a slot of a small table that is also the cache: an answer stays for
// its TTL (at most CACHE_MAX_S), a failure until the slot is wanted again (two slots). The UDP socket is bound
// while a query is out and closed after. A lookup returns a handle; resolveResult(handle) says
// E_AGAIN while it waits, then 0 (resolveAddress) or why not (E_NOTFOUND: no such name or no
// address for it; E_TIMEDOUT: no usable answer, none at all or the servers' failure codes).
import { random_u32 } from "../env";
import { now, reached, until } from "../util/clock";
import { get16, get32 } from "../util/bytes";
import { scratch } from "../util/scratch";
import { ascii } from "../util/text";
import { logText, emit } from "../util/log";
import { E_AGAIN, E_INVAL, E_NOBUFS, E_NOTFOUND, E_TIMEDOUT } from "../util/errors";
import { ourIp } from "../net/iface";
import { dhcpNameServer } from "../net/dhcp";
import { udpBind, udpClose, udpRecvFrom, udpSendTo, udpFromIp, udpFromPort, udpPending } from "../net/udpsock";
import {
  DNS_HEADER_LEN, NAME_MAX, TYPE_A, TYPE_CNAME, CLASS_IN, FLAG_RESPONSE, FLAG_RECURSION_DESIRED, RCODE_MASK,
  RCODE_NXDOMAIN, dnsId, dnsFlags, dnsQuestions, dnsAnswers, skipName, match, writeNameFromText, writeHeader, writeQuestion,
} from "../wire/dns";
import { mdnsIsOurName, MDNS_GROUP } from "./mdns";

const SLOTS: i32 = 2; // lookups at a time, and cached answers: 2 x 255 bytes of names on every board
const DNS_PORT: u32 = 53;
const MDNS_PORT: u32 = 5353;
const TRIES: i32 = 3;            // sends per lookup, rotating over the servers
const DNS_RETRY_MS: u32 = 2000;  // a unicast server's time to answer each try
const MDNS_RETRY_MS: u32 = 1000; // responders answer within 120 ms (RFC 6762 §6); a second is ample
const CACHE_MAX_S: u32 = 300;
const LOCALHOST: u32 = 0x7f000001;
const IN_MAX: i32 = 1472;        // an answer read from the socket, at most one datagram
const OUT_AT: i32 = 2048;        // the query is built there in the scratch, after the answer

const enum Q { FREE, ASKING, DONE, FAILED }

/** One lookup, and then its cached answer. */
@unmanaged class Lookup {
  state: i32;   // Q
  gen: u32;     // bumped when the slot takes another name: stale handles see E_INVAL
  ip: u32;      // DONE: the address
  error: i32;   // FAILED: why
  deadline: u32; // ASKING: the next try; DONE: expiry
  tries: i32;
  id: u32;      // the query's ID (RFC 1035 §4.1.1)
  mdns: bool;   // a .local name: asked by multicast
  nameLen: i32; // the name in wire form, at names + slot * NAME_MAX
}
const SIZE = offsetof<Lookup>();
const table = memory.data(SLOTS * <i32>SIZE, 4);
const names = memory.data(SLOTS * NAME_MAX);
const servers = memory.data(8, 4); // the host's two unicast servers; 0 = none: DHCP's are asked
let sock = -1;

@inline function slot(i: i32): Lookup { return changetype<Lookup>(table + <usize>i * SIZE); }
@inline function nameOf(i: i32): usize { return names + <usize>(i * NAME_MAX); }
@inline function handleOf(i: i32): i32 { return <i32>((slot(i).gen & 0xffffff) << 3) | i; }

/** The unicast servers the host chose (a, b; 0 = none); both 0: DHCP's (option 6) again. */
export function resolveServers(a: u32, b: u32): void {
  store<u32>(servers, a != 0 ? a : b);
  store<u32>(servers + 4, a != 0 ? b : 0);
}
/** Server k (0 or 1) asked now: the host's, else the lease's; 0 = none. */
export function resolveServer(k: i32): u32 {
  if (k != 0 && k != 1) return 0;
  return load<u32>(servers) != 0 ? load<u32>(servers + (<usize>k << 2)) : dhcpNameServer(k);
}
@inline function server(k: i32): u32 { return resolveServer(k); }

/** Whether the last label of the wire name at p (len bytes) is `label` (ASCII, lower case). */
@inline function lastLabelIs(p: usize, len: i32, label: usize, labelLen: i32): bool {
  let at = 0, last = 0;
  while (at < len && load<u8>(p + <usize>at) != 0) { last = at; at += 1 + <i32>load<u8>(p + <usize>at); }
  if (<i32>load<u8>(p + <usize>last) != labelLen) return false;
  for (let i = 0; i < labelLen; i++) {
    let c = <u32>load<u8>(p + <usize>(last + 1 + i));
    if (c >= 65 && c <= 90) c += 32;
    if (c != <u32>load<u8>(label + <usize>i)) return false;
  }
  return true;
}

/** A dotted quad, as text at t (len bytes), or 0. */
@inline function dottedQuad(t: usize, len: i32): u32 {
  let ip: u32 = 0, part: u32 = 0, digits = 0, dots = 0;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? <u32>load<u8>(t + <usize>i) : 46;
    if (c >= 48 && c <= 57 && digits < 3) { part = part * 10 + c - 48; digits++; continue; }
    if (c != 46 || digits == 0 || part > 255) return 0;
    ip = (ip << 8) | part;
    part = 0; digits = 0; dots++;
  }
  return dots == 4 ? ip : 0;
}

/** The slot holding the wire name at w, or -1. */
function find(w: usize, len: i32): i32 {
  for (let i = 0; i < SLOTS; i++) {
    const l = slot(i);
    if (l.state == Q.FREE || l.nameLen != len) continue;
    if (skipName(nameOf(i), len, 0, w) == len && match) return i;
  }
  return -1;
}

/** A slot for a new name: a free one, else the answer or failure due first; -1 while all ask. */
function victim(): i32 {
  let best = -1;
  for (let i = 0; i < SLOTS; i++) {
    const l = slot(i);
    if (l.state == Q.FREE) return i;
    if (l.state != Q.ASKING && (best < 0 || l.state == Q.FAILED || <i32>(l.deadline - slot(best).deadline) < 0)) best = i;
  }
  return best;
}

@inline function say(i: i32): void {
  const l = slot(i);
  const t = logText().str("resolve ");
  for (let k = 0, at = 0; k < l.nameLen - 1;) { // labels, dotted
    const c = load<u8>(nameOf(i) + <usize>k);
    if (k == at) { if (k > 0) t.ch(46); at += 1 + <i32>c; } else t.ch(c < 32 || c > 126 ? 63 : c);
    k++;
  }
  if (l.state == Q.DONE) t.str(" is ").ip(l.ip); else t.str(l.error == E_NOTFOUND ? " not found" : " no answer");
  emit();
}

/** Slot i has its answer (error 0: ip, kept ttl seconds) or its error; a query's end is logged. */
function finish(i: i32, ip: u32, error: i32, ttl: u32): void {
  const l = slot(i);
  const asked = l.state == Q.ASKING;
  l.ip = ip;
  l.error = error;
  l.state = error == 0 ? Q.DONE : Q.FAILED;
  l.deadline = now + min(ttl, CACHE_MAX_S) * 1000;
  if (asked) say(i);
}

/**
 * Start looking up the name at t (len bytes of text). Returns a handle for resolveResult (the
 * answer may already be there: a cached, literal or local name), or E_INVAL for a malformed name,
 * E_AGAIN before we have an address, E_NOBUFS while every slot is asking.
 */
export function resolveStart(t: usize, len: i32): i32 {
  const w = scratch + <usize>OUT_AT; // the name in wire form, until it has a slot
  const wlen = writeNameFromText(w, t, len);
  if (wlen < 0) return E_INVAL;
  let i = find(w, wlen);
  if (i >= 0) {
    const l = slot(i);
    if (l.state == Q.ASKING || (l.state == Q.DONE && !reached(l.deadline, now))) return handleOf(i);
  } else {
    i = victim();
    if (i < 0) return E_NOBUFS;
    memory.copy(nameOf(i), w, <usize>wlen);
  }
  const l = slot(i);
  l.gen++;
  l.nameLen = wlen;
  const literal = dottedQuad(t, len);
  if (literal != 0) { finish(i, literal, 0, CACHE_MAX_S); return handleOf(i); }
  if (lastLabelIs(w, wlen, ascii("localhost"), 9)) { finish(i, LOCALHOST, 0, CACHE_MAX_S); return handleOf(i); }
  if (ourIp() == 0) { l.state = Q.FREE; return E_AGAIN; }
  if (mdnsIsOurName(w, wlen)) { finish(i, ourIp(), 0, 0); return handleOf(i); }
  l.mdns = lastLabelIs(w, wlen, ascii("local"), 5);
  if (!l.mdns && server(0) == 0) { finish(i, 0, E_NOTFOUND, 0); return handleOf(i); }
  l.state = Q.ASKING;
  l.tries = 0;
  l.id = random_u32() & 0xffff;
  ask(i);
  return handleOf(i);
}

/** 0 once the handle's name resolved (resolveAddress), E_AGAIN while asking, else the error. */
export function resolveResult(handle: i32): i32 {
  if (handle < 0 || (handle & 7) >= SLOTS || handleOf(handle & 7) != handle) return E_INVAL;
  const l = slot(handle & 7);
  if (l.state == Q.FREE) return E_INVAL;
  return l.state == Q.ASKING ? E_AGAIN : l.state == Q.DONE ? 0 : l.error;
}
export function resolveAddress(handle: i32): u32 { return resolveResult(handle) == 0 ? slot(handle & 7).ip : 0; }

/** Send slot i's query (again): to the next server, or to the mDNS group. */
function ask(i: i32): void {
  const l = slot(i);
  const out = scratch + <usize>OUT_AT;
  if (sock < 0) sock = udpBind(0);
  if (sock < 0) { finish(i, 0, E_NOBUFS, 0); return; }
  writeHeader(out, l.id, l.mdns ? 0 : FLAG_RECURSION_DESIRED, 1, 0, 0);
  const n = DNS_HEADER_LEN + writeQuestion(out + <usize>DNS_HEADER_LEN, nameOf(i), l.nameLen, TYPE_A, CLASS_IN);
  const to = l.mdns ? MDNS_GROUP : server(server(1) != 0 ? l.tries & 1 : 0);
  udpSendTo(sock, to, l.mdns ? MDNS_PORT : DNS_PORT, out, n);
  l.tries++;
  l.deadline = now + (l.mdns ? MDNS_RETRY_MS : DNS_RETRY_MS);
}

/** An answer from src:sport, n bytes at p: the slot it answers takes its address or its error. */
function answer(p: usize, n: i32, src: u32, sport: u32): void {
  if (n < DNS_HEADER_LEN || (dnsFlags(p) & FLAG_RESPONSE) == 0 || dnsQuestions(p) != 1) return;
  let i = 0;
  for (; i < SLOTS; i++) if (slot(i).state == Q.ASKING && slot(i).id == dnsId(p)) break;
  if (i == SLOTS) return;
  const l = slot(i);
  // From whom we asked (any responder on the link for mDNS), about what we asked.
  if (l.mdns ? sport != MDNS_PORT : sport != DNS_PORT || (src != server(0) && src != server(1))) return;
  let at = skipName(p, n, DNS_HEADER_LEN, nameOf(i));
  if (at < 0 || !match || at + 4 > n || get16(p + <usize>at) != TYPE_A) return;
  at += 4;
  const rcode = dnsFlags(p) & RCODE_MASK;
  if (rcode == RCODE_NXDOMAIN) { finish(i, 0, E_NOTFOUND, 0); return; }
  if (rcode != 0) { // SERVFAIL, REFUSED...: the other server may do better; with none, give up now
    if (l.tries < TRIES && server(1) != 0) ask(i); else finish(i, 0, E_TIMEDOUT, 0);
    return;
  }
  // The A record for the name, or for the alias a CNAME in this answer gave it (a recursive
  // server puts the chain in order: RFC 1034 §3.6.2).
  let aliased = false;
  const records = <i32>dnsAnswers(p);
  for (let k = 0; k < records; k++) {
    at = skipName(p, n, at, nameOf(i));
    if (at < 0 || at + 10 > n) return;
    const ours = match || aliased;
    const type = get16(p + <usize>at), cls = get16(p + <usize>(at + 2)) & 0x7fff, rdlen = <i32>get16(p + <usize>(at + 8));
    if (at + 10 + rdlen > n) return;
    if (ours && cls == CLASS_IN && type == TYPE_CNAME) aliased = true;
    if (ours && cls == CLASS_IN && type == TYPE_A && rdlen == 4) {
      finish(i, get32(p + <usize>(at + 10)), 0, get32(p + <usize>(at + 4)));
      return;
    }
    at += 10 + rdlen;
  }
  finish(i, 0, E_NOTFOUND, 0); // the name exists, without an address
}

/** Whether a query is out (its socket bound): only then has resolvePoll anything to do. */
@inline export function resolveAsking(): bool { return sock >= 0; }

/** Read answers, resend or give up; ms until the next try (u32.MAX_VALUE when nothing asks). */
export function resolvePoll(): u32 {
  if (sock < 0) return u32.MAX_VALUE;
  while (udpPending(sock)) {
    const n = udpRecvFrom(sock, scratch, IN_MAX);
    if (n < 0) break;
    answer(scratch, n, udpFromIp(), udpFromPort());
  }
  let next = u32.MAX_VALUE;
  let asking = false;
  for (let i = 0; i < SLOTS; i++) {
    const l = slot(i);
    if (l.state != Q.ASKING) continue;
    if (reached(l.deadline, now)) {
      if (l.tries >= TRIES) { finish(i, 0, l.mdns ? E_NOTFOUND : E_TIMEDOUT, 0); continue; }
      ask(i);
    }
    asking = true;
    next = min(next, until(l.deadline, now));
  }
  if (!asking) { udpClose(sock); sock = -1; }
  return next;
}
