// The engine interface: what V8, the native board and the emulated boards each implement
// (v8.ts, board.ts, xtensa-serve.ts); engine.ts is the table that opens them by name.
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
  /** A board: compile the module's code into the heap as it runs, not once into the code store (--no-store). */
  noStore?: boolean;
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
