// The console on port 23: line commands for a person with nc or telnet.
//   help   the commands          conns  every connection (state, endpoints, sequence variables)
//   stats  every counter         quit   the board closes first (FIN-WAIT-1/2, then TIME-WAIT)
import { MAX_CONNS, CONSOLE_SESSIONS } from "../config";
import * as sock from "../tcp/socket";
import { reserve } from "../util/bytes";
import { Text } from "../util/text";
import { statsText, connsText } from "./report";
import { scratch, SCRATCH_SIZE, release } from "./registry";

const LINE_MAX: i32 = 128;
const OUT_MAX: i32 = 3072; // one reply at a time: `stats` (the longest) fits
// Per session, not per connection: a session's id indexes these through sessionOf.
// Reserved by consoleSetup, only when the console is started.
let lineBuf: usize = 0;
let outBuf: usize = 0;
const lineLen = new StaticArray<i32>(CONSOLE_SESSIONS);
const outLen = new StaticArray<i32>(CONSOLE_SESSIONS);
const overlong = new StaticArray<bool>(CONSOLE_SESSIONS);
const iacSkip = new StaticArray<u8>(CONSOLE_SESSIONS); // bytes of a telnet command still to skip
const quitting = new StaticArray<bool>(CONSOLE_SESSIONS);
const owner = new StaticArray<i32>(CONSOLE_SESSIONS); // connection id, -1 when free
const sessionOf = new StaticArray<i32>(MAX_CONNS);
const text = new Text(0, 0);
for (let i = 0; i < CONSOLE_SESSIONS; i++) owner[i] = -1;

@inline function lineAt(s: i32): usize { return lineBuf + <usize>(s * LINE_MAX); }
@inline function outAt(s: i32): usize { return outBuf + <usize>(s * OUT_MAX); }

/** A Text writing after the pending output of connection id. */
function reply(id: i32): Text {
  const used = unchecked(outLen[id]);
  text.ptr = outAt(id) + <usize>used;
  text.cap = OUT_MAX - used;
  return text.reset();
}
function commit(id: i32, t: Text): void { unchecked(outLen[id] = unchecked(outLen[id]) + t.len); }

export function consoleSetup(): void {
  if (lineBuf != 0) return;
  lineBuf = reserve(CONSOLE_SESSIONS * LINE_MAX);
  outBuf = reserve(CONSOLE_SESSIONS * OUT_MAX);
}

/** A new console connection: a free session, or a polite refusal. False when refused. */
export function consoleStart(conn: i32): bool {
  let id = -1;
  for (let i = 0; i < CONSOLE_SESSIONS; i++) if (unchecked(owner[i]) < 0) { id = i; break; }
  if (id < 0) {
    text.ptr = scratch; text.cap = SCRATCH_SIZE;
    const t = text.reset().str("synack console: busy, try again later\n");
    sock.send(conn, scratch, t.len);
    return false;
  }
  unchecked(owner[id] = conn);
  unchecked(sessionOf[conn] = id);
  unchecked(lineLen[id] = 0);
  unchecked(outLen[id] = 0);
  unchecked(overlong[id] = false);
  unchecked(iacSkip[id] = 0);
  unchecked(quitting[id] = false);
  const t = reply(id).str("synack console: help, conns, stats, quit\nsynack> ");
  commit(id, t);
  return true;
}

function is(p: usize, n: i32, word: string): bool {
  if (n != word.length) return false;
  for (let i = 0; i < n; i++) if (<u32>load<u8>(p + <usize>i) != <u32>word.charCodeAt(i)) return false;
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
  if (is(w, len, "help")) {
    commit(id, reply(id).str("help   this list\nconns  every connection: state, addresses, snd.una/snd.nxt/rcv.nxt, windows, RTO\nstats  counters (TCP-MIB names, drops by reason)\nquit   close this session (the board closes first)\n"));
  } else if (is(w, len, "conns") || is(w, len, "stats")) {
    const used = unchecked(outLen[id]);
    const at = outAt(id) + <usize>used;
    const room = OUT_MAX - used;
    const wrote = is(w, len, "conns") ? connsText(at, room) : statsText(at, room);
    unchecked(outLen[id] = used + <i32>wrote);
  } else if (is(w, len, "quit")) {
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

function flush(id: i32): void {
  const pending = unchecked(outLen[id]);
  if (pending == 0) return;
  const n = sock.send(unchecked(owner[id]), outAt(id), pending);
  if (n <= 0) return;
  memory.copy(outAt(id), outAt(id) + <usize>n, <usize>(pending - n));
  unchecked(outLen[id] = pending - n);
}

function end(id: i32): void {
  release(unchecked(owner[id]));
  unchecked(owner[id] = -1);
}

export function serveConsole(conn: i32): void {
  const id = unchecked(sessionOf[conn]);
  flush(id);
  // One command at a time: the next line is read only once the last reply has gone out,
  // so a flood of commands cannot overflow the reply buffer.
  while (!unchecked(quitting[id]) && unchecked(outLen[id]) == 0) {
    const n = sock.recv(conn, scratch, 1);
    if (n == sock.E_AGAIN) break;
    if (n <= 0) { end(id); return; }
    take(id, load<u8>(scratch));
    flush(id);
  }
  if (unchecked(quitting[id]) && unchecked(outLen[id]) == 0) end(id); // we close first
  else if (sock.state(conn) == 0) end(id);
}
