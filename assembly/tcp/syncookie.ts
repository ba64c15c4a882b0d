// SYN cookies (RFC 4987 §3.6): when a listener's SYN-RECEIVED backlog is full, the SYN-ACK's ISN
// encodes the connection instead of a TCB holding it. ISS = [5-bit time | 2-bit MSS | 1-bit SACK |
// 24-bit MAC], the MAC being SipHash of the four-tuple, the peer's ISN, the time and the two
// remembered fields, under the ISN key. The SACK bit is RFC 2018 SACK-permitted from the SYN (the
// cookie's SYN,ACK then offers it back), so a cookie connection recovers from loss as any other
// does; a blind ACK has a 2^-24 chance to be taken for a cookie.
import { now } from "../util/clock";
import { keyedHash } from "./isn";
import { DEFAULT_MSS } from "../wire/tcp";

const PERIOD_MS: u32 = 64_000;
const MSS_TABLE: StaticArray<u32> = [DEFAULT_MSS, 1220, 1440, 1460];

@inline function tick(t: u32): u32 { return (t / PERIOD_MS) & 31; }

/** In cookieCheck's answer: the SYN was SACK-permitted. */
export const COOKIE_SACK: u32 = 0x10000;

function mac(localIp: u32, localPort: u32, remoteIp: u32, remotePort: u32, peerIsn: u32, t: u32, fields: u32): u32 {
  const a = (<u64>localIp << 32) | <u64>remoteIp;
  const b = (<u64>localPort << 48) | (<u64>remotePort << 32) | <u64>peerIsn;
  return <u32>keyedHash(a, b ^ (<u64>(t << 3 | fields) << 16) ^ 0x5c00c1e) & 0xffffff;
}

/**
 * The ISS for a SYN answered statelessly: it remembers the MSS (the largest in the table <= mss)
 * and whether the SYN was SACK-permitted.
 */
export function cookieFor(localIp: u32, localPort: u32, remoteIp: u32, remotePort: u32, peerIsn: u32, mss: u32, sack: bool): u32 {
  let idx: u32 = 0;
  for (let i = 3; i > 0; i--) if (mss >= MSS_TABLE[i]) { idx = <u32>i; break; }
  const fields = idx << 1 | (sack ? 1 : 0);
  const t = tick(now);
  return (t << 27) | (fields << 24) | mac(localIp, localPort, remoteIp, remotePort, peerIsn, t, fields);
}

/**
 * Check the ACK of a cookie SYN-ACK: iss = SEG.ACK - 1, the peer's ISN = SEG.SEQ - 1. Returns the
 * remembered MSS, with COOKIE_SACK added when the SYN was SACK-permitted, or 0 when the cookie is
 * forged or older than two periods.
 */
export function cookieCheck(localIp: u32, localPort: u32, remoteIp: u32, remotePort: u32, iss: u32, peerIsn: u32): u32 {
  const t = iss >>> 27;
  const fields = (iss >>> 24) & 7;
  const age = (tick(now) - t) & 31;
  if (age > 1) return 0;
  if (mac(localIp, localPort, remoteIp, remotePort, peerIsn, t, fields) != (iss & 0xffffff)) return 0;
  return MSS_TABLE[fields >> 1] | ((fields & 1) != 0 ? COOKIE_SACK : 0);
}
