// The eleven states of RFC 9293 §3.3.2, numbered as the TCP-MIB's tcpConnectionState minus one.

export const enum State {
  CLOSED = 0, LISTEN = 1, SYN_SENT = 2, SYN_RECEIVED = 3, ESTABLISHED = 4,
  FIN_WAIT_1 = 5, FIN_WAIT_2 = 6, CLOSE_WAIT = 7, CLOSING = 8, LAST_ACK = 9, TIME_WAIT = 10,
}

const NAMES: StaticArray<string> = [
  "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
  "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
];

export function stateName(s: i32): string { return s >= 0 && s <= 10 ? NAMES[s] : "?"; }

/** Synchronized states: the handshake is done and both ISNs are known (RFC 9293 glossary). */
@inline export function synchronized(s: i32): bool { return s >= State.ESTABLISHED; }
