// TIME-WAIT as a compact record (as Linux's timewait sockets): a connection no user holds any
// more leaves its slot, rings and all, when it is in TIME-WAIT, and keeps only what the state
// needs for its 2 MSL: addresses, ports, sequence state, the window and timestamp to answer with,
// and the deadline: 36 bytes (layout.ts TW_BYTES). A segment for a record is handled by the one work TCB,
// filled from the record (twCheckOut) and written back after dispatch (twCheckIn), so TIME-WAIT
// answers by the same RFC 9293 §3.10.7 steps as every other state.
import { TW_BYTES } from "../layout";
import { now, reached, until } from "../util/clock";
import { C, count } from "../util/counters";
import { emit } from "../util/log";
import { Tcb, freeConn, logConnection } from "./tcb";
import { State, writeStateName } from "./state";

// One record's words.
const LOCAL_IP = 0, REMOTE_IP = 1, PORTS = 2, SND_NXT = 3, RCV_NXT = 4, TS_RECENT = 5, DEADLINE = 6, MAX_SND_WND = 7;
/** The advertised window (16 bits), our window shift, timestamps on, in use, the slot it had. */
const FLAGS = 8;
/** Words per record: the layout's TW_BYTES. */
const WORDS: i32 = <i32>TW_BYTES / 4;
const F_WSCALE = 16, F_TS: u32 = 1 << 20, F_IN_USE: u32 = 1 << 21, F_SLOT = 22;

/** Records: laid out once (twTableInit); twCount of them. */
let recs = new StaticArray<u32>(0);
export let twCount: i32 = 0;
/** The TCB a segment for a record is processed in, and that record's index (-1: none). */
const work = new Tcb(0, 0, 0); // rings never used: TIME-WAIT holds no data
let workRec: i32 = -1;

export function twTableInit(records: i32): void {
  twCount = records;
  recs = new StaticArray<u32>(records * WORDS);
}

@inline function word(i: i32, w: i32): u32 { return unchecked(recs[i * WORDS + w]); }
@inline function setWord(i: i32, w: i32, v: u32): void { unchecked(recs[i * WORDS + w] = v); }
@inline function inUse(i: i32): bool { return (word(i, FLAGS) & F_IN_USE) != 0; }

/** The record for this four-tuple, or -1. */
export function twFind(localPort: u32, remoteIp: u32, remotePort: u32): i32 {
  const ports = (localPort << 16) | remotePort;
  for (let i = 0; i < twCount; i++) {
    if (inUse(i) && word(i, PORTS) == ports && word(i, REMOTE_IP) == remoteIp) return i;
  }
  return -1;
}

/** A record holds this local port (an active open must not choose it). */
export function twPortInUse(port: u32): bool {
  for (let i = 0; i < twCount; i++) if (inUse(i) && word(i, PORTS) >> 16 == port) return true;
  return false;
}

/**
 * t is in TIME-WAIT and no user holds it: keep it as a record and free its slot. When every
 * record is taken, the one closest to its deadline ends early (counted).
 */
export function twPark(t: Tcb): void {
  let i = isWork(t) ? workRec : -1;
  if (i < 0) i = freeRecord();
  setWord(i, LOCAL_IP, t.localIp); setWord(i, REMOTE_IP, t.remoteIp);
  setWord(i, PORTS, (t.localPort << 16) | t.remotePort);
  setWord(i, SND_NXT, t.sndMax); setWord(i, RCV_NXT, t.rcvNxt);
  setWord(i, TS_RECENT, t.tsRecent); setWord(i, DEADLINE, t.closeAt); setWord(i, MAX_SND_WND, t.maxSndWnd);
  setWord(i, FLAGS, min(t.rcvWnd, 0xffff) | (t.rcvWscale << F_WSCALE) | (t.tsOn ? F_TS : 0) | F_IN_USE |
    (<u32>t.id << F_SLOT));
  freeConn(t);
}

function freeRecord(): i32 {
  let soonest = -1;
  for (let i = 0; i < twCount; i++) {
    if (!inUse(i)) return i;
    if (i != workRec && (soonest < 0 || <i32>(word(i, DEADLINE) - word(soonest, DEADLINE)) < 0)) soonest = i;
  }
  count(C.TCP_TIME_WAIT_EVICTED);
  closeRecord(soonest);
  return soonest;
}

/** The record's connection is CLOSED: logged as a slot's would be, and the record freed. */
function closeRecord(i: i32): void {
  fill(i);
  writeStateName(writeStateName(logConnection(work), State.TIME_WAIT).str(" -> "), State.CLOSED);
  emit();
  freeConn(work);
  setWord(i, FLAGS, 0);
}

/** Fill the work TCB from record i, as the slot looked in TIME-WAIT. */
function fill(i: i32): void {
  const t = work;
  t.reset();
  const f = word(i, FLAGS);
  t.id = <i32>(f >> F_SLOT);
  t.inUse = true; t.userClosed = true; t.accepted = true;
  t.state = State.TIME_WAIT;
  t.localIp = word(i, LOCAL_IP); t.remoteIp = word(i, REMOTE_IP);
  t.localPort = word(i, PORTS) >> 16; t.remotePort = word(i, PORTS) & 0xffff;
  const snd = word(i, SND_NXT);
  t.iss = snd - 2; // our SYN and our FIN lie behind: nothing is outstanding
  t.sndUna = snd; t.sndNxt = snd; t.sndMax = snd;
  t.finQueued = true; t.finSeqSet = true; t.finSeq = snd - 1;
  t.maxSndWnd = word(i, MAX_SND_WND); t.sndWnd = t.maxSndWnd;
  t.rcvNxt = word(i, RCV_NXT); t.irs = t.rcvNxt - 2; t.finReceived = true;
  t.rcvAdv = t.rcvNxt + (f & 0xffff);
  t.rcvWscale = (f >> F_WSCALE) & 15;
  t.tsOn = (f & F_TS) != 0; t.tsRecent = word(i, TS_RECENT); t.lastAckSent = t.rcvNxt;
  t.closeOn = true; t.closeAt = word(i, DEADLINE);
  t.lastHeard = now;
}

/** The work TCB filled from the record for this four-tuple, or null when there is none. */
export function twCheckOut(localPort: u32, remoteIp: u32, remotePort: u32): Tcb | null {
  const i = twFind(localPort, remoteIp, remotePort);
  if (i < 0) return null;
  fill(i);
  workRec = i;
  return work;
}

/** The TCB is the work one (its state goes back to a record, not to a slot). */
@inline export function isWork(t: Tcb): bool { return changetype<usize>(t) == changetype<usize>(work); }

/** The work TCB, when a segment was just processed in it (dispatch then checks it in). */
export function twWork(): Tcb | null { return workRec >= 0 ? work : null; }

/** After the work TCB's segment and output: still TIME-WAIT, back to its record; else the record ends. */
export function twCheckIn(): void {
  if (workRec < 0) return;
  if (work.inUse && work.state == State.TIME_WAIT) twPark(work);
  else setWord(workRec, FLAGS, 0); // closed (RST) or reopened by a new SYN: logged as it happened
  freeConn(work);
  workRec = -1;
}

/** End the records whose 2 MSL are over; returns ms until the next deadline (u32.MAX_VALUE: none). */
export function twExpire(): u32 {
  let next = u32.MAX_VALUE;
  for (let i = 0; i < twCount; i++) {
    if (!inUse(i)) continue;
    const d = word(i, DEADLINE);
    if (reached(d, now)) closeRecord(i); else next = min(next, until(d, now));
  }
  return next;
}

/**
 * Fill out[] with record i's numbers as connInfo gives a slot's (state, endpoints, sequence
 * variables, windows; rto 0, listener -1). False when record i is free.
 */
export function twInfo(i: i32, out: StaticArray<u32>): bool {
  if (i < 0 || i >= twCount || !inUse(i) || out.length < 12) return false;
  const snd = word(i, SND_NXT);
  unchecked(out[0] = State.TIME_WAIT); unchecked(out[1] = word(i, LOCAL_IP)); unchecked(out[2] = word(i, PORTS) >> 16);
  unchecked(out[3] = word(i, REMOTE_IP)); unchecked(out[4] = word(i, PORTS) & 0xffff); unchecked(out[5] = snd);
  unchecked(out[6] = snd); unchecked(out[7] = word(i, RCV_NXT)); unchecked(out[8] = word(i, MAX_SND_WND));
  unchecked(out[9] = word(i, FLAGS) & 0xffff); unchecked(out[10] = 0); unchecked(out[11] = u32.MAX_VALUE);
  return true;
}
