// Character generator (RFC 864): 72-character lines of the 95 printable ASCII characters, each
// line starting one character later than the one before, CR LF after each. Input is discarded.
import { maxConns, RESERVE_OVERHEAD } from "../layout";
import * as sock from "../tcp/socket";
import { release } from "./registry";
import { reserve } from "../util/bytes";

const LINE: u32 = 74; // 72 characters + CR LF
const PERIOD: u32 = 95 * LINE; // the stream repeats after 95 lines
let position: usize = 0; // u16 per connection (below PERIOD), reserved when chargen starts

/** What chargenSetup reserves. */
export function chargenBytes(): u32 { return <u32>maxConns * 2 + RESERVE_OVERHEAD; }
export function chargenSetup(): void { if (position == 0) position = reserve(maxConns * 2); }
export function chargenStart(id: i32): bool { store<u16>(position + (<usize>id << 1), 0); return true; }

// The 95 printable characters twice over: line L is the 72 bytes starting at L % 95, so the
// stream is written in runs copied from here (a few instructions per run, not per byte).
const PRINTABLE = memory.data<u8>([
  32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
  56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79,
  80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102,
  103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121,
  122, 123, 124, 125, 126,
  32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
  56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79,
  80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102,
  103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121,
  122, 123, 124, 125, 126,
]);
const CRLF = memory.data<u8>([13, 10, 13, 10]);

/** Write n bytes of the stream, from offset pos (any: the stream repeats), at dst: one copy per line. */
function fill(dst: usize, pos: u32, n: u32): void {
  let line = (pos / LINE) % 95, col = pos % LINE;
  if (col != 0) { // finish the line pos falls in
    const k = min(n, LINE - col);
    piece(dst, line, col, k);
    dst += <usize>k; n -= k;
    if (++line == 95) line = 0;
  }
  while (n >= LINE) { // whole lines: the text, then CR LF as one store
    memory.copy(dst, PRINTABLE + <usize>line, 72);
    store<u16>(dst + 72, 0x0a0d);
    dst += <usize>LINE; n -= LINE;
    if (++line == 95) line = 0;
  }
  if (n > 0) piece(dst, line, 0, n);
}

/** Columns col..col+k-1 of line `line` (k <= LINE - col) at dst. */
function piece(dst: usize, line: u32, col: u32, k: u32): void {
  if (col < 72) {
    const text = min(k, 72 - col);
    memory.copy(dst, PRINTABLE + <usize>(line + col), <usize>text);
    if (k > text) memory.copy(dst + <usize>text, CRLF, <usize>(k - text));
  } else {
    memory.copy(dst, CRLF + <usize>(col - 72), <usize>k);
  }
}

export function serveChargen(id: i32): void {
  // Whatever the peer sends is discarded; its end of stream (or an error) ends the service.
  while (true) {
    const n = sock.skip(id, i32.MAX_VALUE);
    if (n == sock.E_AGAIN) break;
    if (n <= 0) { release(id); return; }
  }
  // The stream is written straight into the send ring's free space (block by block of the pool),
  // then queued at once: one copy per line piece, none through a buffer.
  const ring = sock.sendRing(id);
  if (ring == null) return; // not sendable now: the recv above sees the end or the error
  const room = ring.free();
  if (room <= 0 || !ring.prepare(room)) return;
  const at = position + (<usize>id << 1);
  const pos = <u32>load<u16>(at);
  for (let done = 0; done < room;) {
    const k = min(ring.runAt(ring.len + done), room - done);
    fill(ring.ptrAt(ring.len + done), pos + <u32>done, <u32>k);
    done += k;
  }
  const n = sock.sendCommit(id, room);
  if (n < 0) { release(id); return; }
  store<u16>(at, <u16>((pos + <u32>n) % PERIOD));
}
