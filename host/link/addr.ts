// Our addresses as a user writes them: MACs as text, A.B.C.D/N, and which addresses can be ours.
// One copy for the CLI, the library and the boards' command lines.
import { createHash } from "node:crypto";
import { parseIp, ipToString } from "./wire.js";

/** Six bytes from xx:xx:xx:xx:xx:xx, or why not. */
export function parseMac(s: string): Uint8Array | string {
  const parts = s.split(":");
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) return `bad mac: ${s}`;
  const m = Uint8Array.from(parts.map((p) => parseInt(p, 16)));
  if (m[0] & 1) return `the mac must be a unicast address: ${s}`;
  return m;
}

/** A locally administered MAC derived from the TAP's name: stable from one run to the next. */
export function macForTap(tap: string): Uint8Array {
  const h = createHash("sha256").update(`synack:${tap}`).digest();
  return Uint8Array.from([0x02, 0x53, 0x4b, h[0], h[1], h[2]]);
}

/** Why an address cannot be ours on a /prefix network, or null when it can. */
export function unusableAddress(a: number, prefix: number): string | null {
  if (a === 0) return "0.0.0.0 is not an address (use --dhcp to lease one)";
  if (a >>> 24 === 127) return "a loopback address";
  if (a >>> 28 === 14) return "a multicast address";
  if (a >>> 28 === 15) return "a reserved or broadcast address";
  const host = prefix >= 32 ? 0 : (0xffffffff >>> prefix);
  if ((a & host) === 0) return "the network's own address";
  if (((a & host) >>> 0) === host) return "the network's broadcast address";
  return null;
}

/** Our address from "A.B.C.D/N" (N 1..30, a unicast host address of that network), or why not. */
export function parseOurAddress(v: string): { ip: number; prefixLen: number } | string {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(v);
  const a = m ? parseIp(m[1]) : null;
  if (!m || a === null || Number(m[2]) < 1 || Number(m[2]) > 30) return `bad address (want A.B.C.D/N): ${v}`;
  const why = unusableAddress(a, Number(m[2]));
  return why ? `${v}: ${why}` : { ip: a, prefixLen: Number(m[2]) };
}

/** Why gw cannot be the router of ip/prefixLen, or null when it can. */
export function unusableRouter(gw: number, ip: number, prefixLen: number): string | null {
  const mask = (~0 << (32 - prefixLen)) >>> 0;
  if (((gw & mask) >>> 0) !== ((ip & mask) >>> 0)) return `${ipToString(gw)} is not on ${ipToString((ip & mask) >>> 0)}/${prefixLen}`;
  if (gw === ip || unusableAddress(gw, prefixLen)) return `${ipToString(gw)} cannot be a router's address here`;
  return null;
}
