// The socket API inside the module: what apps/ and the host (through abi.ts) use.
// Ids 0..maxConns-1 are connections, maxConns.. are listeners. Calls never block and never send:
// they act and mark what the connection owes (Tcb.owed, oweOutput), and whoever called them
// (abi.ts after a host's call, servicesPoll after the services) runs dispatchOwed(), which sends.
import { MAX_LISTENERS, EPHEMERAL_LO, EPHEMERAL_HI, DEFAULT_BACKLOG } from "../config";
import { maxConns } from "../layout";
import { C, count } from "../util/counters";
import { ourIp } from "../net/iface";
import { now } from "../util/clock";
import { Tcb, Owe, conns, listeners, allocConn, freeConn, findListener, setState, oweOutput } from "./tcb";
import { Ring } from "./ring";
import { State, synchronized } from "./state";
import { windowUpdateDue } from "./window";
import { toClosed, initCwnd, orphanFinWait2 } from "./close";
import { isnFor } from "./isn";
import { ecnOfferActive } from "./ecn";
import { randomPort } from "../util/random";
import { twPark, twPortInUse } from "./timewait";
import { E_AGAIN, E_BADF, E_INVAL, E_NOBUFS, E_ADDRINUSE, E_PIPE } from "../util/errors";
export * from "../util/errors";

/** The connection behind id if the caller owns it, else null. */
function owned(id: i32): Tcb | null {
  if (id < 0 || id >= maxConns) return null;
  const t = unchecked(conns[id]);
  if (!t.inUse || t.userClosed || (t.listener >= 0 && !t.accepted)) return null;
  return t;
}

@inline function listenerIndex(id: i32): i32 {
  const i = id - maxConns;
  return i >= 0 && i < MAX_LISTENERS && unchecked(listeners[i]).inUse ? i : -1;
}

export function listen(port: u32, backlog: i32): i32 {
  if (port == 0 || port > 65535) return E_INVAL;
  if (findListener(port) >= 0) return E_ADDRINUSE;
  for (let i = 0; i < MAX_LISTENERS; i++) {
    const l = unchecked(listeners[i]);
    if (!l.inUse) {
      l.inUse = true;
      l.port = port;
      l.backlog = backlog > 0 ? min(backlog, maxConns) : DEFAULT_BACKLOG;
      l.priority = false;
      return maxConns + i;
    }
  }
  return E_NOBUFS;
}

/** Let a listener use the slots kept in reserve, so it stays reachable when the table is full. */
export function setPriority(id: i32): i32 {
  const lid = listenerIndex(id);
  if (lid < 0) return E_BADF;
  unchecked(listeners[lid]).priority = true;
  return 0;
}

/** The listener's oldest established connection not yet accepted, or E_AGAIN. */
export function accept(id: i32): i32 {
  const lid = listenerIndex(id);
  if (lid < 0) return E_BADF;
  let best: Tcb | null = null;
  for (let i = 0; i < maxConns; i++) {
    const t = unchecked(conns[i]);
    if (t.inUse && t.listener == lid && !t.accepted && synchronized(t.state) &&
        (best == null || <i32>(t.order - best.order) < 0)) best = t;
  }
  if (best == null) return E_AGAIN;
  best.accepted = true;
  return best.id;
}

function portInUse(port: u32): bool {
  if (findListener(port) >= 0) return true;
  for (let i = 0; i < maxConns; i++) {
    const t = unchecked(conns[i]);
    if (t.inUse && t.localPort == port) return true;
  }
  return twPortInUse(port);
}

/** Inlined into abi.ts's sock_connect, its one caller (no second function for wasm3 to keep a record of). */
@inline export function connect(ip: u32, port: u32): i32 {
  if (port == 0 || port > 65535 || ip == 0) return E_INVAL;
  const t = allocConn();
  if (t == null) return E_NOBUFS;
  let lport = randomPort(EPHEMERAL_LO, EPHEMERAL_HI);
  for (let tries = 0; portInUse(lport) && tries < 64; tries++) lport = randomPort(EPHEMERAL_LO, EPHEMERAL_HI);
  if (portInUse(lport)) { freeConn(t); return E_NOBUFS; }
  t.localIp = ourIp(); t.localPort = lport;
  t.remoteIp = ip; t.remotePort = port;
  t.iss = isnFor(t.localIp, lport, ip, port);
  t.sndUna = t.iss; t.sndNxt = t.iss; t.sndMax = t.iss;
  t.wsOffer = true; // our SYN offers window scaling and timestamps (RFC 7323), and SACK (RFC 2018)
  t.tsOffer = true;
  t.sackOffer = true;
  ecnOfferActive(t);
  initCwnd(t);
  setState(t, State.SYN_SENT);
  count(C.TCP_ACTIVE_OPENS);
  t.unackedSince = now; // the SYN's: R2 and a user timeout count from it
  oweOutput(t); // the SYN
  return t.id;
}

/** 0 when id may queue data now, else why not (E_BADF, its error, E_PIPE). */
function sendable(t: Tcb | null): i32 {
  if (t == null) return E_BADF;
  if (t.error != 0) return t.error;
  const s = t.state;
  if (t.finQueued || !(s == State.ESTABLISHED || s == State.CLOSE_WAIT || s == State.SYN_SENT || s == State.SYN_RECEIVED)) return E_PIPE;
  return 0;
}

export function send(id: i32, ptr: usize, len: i32): i32 {
  const t = owned(id);
  const why = sendable(t);
  if (why != 0) return why;
  const n = t!.tx.push(ptr, len);
  oweOutput(t!);
  return n;
}

/**
 * For a service that writes its data straight into the send ring (no copy through a buffer):
 * the ring, whose free space (Ring.prepare(), then ptrAt/runAt past its end) it fills before sendCommit;
 * null when id may not send now (send() says why).
 */
export function sendRing(id: i32): Ring | null {
  const t = owned(id);
  return sendable(t) == 0 ? t!.tx : null;
}

/** Queue the n bytes written past the send ring's end (sendRing) and send what may go now. */
export function sendCommit(id: i32, n: i32): i32 {
  const t = owned(id);
  const why = sendable(t);
  if (why != 0) return why;
  n = min(max(n, 0), t!.tx.free());
  t!.tx.commit(n);
  oweOutput(t!);
  return n;
}

export function recv(id: i32, ptr: usize, len: i32): i32 { return take(id, ptr, len); }

/** Like recv, but the bytes are dropped, not copied anywhere (the discard service). */
export function skip(id: i32, len: i32): i32 { return take(id, 0, len); }

/** recv into ptr, or skip when ptr is 0. */
function take(id: i32, ptr: usize, len: i32): i32 {
  const t = owned(id);
  if (t == null) return E_BADF;
  const n = ptr != 0 ? t.rx.pop(ptr, len) : t.rx.drop(len);
  if (n > 0) {
    if (windowUpdateDue(t)) { t.owed |= Owe.ACK; oweOutput(t); }
    return n;
  }
  if (t.finReceived) return 0;
  if (t.error != 0) return t.error;
  if (t.state == State.CLOSED) return 0;
  return E_AGAIN;
}

/** Inlined into its two callers (abi.ts, the HTTP server): one function record fewer on the board. */
@inline export function shutdown(id: i32): i32 {
  const t = owned(id);
  if (t == null) return E_BADF;
  shutdownTcb(t);
  return 0;
}

/** CLOSE's sending half (RFC 9293 §3.10.4): FIN after the queued data. */
function shutdownTcb(t: Tcb): void {
  if (t.finQueued) return;
  const s = t.state;
  if (s == State.SYN_SENT) { toClosed(t); return; }
  if (s == State.ESTABLISHED) setState(t, State.FIN_WAIT_1);
  else if (s == State.CLOSE_WAIT) setState(t, State.LAST_ACK);
  else if (s != State.SYN_RECEIVED) return; // already closing or closed
  t.finQueued = true; // in SYN-RECEIVED the FIN waits for ESTABLISHED
  oweOutput(t);
}

export function close(id: i32): i32 {
  const lid = listenerIndex(id);
  if (lid >= 0) { closeListener(lid); return 0; }
  const t = owned(id);
  if (t == null) return E_BADF;
  if (t.state == State.CLOSED) { freeConn(t); return 0; }
  if (t.rx.len > 0 && synchronized(t.state)) {
    // Unread data would be lost silently: reset instead, so the peer knows (RFC 2525 §2.17).
    oweReset(t);
    return 0;
  }
  shutdownTcb(t);
  t.userClosed = true;
  if (t.state == State.CLOSED) freeConn(t);
  else if (t.state == State.FIN_WAIT_2) orphanFinWait2(t);
  else if (t.state == State.TIME_WAIT) twPark(t); // its 2 MSL as a record, the slot free
  return 0;
}

function closeListener(lid: i32): void {
  for (let i = 0; i < maxConns; i++) {
    const t = unchecked(conns[i]);
    if (t.inUse && t.listener == lid && !t.accepted) {
      if (t.state == State.CLOSED) { freeConn(t); continue; }
      t.listener = -1; // no longer the listener's (its slot may be listened on again before the RST)
      oweReset(t);
    }
  }
  unchecked(listeners[lid]).inUse = false;
}

export function abort(id: i32): i32 {
  const t = owned(id);
  if (t == null) return E_BADF;
  if (t.state >= State.SYN_RECEIVED) { oweReset(t); return 0; }
  t.userClosed = true;
  toClosed(t);
  return 0;
}

/**
 * ABORT (RFC 9293 §3.10.5) on the user's behalf: the user lets go now; the connection owes a RST,
 * and nothing else it owed (dispatch sends the RST, then closes it and frees the slot).
 */
function oweReset(t: Tcb): void {
  t.userClosed = true;
  t.owed = Owe.RESET;
  oweOutput(t);
}

export function state(id: i32): i32 {
  if (listenerIndex(id) >= 0) return State.LISTEN;
  if (id < 0 || id >= maxConns) return State.CLOSED;
  const t = unchecked(conns[id]);
  return t.inUse ? t.state : State.CLOSED;
}

/** Keep-alive (RFC 1122 §4.2.3.6): probe after idleMs of silence, every intervalMs, give up after
 *  count (1..255; Linux allows 127) unanswered probes. idleMs 0 turns it off (the default). */
export function keepAlive(id: i32, idleMs: u32, intervalMs: u32, count: i32): i32 {
  const t = owned(id);
  if (t == null) return E_BADF;
  if (idleMs != 0 && (intervalMs == 0 || count <= 0 || count > 255)) return E_INVAL;
  t.keepIdle = idleMs; t.keepInterval = intervalMs; t.keepCount = count; t.keepProbes = 0;
  if (t.lastHeard == 0) t.lastHeard = now;
  return 0;
}

/**
 * User timeout (RFC 9293 §3.8.3): abort when sent data, or the SYN, stays unacknowledged for ms;
 * while set it is R2 (MUST-21), longer or shorter than the default retries; 0 = off.
 */
export function userTimeout(id: i32, ms: u32): i32 {
  const t = owned(id);
  if (t == null) return E_BADF;
  t.userTimeout = ms;
  return 0;
}

/**
 * Shutting down (the host is about to exit): close every listener, then every connection,
 * whoever owns it. abort = false: gracefully (FIN after queued data; RST where data would be
 * lost); abort = true: RST. Returns the connections not yet in TIME-WAIT or CLOSED.
 */
export function closeAll(abort: bool): i32 {
  for (let i = 0; i < MAX_LISTENERS; i++) if (unchecked(listeners[i]).inUse) closeListener(i);
  let open = 0;
  for (let i = 0; i < maxConns; i++) {
    const t = unchecked(conns[i]);
    if (!t.inUse) continue;
    const s = t.state;
    if (abort) {
      if (s >= State.SYN_RECEIVED && s != State.TIME_WAIT) { oweReset(t); continue; }
      t.userClosed = true;
      toClosed(t);
      continue;
    }
    if (!t.userClosed) {
      t.accepted = true; // the stack owns it now, whoever held it
      if (t.state == State.CLOSED) { freeConn(t); continue; }
      if (t.rx.len > 0 && synchronized(t.state)) { oweReset(t); continue; }
      shutdownTcb(t);
      t.userClosed = true;
      if (t.state == State.CLOSED) { freeConn(t); continue; }
      if (t.state == State.FIN_WAIT_2) orphanFinWait2(t);
    }
    // FIN-WAIT-2 still counts: the peer gets the grace to send its FIN, which we acknowledge.
    const st = t.state;
    if (st != State.TIME_WAIT && st != State.CLOSED) open++;
  }
  return open;
}

/** TCP_NODELAY: send small segments at once instead of waiting for the ACK (Nagle, RFC 896). */
export function noDelay(id: i32, on: bool): i32 {
  const t = owned(id);
  if (t == null) return E_BADF;
  t.noDelay = on;
  if (on) oweOutput(t);
  return 0;
}

/** Bytes that send() would take now. */
export function sendSpace(id: i32): i32 {
  const t = owned(id);
  return t == null ? 0 : t.tx.free();
}

/** Bytes sent and not yet acknowledged, or not yet sent. */
export function sendQueued(id: i32): i32 {
  const t = owned(id);
  return t == null ? 0 : t.tx.len;
}

/** Bytes recv() would return now. */
export function recvAvail(id: i32): i32 {
  const t = owned(id);
  return t == null ? 0 : t.rx.len;
}

/** The connection's endpoints (0 for a free or foreign id): what getpeername/getsockname give. */
export function remoteIp(id: i32): u32 { const t = owned(id); return t == null ? 0 : t.remoteIp; }
export function remotePort(id: i32): u32 { const t = owned(id); return t == null ? 0 : t.remotePort; }
export function localPort(id: i32): u32 {
  const lid = listenerIndex(id);
  if (lid >= 0) return unchecked(listeners[lid]).port;
  const t = owned(id);
  return t == null ? 0 : t.localPort;
}

/** The connection's initial sequence numbers, ours (ISS) and the peer's (IRS): for ladders. */
export function iss(id: i32): u32 { const t = owned(id); return t == null ? 0 : t.iss; }
export function irs(id: i32): u32 { const t = owned(id); return t == null ? 0 : t.irs; }
