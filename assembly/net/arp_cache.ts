// The ARP cache (RFC 826) with expiry, and the frames held while their next hop resolves.
import { ARP_CACHE_SIZE, ARP_TTL_MS, ARP_HOLD_SLOTS, ARP_RETRY_MS, ARP_MAX_TRIES, FRAME_MAX } from "../config";
import { reserve } from "../util/bytes";
import { now, reached, until } from "../util/clock";
import { C, count } from "../util/counters";

const FREE: u8 = 0;
const RESOLVED: u8 = 1;
const PENDING: u8 = 2;

class Entry {
  state: u8 = FREE;
  ip: u32 = 0;
  mac: usize = reserve(6);
  /** RESOLVED: when it expires. PENDING: when to ask again. */
  deadline: u32 = 0;
  tries: i32 = 0;
  /** Hold slot with the frame waiting for this address, or -1. */
  hold: i32 = -1;
}

const entries = new StaticArray<Entry>(ARP_CACHE_SIZE);
/**
 * arpTick's last answer: no entry is due before tickDue (none at all while tickNone). Every
 * deadline set elsewhere marks it stale (tickStale), so a poll between deadlines costs a compare.
 */
let tickDue: u32 = 0;
let tickNone = true;
let tickStale = true;
for (let i = 0; i < ARP_CACHE_SIZE; i++) entries[i] = new Entry();
const holdBuf = memory.data(ARP_HOLD_SLOTS * FRAME_MAX, 4);
const holdLen = new StaticArray<i32>(ARP_HOLD_SLOTS); // 0 = slot free
/**
 * Next hops whose lookup ran out of tries since the transport last looked (arpUnanswered), so
 * it can fail what waits for them (EHOSTUNREACH); more than fit at once are counted only.
 */
const UNANSWERED_MAX: i32 = 4;
const unanswered = memory.data(UNANSWERED_MAX * 4, 4);
let unansweredCount = 0;

function find(ip: u32): Entry | null {
  for (let i = 0; i < ARP_CACHE_SIZE; i++) {
    const e = unchecked(entries[i]);
    if (e.state != FREE && e.ip == ip) return e;
  }
  return null;
}

/**
 * A slot for a new entry: a free one, else one of `kind` that is due first. Learned addresses
 * replace resolved entries; lookups in progress only replace each other, so a flood of packets
 * to unknown addresses cannot push out the neighbours we are talking to.
 */
function victim(kind: u8): Entry | null {
  let best: Entry | null = null;
  for (let i = 0; i < ARP_CACHE_SIZE; i++) {
    const e = unchecked(entries[i]);
    if (e.state == FREE) return e;
    if (e.state == kind && (best == null || <i32>(e.deadline - best.deadline) < 0)) best = e;
  }
  if (best != null) dropHold(best);
  return best;
}

function dropHold(e: Entry): void {
  if (e.hold >= 0) { unchecked(holdLen[e.hold] = 0); e.hold = -1; }
}

/** MAC for ip (pointer to 6 bytes), or 0 when unknown or expired. */
export function arpLookup(ip: u32): usize {
  const e = find(ip);
  return e != null && e.state == RESOLVED ? e.mac : 0;
}

/**
 * Learn ip -> mac. RFC 826: an existing entry is always refreshed; a new one is created only
 * when the packet was meant for us (create). Returns the held frame's slot to send now, or -1.
 */
export function arpLearn(ip: u32, mac: usize, create: bool): i32 {
  let e = find(ip);
  if (e == null) {
    if (!create) return -1;
    e = victim(RESOLVED);
    if (e == null) return -1;
    e.ip = ip;
    e.hold = -1;
  }
  memory.copy(e.mac, mac, 6);
  e.state = RESOLVED;
  e.deadline = now + ARP_TTL_MS;
  tickStale = true;
  e.tries = 0;
  const slot = e.hold;
  e.hold = -1;
  return slot;
}

/** Held frame storage for the interface to finish and send. */
@inline export function holdFrame(slot: i32): usize { return holdBuf + <usize>(slot * FRAME_MAX); }
@inline export function holdLength(slot: i32): i32 { return unchecked(holdLen[slot]); }
export function releaseHold(slot: i32): void { unchecked(holdLen[slot] = 0); }

/**
 * No MAC for ip: keep the frame (the newest one per address) and report whether an ARP request
 * should go out now (true for a new pending entry).
 */
export function arpHold(ip: u32, frame: usize, len: i32): bool {
  let e = find(ip);
  let fresh = false;
  if (e == null || e.state != PENDING) {
    if (e == null) e = victim(PENDING);
    if (e == null) { count(C.ARP_DROP_UNRESOLVED); return false; }
    e.state = PENDING;
    e.ip = ip;
    e.tries = 1;
    e.deadline = now + ARP_RETRY_MS;
    tickStale = true;
    e.hold = -1;
    fresh = true;
  }
  if (e.hold < 0) {
    for (let i = 0; i < ARP_HOLD_SLOTS; i++) if (unchecked(holdLen[i]) == 0) { e.hold = i; break; }
  } else count(C.ARP_DROP_UNRESOLVED); // the older held frame gives way to this one
  if (e.hold >= 0) {
    memory.copy(holdFrame(e.hold), frame, <usize>len);
    unchecked(holdLen[e.hold] = len);
  } else count(C.ARP_DROP_UNRESOLVED);
  return fresh;
}

/**
 * Expire entries and retry pending ones. Calls ask(ip) for each address to request again.
 * Returns ms until the next deadline (u32.MAX_VALUE if none).
 */
export function arpTick(ask: (ip: u32) => void): u32 {
  if (!tickStale) {
    if (tickNone) return u32.MAX_VALUE;
    if (!reached(tickDue, now)) return until(tickDue, now);
  }
  let next = u32.MAX_VALUE;
  for (let i = 0; i < ARP_CACHE_SIZE; i++) {
    const e = unchecked(entries[i]);
    if (e.state == FREE) continue;
    if (reached(e.deadline, now)) {
      if (e.state == RESOLVED) { e.state = FREE; continue; }
      if (e.tries >= ARP_MAX_TRIES) { gaveUp(e); continue; }
      e.tries++;
      e.deadline = now + ARP_RETRY_MS;
      ask(e.ip);
    }
    next = min(next, until(e.deadline, now));
  }
  tickStale = false;
  tickNone = next == u32.MAX_VALUE;
  tickDue = now + next;
  return next;
}

/** No answer after ARP_MAX_TRIES requests: drop the held frame and remember the address. */
function gaveUp(e: Entry): void {
  count(C.ARP_DROP_UNRESOLVED);
  count(C.ARP_UNANSWERED);
  dropHold(e);
  e.state = FREE;
  if (unansweredCount == UNANSWERED_MAX) return;
  store<u32>(unanswered + (<usize>unansweredCount << 2), e.ip);
  unansweredCount++;
}

/**
 * Whether ARP gave up on ip since the last arpUnansweredTaken(); arpUnansweredAny() first is a
 * compare when nothing failed.
 */
@inline export function arpUnansweredAny(): bool { return unansweredCount != 0; }
export function arpUnanswered(ip: u32): bool {
  for (let i = 0; i < unansweredCount; i++) if (load<u32>(unanswered + (<usize>i << 2)) == ip) return true;
  return false;
}
export function arpUnansweredTaken(): void { unansweredCount = 0; }

/** Forget everything (tests). */
export function arpClear(): void {
  for (let i = 0; i < ARP_CACHE_SIZE; i++) { const e = unchecked(entries[i]); dropHold(e); e.state = FREE; }
  tickStale = true;
  unansweredCount = 0;
}
