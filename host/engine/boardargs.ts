// The boards' command line, written once: the native board and the emulated board take the same
// flags as synack serve, parsed by one parser in the firmware (boards/common/flags.c).
import type { Layout } from "./stack.js";
import { ipToString, macToString } from "../link/wire.js";

export interface BoardFlags {
  ip: number; prefixLen: number; gw?: number; mac?: Uint8Array; services?: number; msl?: number; name?: string;
  layout?: Layout; verbose?: boolean;
  /** Compile into the heap as code runs, not once into the board's code store (boards/common/prepared.c). */
  noStore?: boolean;
}

/** The firmware's flags for f; what is unset stays the firmware's default. */
export function boardArgs(f: BoardFlags): string[] {
  const args = f.ip === 0 ? ["--dhcp"] : ["--ip", `${ipToString(f.ip)}/${f.prefixLen}`];
  if (f.mac) args.push("--mac", macToString(f.mac));
  if (f.services !== undefined) args.push("--services", String(f.services));
  if (f.gw) args.push("--gw", ipToString(f.gw));
  if (f.msl) args.push("--msl", String(f.msl));
  if (f.name !== undefined) args.push("--name", f.name);
  const l = f.layout;
  if (l?.conns) args.push("--conns", String(l.conns));
  if (l?.rxRing) args.push("--rx-ring", String(l.rxRing));
  if (l?.txRing) args.push("--tx-ring", String(l.txRing));
  if (l?.udpSockets) args.push("--udp-sockets", String(l.udpSockets));
  if (f.noStore) args.push("--no-store");
  if (f.verbose) args.push("--verbose");
  return args;
}
