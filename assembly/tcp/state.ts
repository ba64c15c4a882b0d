// The eleven states of RFC 9293 §3.3.2, numbered as the TCP-MIB's tcpConnectionState minus one.
import { Text, Names, ascii } from "../util/text";

export const enum State {
  CLOSED = 0, LISTEN = 1, SYN_SENT = 2, SYN_RECEIVED = 3, ESTABLISHED = 4,
  FIN_WAIT_1 = 5, FIN_WAIT_2 = 6, CLOSE_WAIT = 7, CLOSING = 8, LAST_ACK = 9, TIME_WAIT = 10,
}

const NAMES = new Names(ascii("CLOSED LISTEN SYN-SENT SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 CLOSE-WAIT CLOSING LAST-ACK TIME-WAIT "));

/** Write state s's RFC 9293 name into t, left-aligned in `width` columns (0: as long as it is). */
export function writeStateName(t: Text, s: i32, width: i32 = 0): Text { return NAMES.write(t, s, width); }

/** Synchronized states: the handshake is done and both ISNs are known (RFC 9293 glossary). */
@inline export function synchronized(s: i32): bool { return s >= State.ESTABLISHED; }
