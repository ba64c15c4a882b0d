// The mDNS responder (RFC 6762): the board answers A queries for its name, `synack.local` by
// default (mdns_set_name). On start and whenever the address changes (a new DHCP lease) it probes
// three times, 250 ms apart, then announces twice, 1 s apart (§8). A conflicting answer for the
// name while probing or after picks the next name, `synack-2.local`, and probes again (§9).
// Queries from port 5353 are answered on the multicast group (or unicast when they ask, QU);
// from any other port they are "legacy unicast" (§6.7): answered to the sender, ID and question echoed.
import { random_u32 } from "../env";
import { now, reached, until } from "../util/clock";
import { get16, get32, reserve } from "../util/bytes";
import { ascii } from "../util/text";
import { scratch } from "../util/scratch";
import { RESERVE_OVERHEAD } from "../layout";
import { logText, emit } from "../util/log";
import { ourIp, ifaceJoin } from "../net/iface";
import { HOST_MAX, hostName, hostNameLen, setHostName } from "../net/hostname";
import { udpBind, udpRecvFrom, udpSendTo, udpFromIp, udpFromPort, udpPending } from "../net/udpsock";
import {
  DNS_HEADER_LEN, TYPE_A, TYPE_ANY, CLASS_IN, CLASS_TOP, FLAG_RESPONSE, FLAG_AUTHORITATIVE,
  dnsId, dnsFlags, dnsQuestions, dnsAnswers, dnsAuthorities, skipName, match, writeLocalName, writeHeader, writeA, writeQuestion,
} from "../wire/dns";
import { registerPoller } from "./registry";

export const MDNS_GROUP: u32 = 0xe00000fb; // 224.0.0.251
const PORT: u32 = 5353;
const TTL: u32 = 120;
const LEGACY_TTL: u32 = 10;
const QUEUE: i32 = 1024; // queries are small; more than this waiting is dropped and counted
const IN_MAX: i32 = 1472; // a query read from the queue, at most one datagram
const OUT_MAX: i32 = 512;
const OUT_AT: i32 = 2048; // in the scratch, after the largest query (IN_MAX); SCRATCH_MIN holds both

const enum M { IDLE, PROBING, ANNOUNCING, READY }
let state = M.IDLE;
let step = 0;
let nextAt: u32 = 0;
let lastIp: u32 = 0;
let sock = -1;
let suffix: u32 = 1;

// The name in use (the host label, net/hostname.ts, + "-N" after conflicts) in wire form.
let name: usize = 0;
let nameLen = 0;
// Queries are read into the module's scratch and answers built further on in it: nothing here
// outlives one poll, so the responder keeps no buffers of its own but its name.
@inline function inBuf(): usize { return scratch; }
@inline function outBuf(): usize { return scratch + <usize>OUT_AT; }

/** A new host label (net/hostname.ts rules); a running responder probes for it. False if not a label. */
export function mdnsSetName(p: usize, len: i32): bool {
  if (!setHostName(p, len)) return false;
  suffix = 1;
  if (sock >= 0) { makeName(); if (ourIp() != 0) startProbe(); }
  return true;
}

function makeName(): void {
  const host = outBuf(); // build "label[-N]" there, then the wire name
  memory.copy(host, hostName, <usize>hostNameLen);
  let n = hostNameLen;
  if (suffix > 1) {
    store<u8>(host + <usize>n, 45);
    n++;
    let digits = 1;
    for (let v = suffix; v >= 10; v /= 10) digits++;
    for (let i = digits - 1, v = suffix; i >= 0; i--, v /= 10) store<u8>(host + <usize>(n + i), <u8>(48 + v % 10));
    n += digits;
  }
  nameLen = writeLocalName(name, host, min(n, HOST_MAX));
}

/** Not running, or the name probed and announced for the address we have now. */
export function mdnsSettled(): bool { return sock < 0 || (state == M.READY && lastIp == ourIp()); }

/** What mdnsSetup reserves: the name in wire form (its UDP queue is counted with the sockets). */
export function mdnsBytes(): u32 { return <u32>(HOST_MAX + 8) + RESERVE_OVERHEAD; }

export function mdnsSetup(): void {
  if (sock >= 0) return;
  sock = udpBind(PORT, QUEUE);
  if (sock < 0) return;
  name = reserve(HOST_MAX + 8);
  makeName();
  ifaceJoin(MDNS_GROUP);
  registerPoller(mdnsPoll);
}

/** Whether the wire-form name at p is the one we answer for (the resolver answers it itself). */
export function mdnsIsOurName(p: usize, len: i32): bool {
  if (sock < 0 || state < M.ANNOUNCING) return false;
  const end = skipName(p, len, 0, name);
  return end == len && match;
}

function say(what: usize): void {
  const t = logText().str("mdns ").z(what).ch(32);
  for (let i = 1; i < nameLen - 1; i++) { const c = load<u8>(name + <usize>i); t.ch(c < 32 ? 46 : c); }
  t.ch(32).ip(ourIp());
  emit();
}

function startProbe(): void {
  state = M.PROBING;
  step = 0;
  nextAt = now + random_u32() % 250; // §8.1: a random delay first
}

function send(dst: u32, port: u32, len: i32): void { udpSendTo(sock, dst, port, outBuf(), len); }

function probe(): void {
  writeHeader(outBuf(), 0, 0, 1, 0, 1);
  let o = DNS_HEADER_LEN;
  o += writeQuestion(outBuf() + <usize>o, name, nameLen, TYPE_ANY, CLASS_IN | CLASS_TOP); // QU: answers may come unicast
  o += writeA(outBuf() + <usize>o, name, nameLen, CLASS_IN, TTL, ourIp()); // what we propose (§8.2)
  send(MDNS_GROUP, PORT, o);
}

function announce(): void {
  writeHeader(outBuf(), 0, FLAG_RESPONSE | FLAG_AUTHORITATIVE, 0, 1, 0);
  const o = DNS_HEADER_LEN + writeA(outBuf() + <usize>DNS_HEADER_LEN, name, nameLen, CLASS_IN | CLASS_TOP, TTL, ourIp());
  send(MDNS_GROUP, PORT, o);
}

/** A response for id to dst:port; legacy unicast repeats the question and caps the TTL. */
function answer(id: u32, dst: u32, port: u32, legacy: bool): void {
  writeHeader(outBuf(), legacy ? id : 0, FLAG_RESPONSE | FLAG_AUTHORITATIVE, legacy ? 1 : 0, 1, 0);
  let o = DNS_HEADER_LEN;
  if (legacy) o += writeQuestion(outBuf() + <usize>o, name, nameLen, TYPE_A, CLASS_IN);
  o += writeA(outBuf() + <usize>o, name, nameLen, legacy ? CLASS_IN : CLASS_IN | CLASS_TOP, legacy ? LEGACY_TTL : TTL, ourIp());
  send(dst, port, o);
}

/** Someone else answers for our name with another address: take the next name, probe again. */
function conflict(): void {
  say(ascii("conflict for"));
  suffix++;
  makeName();
  startProbe();
}

function handle(p: usize, len: i32, src: u32, sport: u32): void {
  if (len < DNS_HEADER_LEN || src == ourIp()) return;
  const flags = dnsFlags(p);
  let at = DNS_HEADER_LEN;
  const qd = <i32>dnsQuestions(p);
  let wanted = false, unicast = false;
  for (let i = 0; i < qd; i++) {
    at = skipName(p, len, at, name);
    if (at < 0 || at + 4 > len) return;
    const type = get16(p + <usize>at), cls = get16(p + <usize>(at + 2));
    if (match && (type == TYPE_A || type == TYPE_ANY) && (cls & 0x7fff) == CLASS_IN) { wanted = true; if (cls & CLASS_TOP) unicast = true; }
    at += 4;
  }
  // Answers (and a prober's authority records) claiming our name for another address.
  const records = <i32>(dnsAnswers(p) + dnsAuthorities(p));
  for (let i = 0; i < records; i++) {
    at = skipName(p, len, at, name);
    if (at < 0 || at + 10 > len) return;
    const same = match;
    const type = get16(p + <usize>at), rdlen = <i32>get16(p + <usize>(at + 8));
    if (at + 10 + rdlen > len) return;
    if (same && type == TYPE_A && rdlen == 4 && get32(p + <usize>(at + 10)) != ourIp() && state != M.IDLE) {
      // A response always conflicts; a probe (query) only if we are still probing and it wins
      // the tie (§8.2: the lexicographically later address; ours is compared as a number).
      if ((flags & FLAG_RESPONSE) != 0 || (state == M.PROBING && get32(p + <usize>(at + 10)) > ourIp())) { conflict(); return; }
    }
    at += 10 + rdlen;
  }
  if ((flags & FLAG_RESPONSE) != 0 || !wanted || state < M.ANNOUNCING) return;
  if (sport != PORT) answer(dnsId(p), src, sport, true);
  else if (unicast) answer(0, src, PORT, false);
  else answer(0, MDNS_GROUP, PORT, false);
}

function mdnsPoll(): u32 {
  if (sock < 0) return u32.MAX_VALUE;
  if (ourIp() != lastIp) { // start-up, or a new lease
    lastIp = ourIp();
    if (lastIp != 0) startProbe(); else state = M.IDLE;
  }
  while (udpPending(sock)) {
    const n = udpRecvFrom(sock, inBuf(), IN_MAX);
    if (n < 0) break;
    handle(inBuf(), n, udpFromIp(), udpFromPort());
  }
  if (state == M.PROBING && reached(nextAt, now)) {
    if (step < 3) { probe(); step++; nextAt = now + 250; }
    else { state = M.ANNOUNCING; step = 0; nextAt = now; }
  }
  if (state == M.ANNOUNCING && reached(nextAt, now)) {
    announce();
    step++;
    nextAt = now + 1000;
    if (step == 2) { state = M.READY; say(ascii("announced")); }
  }
  return state == M.PROBING || state == M.ANNOUNCING ? until(nextAt, now) : u32.MAX_VALUE;
}
