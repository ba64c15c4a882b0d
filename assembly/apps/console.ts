// The console on port 23: line commands for a person with nc or telnet.
//   help   the commands          conns  every connection (state, endpoints, sequence variables)
//   stats  every counter         quit   the board closes first (FIN-WAIT-1/2, then TIME-WAIT)
import { CONSOLE_SESSIONS } from "../config";
import { maxConns, RESERVE_OVERHEAD } from "../layout";
import * as sock from "../tcp/socket";
import { reserve } from "../util/bytes";
import { Text, ascii, isWord } from "../util/text";
import { buildVersion } from "../util/version";
import { statsLines, connsLines, connsEnd, STATS_END } from "./report";
import { release } from "./registry";
import { scratch, scratchSize } from "../util/scratch";

const LINE_MAX: i32 = 128;
const OUT_MAX: i32 = 1024; // one reply at a time; the reports go out in pieces of whole lines
// Per session, not per connection: a session's id indexes these through sessionOf.
// Reserved by consoleSetup, only when the console is started.
let lineBuf: usize = 0;
// One reply buffer for all sessions: a session writes only when no other has output pending, so
// each reply is one consistent snapshot, and the console costs one buffer, not one per session.
let outBuf: usize = 0;
let outOwner: i32 = -1; // the session whose reply is in outBuf, -1 when free
let outUsed: i32 = 0;
// One entry per session (CONSOLE_SESSIONS), as literals: static memory, no global or start-up code.
const lineLen: StaticArray<i32> = [0, 0, 0];
const greet: StaticArray<bool> = [false, false, false]; // the banner is still owed
// A report in progress: which (0 none, 1 stats, 2 conns) and its next line.
const REPORT_STATS: u8 = 1;
const REPORT_CONNS: u8 = 2;
const report: StaticArray<u8> = [0, 0, 0];
const cursor: StaticArray<i32> = [0, 0, 0];
const overlong: StaticArray<bool> = [false, false, false];
const iacSkip: StaticArray<u8> = [0, 0, 0]; // bytes of a telnet command still to skip
const quitting: StaticArray<bool> = [false, false, false];
const owner: StaticArray<i32> = [-1, -1, -1]; // connection id, -1 when free
// The literals must be CONSOLE_SESSIONS long (they are indexed unchecked): a module built with
// another count stops at start-up here rather than writing past them.
if (lineLen.length != CONSOLE_SESSIONS || greet.length != CONSOLE_SESSIONS || report.length != CONSOLE_SESSIONS ||
    cursor.length != CONSOLE_SESSIONS || overlong.length != CONSOLE_SESSIONS || iacSkip.length != CONSOLE_SESSIONS ||
    quitting.length != CONSOLE_SESSIONS || owner.length != CONSOLE_SESSIONS) unreachable();
let sessionOf: usize = 0; // a session id (u8) per connection id, reserved by consoleSetup
const text = new Text(0, 0);

@inline function lineAt(s: i32): usize { return lineBuf + <usize>(s * LINE_MAX); }

/** A Text writing after the pending output; session id takes the reply buffer (it must be free or its own). */
function reply(id: i32): Text {
  outOwner = id;
  text.ptr = outBuf + <usize>outUsed;
  text.cap = OUT_MAX - outUsed;
  return text.reset();
}
function commit(id: i32, t: Text): void { outUsed += t.len; }

/** What consoleSetup reserves (the layout counts it before init). */
export function consoleBytes(): u32 {
  return <u32>(CONSOLE_SESSIONS * LINE_MAX + OUT_MAX + maxConns) + 3 * RESERVE_OVERHEAD;
}

export function consoleSetup(): void {
  if (lineBuf != 0) return;
  lineBuf = reserve(CONSOLE_SESSIONS * LINE_MAX);
  outBuf = reserve(OUT_MAX);
  sessionOf = reserve(maxConns);
}

/** A new console connection: a free session, or a polite refusal. False when refused. */
export function consoleStart(conn: i32): bool {
  let id = -1;
  for (let i = 0; i < CONSOLE_SESSIONS; i++) if (unchecked(owner[i]) < 0) { id = i; break; }
  if (id < 0) {
    text.ptr = scratch; text.cap = scratchSize;
    const t = text.reset().str("synack console: busy, try again later\n");
    sock.send(conn, scratch, t.len);
    return false;
  }
  unchecked(owner[id] = conn);
  store<u8>(sessionOf + <usize>conn, <u8>id);
  unchecked(lineLen[id] = 0);
  unchecked(overlong[id] = false);
  unchecked(iacSkip[id] = 0);
  unchecked(quitting[id] = false);
  unchecked(greet[id] = true); // written once the reply buffer is free
  unchecked(report[id] = 0);
  return true;
}


function command(id: i32): void {
  const p = lineAt(id);
  let n = unchecked(lineLen[id]);
  let s = 0;
  while (s < n && load<u8>(p + <usize>s) == 32) s++;
  while (n > s && load<u8>(p + <usize>(n - 1)) == 32) n--;
  const w = p + <usize>s;
  const len = n - s;
  if (len == 0) { commit(id, reply(id).str("synack> ")); return; }
  if (isWord(w, len, ascii("help"))) {
    commit(id, reply(id).str("help   this list\nconns  every connection: state, addresses, snd.una/snd.nxt/rcv.nxt, windows, RTO\nstats  counters (TCP-MIB names, drops by reason)\nquit   close this session (the board closes first)\n"));
  } else if (isWord(w, len, ascii("conns")) || isWord(w, len, ascii("stats"))) {
    unchecked(report[id] = isWord(w, len, ascii("conns")) ? REPORT_CONNS : REPORT_STATS);
    unchecked(cursor[id] = 0);
    return; // serveConsole writes it, a bufferful at a time, then the prompt
  } else if (isWord(w, len, ascii("quit"))) {
    commit(id, reply(id).str("bye\n"));
    unchecked(quitting[id] = true);
    return;
  } else {
    const t = reply(id).str("unknown command: ");
    for (let i = 0; i < min(len, 40); i++) t.ch(load<u8>(w + <usize>i));
    commit(id, t.str(" (try help)\n"));
  }
  commit(id, reply(id).str("synack> "));
}

function take(id: i32, c: u32): void {
  if (unchecked(iacSkip[id]) > 0) { unchecked(iacSkip[id] = unchecked(iacSkip[id]) - 1); return; }
  if (c == 255) { unchecked(iacSkip[id] = 2); return; } // telnet IAC + command + option
  if (c == 13 || c == 0) return;
  if (c == 10) {
    if (unchecked(overlong[id])) {
      commit(id, reply(id).str("error: line longer than 128 bytes, ignored\nsynack> "));
      unchecked(overlong[id] = false);
    } else command(id);
    unchecked(lineLen[id] = 0);
    return;
  }
  const n = unchecked(lineLen[id]);
  if (n >= LINE_MAX) { unchecked(overlong[id] = true); return; }
  store<u8>(lineAt(id) + <usize>n, <u8>c);
  unchecked(lineLen[id] = n + 1);
}

/** The next bufferful of whole lines of a report in progress; the prompt once it is done. */
function continueReport(id: i32): void {
  const t = reply(id);
  const stats = unchecked(report[id]) == REPORT_STATS;
  const next = stats ? statsLines(t, unchecked(cursor[id])) : connsLines(t, unchecked(cursor[id]));
  unchecked(cursor[id] = next);
  if (next >= (stats ? STATS_END : connsEnd())) {
    unchecked(report[id] = 0);
    t.str("synack> ");
  }
  commit(id, t);
  flush(id);
}

function flush(id: i32): void {
  if (outOwner != id) return;
  const n = sock.send(unchecked(owner[id]), outBuf, outUsed);
  if (n > 0) {
    memory.copy(outBuf, outBuf + <usize>n, <usize>(outUsed - n));
    outUsed -= n;
  }
  if (outUsed == 0) outOwner = -1;
}

function end(id: i32): void {
  release(unchecked(owner[id]));
  unchecked(owner[id] = -1);
  if (outOwner == id) { outOwner = -1; outUsed = 0; } // a reply nobody will read
}

export function serveConsole(conn: i32): void {
  const id = <i32>load<u8>(sessionOf + <usize>conn);
  flush(id);
  if (unchecked(greet[id]) && outOwner < 0) {
    unchecked(greet[id] = false);
    commit(id, reply(id).str("synack ").z(buildVersion()).str(" console: help, conns, stats, quit\nsynack> "));
    flush(id);
  }
  while (unchecked(report[id]) != 0 && outOwner < 0) continueReport(id);
  // One command at a time, and only while the reply buffer is free: the next line is read once
  // the last reply has gone out, so a flood of commands cannot overflow it.
  while (!unchecked(quitting[id]) && !unchecked(greet[id]) && unchecked(report[id]) == 0 && outOwner < 0) {
    const n = sock.recv(conn, scratch, 1);
    if (n == sock.E_AGAIN) break;
    if (n <= 0) { end(id); return; }
    take(id, load<u8>(scratch));
    flush(id);
    while (unchecked(report[id]) != 0 && outOwner < 0) continueReport(id); // as much as the ring takes
  }
  if (unchecked(quitting[id]) && outOwner != id) end(id); // we close first
  else if (sock.state(conn) == 0) end(id);
}
