// The eleven states of RFC 9293 §3.3.2, numbered as the TCP-MIB's tcpConnectionState minus one.
import { Text } from "../util/text";

export const enum State {
  CLOSED = 0, LISTEN = 1, SYN_SENT = 2, SYN_RECEIVED = 3, ESTABLISHED = 4,
  FIN_WAIT_1 = 5, FIN_WAIT_2 = 6, CLOSE_WAIT = 7, CLOSING = 8, LAST_ACK = 9, TIME_WAIT = 10,
}

// One string, each name padded to 12 characters (one object on the board, not eleven).
const NAMES = "CLOSED      LISTEN      SYN-SENT    SYN-RECEIVEDESTABLISHED FIN-WAIT-1  FIN-WAIT-2  \
CLOSE-WAIT  CLOSING     LAST-ACK    TIME-WAIT   ";

/** Write state s's RFC 9293 name into t, left-aligned in `width` columns (0: as long as it is). */
export function writeStateName(t: Text, s: i32, width: i32 = 0): Text {
  if (s < 0 || s > 10) return t.part("?", 0, 1, width);
  let end = s * 12 + 12;
  while (NAMES.charCodeAt(end - 1) == 32) end--;
  return t.part(NAMES, s * 12, end, width);
}

/** Synchronized states: the handshake is done and both ISNs are known (RFC 9293 glossary). */
@inline export function synchronized(s: i32): bool { return s >= State.ESTABLISHED; }
