// Transmission control blocks (RFC 9293 §3.3.1) and the fixed table that holds them, plus the
// listener table. The slots and their rings are laid out once, at init (layout.ts).
import { MAX_LISTENERS, OOO_RANGES, SACK_BLOCKS, RTO_INITIAL_MS } from "../config";
import { maxConns, rxRingSize, txRingSize, poolBytes, poolShared, rcvBuffer, sendReserveFor } from "../layout";
import { Ring } from "./ring";
import { Pool, usePool, blocksFor } from "./pool";
import { TS_OPTION_LEN, DEFAULT_MSS } from "../wire/tcp";
import { State, writeStateName } from "./state";
import { logText, emit } from "../util/log";
import { Text } from "../util/text";

/** The bits of Tcb.owed. Dispatch sends them in this order, before any ordinary output. */
export const enum Owe {
  /** dispatch() has something to look at for this connection (after the frame, or the services). */
  OUTPUT = 1,
  /** An ACK must go out: on a segment of data or FIN if one leaves, else bare. */
  ACK = 2,
  /** Persist timer: one byte past the closed window (RFC 9293 §3.8.6.1). */
  PROBE = 4,
  /** Keep-alive timer: one old sequence number (RFC 1122 §4.2.3.6). */
  KEEPALIVE = 8,
  /** Resend the first unacknowledged segment (fast retransmit, NewReno's partial ACK: RFC 6582). */
  RETRANSMIT_FIRST = 16,
  /** RFC 6675 §5 (4.3): resend the first segment presumed lost, which starts SACK recovery. */
  SACK_RETRANSMIT = 32,
  /** A bare ACK before anything else: RFC 5961's challenge ACK. */
  CHALLENGE_ACK = 64,
  /** Send a RST and close (data after the user closed; the peer given up on; the user's ABORT). */
  RESET = 128,
}

/** takeMarked(): no connection was marked since the last call. */
export const MARKED_NONE: i32 = -1;
/** takeMarked(): more than one connection was. */
export const MARKED_SEVERAL: i32 = -2;
/**
 * Which records have Owe.OUTPUT set: only a summary of them, so that dispatchOwed() after a frame
 * goes straight to the one connection the frame marked (the usual case) and does nothing when
 * none was, instead of scanning the table each time (which cost the board about one lx106
 * instruction per payload byte).
 */
let marked: i32 = MARKED_NONE;
/** Connection t has something for dispatch() to look at once the frame (or the services) are done. */
@inline export function oweOutput(t: Tcb): void {
  t.owed |= Owe.OUTPUT;
  marked = marked == MARKED_NONE || marked == t.id ? t.id : MARKED_SEVERAL;
}
/** The connection marked by oweOutput since the last call (its id), MARKED_NONE or MARKED_SEVERAL. */
@inline export function takeMarked(): i32 { const m = marked; marked = MARKED_NONE; return m; }

/**
 * A connection record: no object header (@unmanaged: no reference in it for a collector; its rings
 * are unmanaged, its out-of-order and SACK rows are tables' by id), fields by width so none pads:
 * 228 bytes (layout.ts SLOT_BYTES). A narrow field is used through accessors of its values' type,
 * so no arithmetic wraps at its width; a store keeps the bits the value needs.
 */
@unmanaged export class Tcb {
  rx: Ring;
  tx: Ring;
  /** The slot (its index in conns; TIME-WAIT's work record borrows the slot's id). */
  private id16: u16 = 0;
  inUse: bool = false;
  private state8: u8 = <u8>State.CLOSED; // the first field reset() zeroes (CLOSED is 0)
  private sndWscale8: u8 = 0;
  private rcvWscale8: u8 = 0;
  private sbCount8: u8 = 0;
  private oooCount8: u8 = 0;
  private dupAcks8: u8 = 0;
  private listener8: i8 = -1;
  private error8: i8 = 0;
  private persistBackoff8: u8 = 0;
  private keepCount8: u8 = 0;
  private keepProbes8: u8 = 0;
  private owed8: u8 = 0;
  private retries8: u8 = 0;
  /**
   * RFC 7323 window scaling: our SYN offers it (wsOffer); once both SYNs carried the option the
   * peer's windows are shifted left by sndWscale, ours right by rcvWscale (else both stay 0).
   * Timestamps: tsOffer on our SYNs, tsOn once both SYNs carried them. RFC 2018 SACK: sackOffer
   * on our SYNs, sackOn once both SYNs carried SACK-permitted; then the scoreboard (tcp/sack.ts)
   * holds what the peer SACKed above SND.UNA: sbCount blocks, this slot's row of scoreboards.
   */
  wsOffer: bool = false;
  tsOffer: bool = false;
  tsOn: bool = false;
  sackOffer: bool = false;
  sackOn: bool = false;
  /** NewReno (RFC 6582): in fast recovery until SND.UNA reaches recover (SND.MAX when it began). */
  inRecovery: bool = false;
  // Closing: FIN queued by the user, its sequence number once sent (finSeqSet), FIN seen from the
  // peer; a FIN that came before bytes still missing, held at finHeldAt until RCV.NXT reaches it (SHLD-31).
  finQueued: bool = false;
  finSeqSet: bool = false;
  finReceived: bool = false;
  finHeld: bool = false;
  /**
   * ECN (RFC 3168, ecn.ts): ecnOffer on our SYN, ecnOn once both SYNs agreed; ecnEcho while a CE
   * mark waits for the peer's CWR; ecnCwr until our next new data says we reduced; no second
   * reduction before SND.UNA passes ecnRecover (once per window).
   */
  ecnOffer: bool = false;
  ecnOn: bool = false;
  ecnEcho: bool = false;
  ecnCwr: bool = false;
  ecnReduced: bool = false;
  // Ownership: a passive connection belongs to its listener until accepted; the user owns it
  // until close(); after close() the stack finishes the teardown and frees the slot itself.
  accepted: bool = false;
  userClosed: bool = false;
  // Timers: absolute deadlines (below) with an armed flag each (timers.ts).
  rtxOn: bool = false;
  persistOn: bool = false;
  ackOn: bool = false;
  closeOn: bool = false;
  swsOn: bool = false;
  // Sender SWS avoidance: a small segment held back is sent anyway when swsAt fires.
  swsForce: bool = false;
  /** Nagle's algorithm off (TCP_NODELAY). */
  noDelay: bool = false;
  /** The SYN or SYN-ACK was retransmitted (RFC 6298 §5.7 then sets the RTO to 3 s). */
  synRetransmitted: bool = false;
  rttTiming: bool = false;
  private localPort16: u16 = 0;
  private remotePort16: u16 = 0;
  private mss16: u16 = <u16>DEFAULT_MSS;

  // Four-tuple (our address is the interface's; the ports above).
  localIp: u32 = 0;
  remoteIp: u32 = 0;
  // Send sequence variables. sndMax is the highest sequence number sent so far: sndNxt goes back
  // to sndUna on a retransmission timeout, sndMax does not.
  iss: u32 = 0;
  sndUna: u32 = 0;
  sndNxt: u32 = 0;
  sndMax: u32 = 0;
  sndWnd: u32 = 0;
  sndWl1: u32 = 0;
  sndWl2: u32 = 0;
  maxSndWnd: u32 = 0;
  /** RFC 7323: the peer's TSval to echo; lastAckSent the RCV.NXT our last segment acknowledged (§4.3). */
  tsRecent: u32 = 0;
  lastAckSent: u32 = 0;
  /**
   * RFC 6675 loss recovery (inRecovery with sackOn): HighRxt and RescueRxt, each one past the
   * last byte of a retransmission (the RFC's are that byte; HighACK + 1 is SND.UNA).
   */
  highRxt: u32 = 0;
  rescueRxt: u32 = 0;
  /** SND.MAX when the latest hole was resent: SACKs well past it show that resend lost too. */
  rxtMark: u32 = 0;
  cwnd: u32 = 0;
  ssthresh: u32 = 0xffff;
  recover: u32 = 0;
  /** Appropriate byte counting (RFC 3465): bytes acknowledged toward the next congestion-avoidance step. */
  bytesAcked: u32 = 0;

  // Receive sequence variables. rcvAdv is the right edge we advertised; it never moves left.
  irs: u32 = 0;
  rcvNxt: u32 = 0;
  rcvAdv: u32 = 0;
  /** Receive buffer (unread bytes + window): layout.ts rcvBuffer at first, grown with use (window.ts). */
  rcvBuffer: u32 = 0;
  finSeq: u32 = 0;
  finHeldAt: u32 = 0;
  ecnRecover: u32 = 0;
  /** Order of reaching ESTABLISHED, so accept() hands connections out first-come first-served. */
  order: u32 = 0;

  rtxAt: u32 = 0;
  persistAt: u32 = 0;
  // Keep-alive (RFC 1122 §4.2.3.6): off while keepIdle is 0. Idle is measured from lastHeard.
  keepIdle: u32 = 0;
  keepInterval: u32 = 0;
  lastHeard: u32 = 0;
  // User timeout (RFC 9293 §3.8.3, RFC 5482): data unacknowledged this long aborts; 0 = off.
  userTimeout: u32 = 0;
  /** When SND.UNA last moved (or data became outstanding). */
  unackedSince: u32 = 0;
  ackAt: u32 = 0;
  closeAt: u32 = 0;
  swsAt: u32 = 0;
  /** The sequence number after the last short data segment sent (Minshall's refinement of Nagle). */
  sndSml: u32 = 0;

  // RFC 6298 estimator; srtt and rttvar in ms, scaled by 8 and 4 as in the RFC's appendix.
  srtt8: u32 = 0;
  rttvar4: u32 = 0;
  rto: u32 = RTO_INITIAL_MS;
  rttSeq: u32 = 0;
  rttStart: u32 = 0; // the last field reset() zeroes

  constructor(id: i32, rxCap: i32, txCap: i32) {
    this.id16 = <u16>id;
    this.rx = new Ring(rxCap);
    this.tx = new Ring(txCap);
    this.tx.sending = true;
  }

  @inline get id(): i32 { return this.id16; } @inline set id(v: i32) { this.id16 = <u16>v; }
  @inline get state(): i32 { return this.state8; } @inline set state(v: i32) { this.state8 = <u8>v; }
  @inline get localPort(): u32 { return this.localPort16; } @inline set localPort(v: u32) { this.localPort16 = <u16>v; }
  @inline get remotePort(): u32 { return this.remotePort16; } @inline set remotePort(v: u32) { this.remotePort16 = <u16>v; }
  @inline get sndWscale(): u32 { return this.sndWscale8; } @inline set sndWscale(v: u32) { this.sndWscale8 = <u8>v; }
  @inline get rcvWscale(): u32 { return this.rcvWscale8; } @inline set rcvWscale(v: u32) { this.rcvWscale8 = <u8>v; }
  /** Effective send MSS (peer's MSS option, bounded by our MTU). */
  @inline get mss(): u32 { return this.mss16; } @inline set mss(v: u32) { this.mss16 = <u16>v; }
  @inline get sbCount(): i32 { return this.sbCount8; } @inline set sbCount(v: i32) { this.sbCount8 = <u8>v; }
  /** Out-of-order ranges held (reassembly.ts: this slot's row of oooRanges). */
  @inline get oooCount(): i32 { return this.oooCount8; } @inline set oooCount(v: i32) { this.oooCount8 = <u8>v; }
  /** Duplicate ACKs in a row; counts stop at 255 (only the first few decide anything). */
  @inline get dupAcks(): i32 { return this.dupAcks8; } @inline set dupAcks(v: i32) { this.dupAcks8 = <u8>min(v, 255); }
  /** The listener (index) a passive connection came from, -1 for none. */
  @inline get listener(): i32 { return this.listener8; } @inline set listener(v: i32) { this.listener8 = <i8>v; }
  /** Why the connection ended (socket error code), 0 while fine. */
  @inline get error(): i32 { return this.error8; } @inline set error(v: i32) { this.error8 = <i8>v; }
  /** Zero-window probes sent in a row (their interval backs off: timers.ts); stops at 255. */
  @inline get persistBackoff(): i32 { return this.persistBackoff8; } @inline set persistBackoff(v: i32) { this.persistBackoff8 = <u8>min(v, 255); }
  /** Keep-alive probes allowed unanswered (at most 255: socket.ts keepAlive), and sent so far. */
  @inline get keepCount(): i32 { return this.keepCount8; } @inline set keepCount(v: i32) { this.keepCount8 = <u8>v; }
  @inline get keepProbes(): i32 { return this.keepProbes8; } @inline set keepProbes(v: i32) { this.keepProbes8 = <u8>v; }
  /** What the connection owes the wire (Owe bits): input, congestion control and the timers only
   *  mark it; dispatch() (output.ts) sends it and clears what it sent. */
  @inline get owed(): u32 { return this.owed8; } @inline set owed(v: u32) { this.owed8 = <u8>v; }
  /** Retransmission timeouts in a row (RFC 6298 backoff); stops at 255. */
  @inline get retries(): i32 { return this.retries8; } @inline set retries(v: i32) { this.retries8 = <u8>min(v, 255); }

  /**
   * Back to a fresh CLOSED slot, the buffers kept. Every field from `state8` to `rttStart` is a number or a flag:
   * one fill zeroes them, then the few that start elsewhere are set (field by field, this was one
   * of the largest functions wasm3 compiles on the board).
   */
  reset(): void {
    const from = offsetof<Tcb>("state8");
    memory.fill(changetype<usize>(this) + from, 0, offsetof<Tcb>("rttStart") + sizeof<u32>() - from);
    this.mss = DEFAULT_MSS; this.ssthresh = 0xffff; this.listener = -1; this.rto = RTO_INITIAL_MS; this.rcvBuffer = <u32>rcvBuffer;
    this.rx.clear(); this.tx.clear();
  }

  /** The window we advertise now: up to the advertised right edge. */
  @inline get rcvWnd(): u32 { return this.rcvAdv - this.rcvNxt; }
  /** Our FIN has been sent (and not rolled back by a retransmission timeout). */
  @inline get finSent(): bool { return this.finSeqSet && <i32>(this.sndNxt - this.finSeq) > 0; }
  /** Bytes of options every segment carries (the timestamps, once agreed): they come out of the MSS (RFC 6691). */
  @inline get optionBytes(): u32 { return this.tsOn ? <u32>TS_OPTION_LEN : 0; }
  /** Our FIN has been acknowledged. */
  @inline get finAcked(): bool { return this.finSeqSet && <i32>(this.sndUna - this.finSeq) > 0; }
}

export class Listener {
  inUse: bool = false;
  port: u32 = 0;
  backlog: i32 = 0;
  /** May take the slots kept in reserve (the console, so it stays reachable in a full table). */
  priority: bool = false;
}

/** Slots only priority listeners may fill (while one listens, and the table has room to spare). */
export const RESERVED_SLOTS: i32 = 1;
function reservedSlots(): i32 {
  if (maxConns < 2) return 0;
  for (let i = 0; i < MAX_LISTENERS; i++) {
    const l = unchecked(listeners[i]);
    if (l.inUse && l.priority) return RESERVED_SLOTS;
  }
  return 0;
}
/** Half-open (SYN-RECEIVED) passive connections at most: established ones always keep the rest. */
export function halfOpenLimit(): i32 { return max(1, maxConns / 2); }

/** The connection table: maxConns slots, made by tcbTableInit. */
export let conns = new StaticArray<Tcb>(0);
export const listeners = new StaticArray<Listener>(MAX_LISTENERS);
/**
 * Every slot's SACK scoreboard, one row of SACK_BLOCKS blocks [left, right) per slot (by id): in
 * one table rather than an array per TCB, which would cost an object header each.
 */
export let scoreboards = new StaticArray<u32>(0);
/**
 * Every slot's out-of-order ranges (reassembly.ts), a row by id: OOO_RANGES starts, then as many
 * ends ([start, end) by sequence number, most recent first), in one table as the scoreboards.
 */
export let oooRanges = new StaticArray<u32>(0);
for (let i = 0; i < MAX_LISTENERS; i++) listeners[i] = new Listener();

/** Lay out the connection table with the configured number of slots and ring sizes, and the pool their rings draw on (once). */
export function tcbTableInit(): void {
  conns = new StaticArray<Tcb>(maxConns);
  scoreboards = new StaticArray<u32>(maxConns * 2 * SACK_BLOCKS);
  oooRanges = new StaticArray<u32>(maxConns * 2 * OOO_RANGES);
  const pool = usePool(new Pool(blocksFor(poolBytes()), 2 * maxConns));
  pool.sendReserve = sendReserveFor(pool.blocks);
  pool.bufferFloor = blocksFor(rcvBuffer);
  pool.growRoom = max(0, pool.blocks - pool.sendReserve - maxConns * pool.bufferFloor);
  pool.sendBound = poolShared();
  for (let i = 0; i < maxConns; i++) unchecked(conns[i] = new Tcb(i, rxRingSize, txRingSize));
}

let establishedCount: u32 = 0;

/** The connection a segment belongs to, by four-tuple, or null. */
export function findConn(localPort: u32, remoteIp: u32, remotePort: u32): Tcb | null {
  for (let i = 0; i < maxConns; i++) {
    const t = unchecked(conns[i]);
    if (t.inUse && t.state != State.CLOSED && t.localPort == localPort &&
        t.remotePort == remotePort && t.remoteIp == remoteIp) return t;
  }
  return null;
}

export function findListener(port: u32): i32 {
  for (let i = 0; i < MAX_LISTENERS; i++) {
    const l = unchecked(listeners[i]);
    if (l.inUse && l.port == port) return i;
  }
  return -1;
}

/**
 * A free slot, else the TIME-WAIT connection closest to expiry, else null. Unless priority is
 * set, reservedSlots() such slots are left for priority listeners.
 */
export function allocConn(priority: bool = false): Tcb | null {
  let free: Tcb | null = null;
  let oldest: Tcb | null = null;
  let available = 0;
  for (let i = 0; i < maxConns; i++) {
    const t = unchecked(conns[i]);
    if (!t.inUse) { if (free == null) free = t; available++; continue; }
    if (t.state == State.TIME_WAIT && (t.userClosed || (t.listener >= 0 && !t.accepted))) {
      available++;
      if (oldest == null || <i32>(t.closeAt - oldest.closeAt) < 0) oldest = t;
    }
  }
  if (!priority && available <= reservedSlots()) return null;
  const t = free != null ? free : oldest;
  if (t == null) return null;
  t.reset();
  t.inUse = true;
  return t;
}

/** Passive connections still in SYN-RECEIVED. */
export function halfOpenCount(): i32 {
  let n = 0;
  for (let i = 0; i < maxConns; i++) {
    const t = unchecked(conns[i]);
    if (t.inUse && t.state == State.SYN_RECEIVED && t.listener >= 0) n++;
  }
  return n;
}

export function freeConn(t: Tcb): void { t.reset(); t.inUse = false; }

/**
 * State changes so far, by any connection: whoever polls for them (the service registry's
 * accepts, poll's second round) looks again only when this has moved.
 */
export let stateChanges: u32 = 0;

/** A log line about connection t, begun with "tcp ID LOCALPORT REMOTEIP:PORT " (its own call: docs/wasm3-stack.md). */
export function logConnection(t: Tcb): Text {
  return logText().str("tcp ").u32(<u32>t.id).ch(32).u32(t.localPort).ch(32).ip(t.remoteIp).ch(58).u32(t.remotePort).ch(32);
}

/** Change state, logging the transition for the host (the ladder diagram reads these lines). */
export function setState(t: Tcb, s: i32): void {
  if (t.state == s) return;
  stateChanges++;
  writeStateName(writeStateName(logConnection(t), t.state).str(" -> "), s);
  emit();
  if (s == State.ESTABLISHED) t.order = establishedCount++;
  t.state = s;
}

/** Connections (not yet accepted) that a listener holds. */
export function pendingCount(lid: i32): i32 {
  let n = 0;
  for (let i = 0; i < maxConns; i++) {
    const t = unchecked(conns[i]);
    if (t.inUse && t.listener == lid && !t.accepted) n++;
  }
  return n;
}

/**
 * Fill out[] with one connection's numbers for reports: [state, localIp, localPort, remoteIp,
 * remotePort, sndUna, sndNxt, rcvNxt, sndWnd, rcvWnd, rto, listener]. False for a free slot.
 */
export function connInfo(id: i32, out: StaticArray<u32>): bool {
  if (id < 0 || id >= maxConns || out.length < 12) return false;
  const t = unchecked(conns[id]);
  if (!t.inUse) return false;
  const p = changetype<usize>(out); // twelve numbers, checked above
  store<u32>(p, <u32>t.state); store<u32>(p, t.localIp, 4); store<u32>(p, t.localPort, 8); store<u32>(p, t.remoteIp, 12);
  store<u32>(p, t.remotePort, 16); store<u32>(p, t.sndUna, 20); store<u32>(p, t.sndNxt, 24); store<u32>(p, t.rcvNxt, 28);
  store<u32>(p, t.sndWnd, 32); store<u32>(p, t.rcvWnd, 36); store<u32>(p, t.rto, 40); store<u32>(p, <u32>t.listener, 44);
  return true;
}
