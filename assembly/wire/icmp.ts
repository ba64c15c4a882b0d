// ICMP for IPv4 (RFC 792): only what echo needs.
import { get8, put8, put16 } from "../util/bytes";
import { checksum } from "./checksum";

export const ICMP_HEADER_LEN: i32 = 8;
export const ICMP_ECHO_REPLY: u32 = 0;
export const ICMP_ECHO_REQUEST: u32 = 8;
@inline export function icmpType(p: usize): u32 { return get8(p); }
@inline export function icmpCode(p: usize): u32 { return get8(p + 1); }
/** A correct ICMP message checksums to zero over its whole length. */
@inline export function icmpChecksumOk(p: usize, len: i32): bool { return checksum(p, len) == 0; }

/** Turn the echo request at p (len bytes, already copied to the reply buffer) into its reply. */
export function makeEchoReply(p: usize, len: i32): void {
  put8(p, ICMP_ECHO_REPLY);
  put8(p + 1, 0);
  put16(p + 2, 0);
  put16(p + 2, checksum(p, len));
}
