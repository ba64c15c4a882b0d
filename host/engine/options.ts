// What `synack serve` asks of an engine (V8 or a board): parsed by the CLI, taken by every engine.
import type { Layout } from "./stack.js";
import type { EngineName } from "./interface.js";

/**
 * The layout `synack serve` gives the V8 engine unless told otherwise: a PC has memory, so many
 * connections and the largest window a TCP header says without window scaling. The boards keep
 * the module's default (the ESP32's: assembly/config.ts) unless the flags ask for another.
 */
export const PC_LAYOUT: Required<Omit<Layout, "memoryLimit" | "poolBytes">> = { conns: 64, rxRing: 65535, txRing: 65536, udpSockets: 8 };
export interface ServeOptions {
  tap: string; ip: number; prefixLen: number; gw: number; mac: Uint8Array;
  pcap?: string; msl?: number; verbose: boolean; board: EngineName;
  /** Built-in services (SERVICES mask). */
  services: number;
  /** --conns / --rx-ring / --tx-ring, as given (unset: the engine's default layout). */
  layout?: Layout;
  /** mDNS name (label before .local). */
  name?: string;
  /** A board without its code store (--no-store). */
  noStore?: boolean;
}
