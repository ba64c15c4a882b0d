// Echo (RFC 862) and discard (RFC 863).
import * as sock from "../tcp/socket";
import { release } from "./registry";
import { scratch, scratchSize } from "../util/scratch";

/** Send back what arrives, reading only what can be sent now, so no byte is ever dropped. */
export function serveEcho(id: i32): void {
  while (true) {
    const room = min(sock.sendSpace(id), scratchSize);
    if (room <= 0) {
      if (sock.state(id) == 0) release(id); // reset or timed out while we waited
      return;
    }
    const n = sock.recv(id, scratch, room);
    if (n == sock.E_AGAIN) return;
    if (n <= 0) { release(id); return; } // end of stream (our FIN follows the echoed data) or error
    sock.send(id, scratch, n);
  }
}

export function serveDiscard(id: i32): void {
  while (true) {
    const n = sock.skip(id, i32.MAX_VALUE); // dropped in the ring, never copied out
    if (n == sock.E_AGAIN) return;
    if (n <= 0) { release(id); return; }
  }
}
