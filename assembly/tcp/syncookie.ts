// SYN cookies (RFC 4987 §3.6): when a listener's SYN-RECEIVED backlog is full, the SYN-ACK's ISN
// encodes the connection instead of a TCB holding it. ISS = [5-bit time | 2-bit MSS | 25-bit MAC],
// the MAC being SipHash of the four-tuple, the peer's ISN and the time, under the ISN key.
import { now } from "../util/clock";
import { keyedHash } from "./isn";

const PERIOD_MS: u32 = 64_000;
const MSS_TABLE: StaticArray<u32> = [536, 1220, 1440, 1460];

@inline function tick(t: u32): u32 { return (t / PERIOD_MS) & 31; }

function mac(localIp: u32, localPort: u32, remoteIp: u32, remotePort: u32, peerIsn: u32, t: u32, mssIdx: u32): u32 {
  const a = (<u64>localIp << 32) | <u64>remoteIp;
  const b = (<u64>localPort << 48) | (<u64>remotePort << 32) | <u64>peerIsn;
  return <u32>keyedHash(a, b ^ (<u64>(t << 2 | mssIdx) << 16) ^ 0x5c00c1e) & 0x1ffffff;
}

/** The ISS for a SYN answered statelessly, and the MSS it can remember (the largest <= mss). */
export function cookieFor(localIp: u32, localPort: u32, remoteIp: u32, remotePort: u32, peerIsn: u32, mss: u32): u32 {
  let idx: u32 = 0;
  for (let i = 3; i > 0; i--) if (mss >= MSS_TABLE[i]) { idx = <u32>i; break; }
  const t = tick(now);
  return (t << 27) | (idx << 25) | mac(localIp, localPort, remoteIp, remotePort, peerIsn, t, idx);
}

/**
 * Check the ACK of a cookie SYN-ACK: iss = SEG.ACK - 1, the peer's ISN = SEG.SEQ - 1. Returns the
 * remembered MSS, or 0 when the cookie is forged or older than two periods.
 */
export function cookieCheck(localIp: u32, localPort: u32, remoteIp: u32, remotePort: u32, iss: u32, peerIsn: u32): u32 {
  const t = iss >>> 27;
  const idx = (iss >>> 25) & 3;
  const age = (tick(now) - t) & 31;
  if (age > 1) return 0;
  if (mac(localIp, localPort, remoteIp, remotePort, peerIsn, t, idx) != (iss & 0x1ffffff)) return 0;
  return MSS_TABLE[idx];
}
