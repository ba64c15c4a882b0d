// Character generator (RFC 864): 72-character lines of the 95 printable ASCII characters, each
// line starting one character later than the one before, CR LF after each. Input is discarded.
import { maxConns, RESERVE_OVERHEAD } from "../layout";
import * as sock from "../tcp/socket";
import { release } from "./registry";
import { scratch, scratchSize } from "../util/scratch";
import { reserve } from "../util/bytes";

const LINE: u32 = 74; // 72 characters + CR LF
const PERIOD: u32 = 95 * LINE; // the stream repeats after 95 lines
let position: usize = 0; // u32 per connection, reserved when chargen starts

/** What chargenSetup reserves. */
export function chargenBytes(): u32 { return <u32>maxConns * 4 + RESERVE_OVERHEAD; }
export function chargenSetup(): void { if (position == 0) position = reserve(maxConns * 4); }
export function chargenStart(id: i32): bool { store<u32>(position + (<usize>id << 2), 0); return true; }

/** The byte at offset pos of the endless chargen stream. */
@inline export function chargenByte(pos: u32): u32 {
  const line = pos / LINE;
  const col = pos % LINE;
  if (col == 72) return 13;
  if (col == 73) return 10;
  return 32 + (line + col) % 95;
}

export function serveChargen(id: i32): void {
  // Whatever the peer sends is discarded; its end of stream (or an error) ends the service.
  while (true) {
    const n = sock.recv(id, scratch, scratchSize);
    if (n == sock.E_AGAIN) break;
    if (n <= 0) { release(id); return; }
  }
  while (true) {
    const room = min(sock.sendSpace(id), scratchSize);
    if (room <= 0) return;
    let pos = load<u32>(position + (<usize>id << 2));
    for (let i = 0; i < room; i++) store<u8>(scratch + <usize>i, <u8>chargenByte(pos++));
    const n = sock.send(id, scratch, room);
    if (n < 0) { release(id); return; }
    store<u32>(position + (<usize>id << 2), (load<u32>(position + (<usize>id << 2)) + <u32>n) % PERIOD);
  }
}
