// One interface for wherever the module runs: V8 in this process, the native board's firmware,
// the emulated Xtensa board. `synack serve`, openStack and the examples open one, wait for an
// address, and close everything through these calls only (lifecycle.ts), so none behaves
// otherwise per engine. A new engine is one more entry in OPENERS.
import type { StackCalls } from "./calls.js";
import type { Layout, Clock } from "./stack.js";
import type { Link } from "../link/link.js";

export type EngineName = "v8" | "native" | "xtensa" | "lx6" | "lx6-esp32";

/** What every engine is opened with (the CLI's flags and openStack's options, parsed). */
export interface EngineOptions {
  /** A TAP to attach to (in netns, if given), or (V8 only) any Link. */
  tap?: string; netns?: string; link?: Link;
  /** Our address and prefix length; 0 and 0: lease one by DHCP. */
  ip: number; prefixLen: number; gw: number; mac: Uint8Array;
  services: number; name?: string; msl?: number;
  /** Unset: the engine's default layout. */
  layout?: Layout;
  pcap?: string;
  /** The module's and the firmware's log lines; unset: quiet. */
  onLog?: (line: string) => void;
  /** V8 only: a clock the caller drives. */
  clock?: Clock;
  /** The native board: also run the example C service (TCP 7000, UDP 7001), as synack serve does. */
  exampleService?: boolean;
}

export interface Engine {
  readonly name: EngineName;
  /** What the ready line says about it, e.g. "board native, wasm3". */
  readonly label: string;
  readonly mac: Uint8Array;
  /** The socket calls (the same on every engine). */
  readonly calls: StackCalls;
  /** Resolves with why, if the engine stops by itself (a board's process ended); never on V8. */
  readonly failed: Promise<string>;
  /** Called (once per batch) when sockets may have moved. */
  onEvent: () => void;
  /** Let the module run soon (after socket calls). */
  kick(): void;
  /** Our address now (0 while DHCP has none) and its prefix length. */
  ourAddress(): Promise<{ ip: number; prefixLen: number }>;
  /** The module's counters by name (stats text). */
  counters(): Promise<Record<string, number>>;
  /** Close every listener and connection (FIN; RST with abort); how many are still closing. */
  closeAll(abort: boolean): Promise<number>;
  /** Whether the engine (its timers, link, process) keeps the program running: node:net's ref/unref. */
  ref(on: boolean): void;
  /** Stop running and let go of the link (and any process); the last frames reach the wire first. */
  stop(): Promise<void>;
}

const OPENERS: Record<EngineName, () => Promise<(o: EngineOptions) => Promise<Engine>>> = {
  v8: async () => (await import("./v8.js")).openV8,
  native: async () => (await import("./board.js")).openNative,
  xtensa: async () => (await import("./xtensa-serve.js")).openXtensa("lx106"),
  lx6: async () => (await import("./xtensa-serve.js")).openXtensa("lx6"),
  "lx6-esp32": async () => (await import("./xtensa-serve.js")).openXtensa("lx6-esp32"),
};

export function isEngineName(s: string): s is EngineName { return Object.hasOwn(OPENERS, s); }
export const ENGINE_NAMES = Object.keys(OPENERS) as EngineName[];

export async function openEngine(name: EngineName, o: EngineOptions): Promise<Engine> {
  return (await OPENERS[name]())(o);
}
