// The board's linear memory in npm run bench, measured on the module itself (no root): the board
// default's layout with the ESP32's services (what configure promises and what init uses), what one
// more connection record costs, and what a TIME-WAIT record costs; and what each layout of the
// trade table makes of wasm3's heap on the emulated board, from one boot of it (its code in the code
// store, the heap is the module's records, the runtime and linear memory). The README's trade table
// is written from these lines.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_WASM, PACKAGE_ROOT } from "../../host/engine/stack.js";
import { ESP32_SERVICES } from "../../host/engine/xtensa.js";
import type { SynackExports } from "../../host/engine/abi.js";
import { Peer } from "../../host/drill/peer.js";
import type { Layout } from "../../host/engine/stack.js";
import { coreBuilt } from "../../host/engine/xtensa.js";
import { bootReport, Stats } from "./xtensa-session.js";

/** A bare instance before init, so configure can be called as the firmware calls it. */
function bare(mod: WebAssembly.Module): SynackExports {
  const env = { send_frame() {}, random_u32: () => 7, log() {}, checksum: () => 0 };
  const x = new WebAssembly.Instance(mod, { env }).exports as unknown as SynackExports;
  x._start();
  return x;
}

interface Laid { need: number; used: number }

/** configure(conns, rx, tx) (after configure_pool when pool is given) and init: promised and used bytes. */
function lay(mod: WebAssembly.Module, services: number, conns: number, rx: number, tx: number, pool = 0): Laid {
  const x = bare(mod);
  x.select_services(services);
  if (pool) x.configure_pool(pool);
  const need = x.configure(conns, rx, tx, 0);
  if (need < 0 || x.init(0x0253, 0x4b000002, 0x0a4d0002, 24, 0, 0) !== 0) throw new Error(`layout ${conns} x ${rx}/${tx}: ${need}`);
  return { need, used: x.memory_used() };
}

/** A number the layout declares in its source (assembly/), for figures that are its own constants. */
function declared(file: string, name: string): number {
  const m = new RegExp(`${name}: [iu]32 = (\\d+)`).exec(readFileSync(resolve(PACKAGE_ROOT, file), "utf8"));
  if (!m) throw new Error(`${name} not found in ${file}`);
  return Number(m[1]);
}

/**
 * wasm3's heap on the emulated lx6 board (lx106 where it is not built) for a layout, from the default
 * board's boot: everything but linear memory stays (records, runtime, value stack; no code with the
 * store), linear memory is the layout's need plus wasm3's header, and the peak is at boot, where the
 * store is prepared with the first page untrimmed; a layout over one page grows at init, the page
 * and the grown block both held while it is copied. (Checked against boots with the fixed-ring rows'
 * --conns/--rx-ring/--tx-ring: the same after-boot heaps and peaks.)
 */
function boardHeap(boot: Stats, need: number) {
  const linear = boot.heap_now_by_kind.linear as number, page = boot.heap_peak_by_kind.linear as number;
  const fixed = boot.heap_now - linear, afterBoot = fixed + need + (linear - boot.linear_memory);
  return { afterBoot, peak: Math.max(boot.heap_peak, need > 65536 ? afterBoot + page : 0) };
}

export async function layoutFigures(): Promise<{ lines: string[]; json: Record<string, number> }> {
  const mod = new WebAssembly.Module(readFileSync(DEFAULT_WASM));
  const board = lay(mod, ESP32_SERVICES, 0, 0, 0);
  const withoutHttp = lay(mod, ESP32_SERVICES & ~16, 0, 0, 0);
  // One more record: the board's rings over the same shared pool, no services (they add per-connection
  // bytes of their own: chargen's position, the console's and the registry's tables: measured apart).
  const conns = declared("assembly/config.ts", "DEFAULT_CONNS"), pool = declared("assembly/config.ts", "DEFAULT_POOL");
  // Averaged over 16 more slots: the allocator rounds each table to 16 bytes.
  const more = 16;
  const a = lay(mod, 0, conns, 7168, 2048, pool), b = lay(mod, 0, conns + more, 7168, 2048, pool);
  const sa = lay(mod, ESP32_SERVICES, conns, 7168, 2048, pool), sb = lay(mod, ESP32_SERVICES, conns + more, 7168, 2048, pool);
  const tw = declared("assembly/layout.ts", "TW_BYTES");
  const json = {
    boardNeed: board.need, boardUsed: board.used, boardNeedWithoutHttp: withoutHttp.need, boardUsedWithoutHttp: withoutHttp.used,
    connNeed: (b.need - a.need) / more, connUsed: (b.used - a.used) / more, connServicesUsed: ((sb.used - sa.used) - (b.used - a.used)) / more, timeWaitRecord: tw,
  };
  const core = coreBuilt("lx6") ? "lx6" : coreBuilt("lx106") ? "lx106" : null;
  const boot = core ? await bootReport(core).catch(() => null) : null;
  const trade = TRADE.map(([c, rx, tx, pool]) => {
    const r = tradeRow(c, rx, tx, pool);
    if (boot) { const h = boardHeap(boot, r.need); r.boardHeapAfterBoot = h.afterBoot; r.boardHeapPeak = h.peak; }
    return r;
  });
  const onBoard = (r: Record<string, number>) => (boot ? `; wasm3 heap on the ${core} board ${r.boardHeapPeak} at its peak, ${r.boardHeapAfterBoot} after boot` : "");
  return {
    json: { ...json, trade } as unknown as Record<string, number>,
    lines: [
      `board default layout (configure(0, 0, 0, 0), the ESP32's services): ${board.need} bytes of linear memory promised, ${board.used} used after init ` +
        `(${withoutHttp.need} / ${withoutHttp.used} without HTTP; one page is 65536)`,
      `one more connection (${conns} -> ${conns + more} slots over the board's ${pool}-byte pool, per slot): ${json.connNeed} bytes promised, ${json.connUsed} used ` +
        `(its record, 2 TIME-WAIT records of ${tw} bytes, and its out-of-order and SACK rows), and ${json.connServicesUsed} more with the services' per-connection tables`,
      `a TIME-WAIT record: ${tw} bytes (assembly/layout.ts TW_BYTES; two per slot), where a connection in TIME-WAIT once held its slot and rings`,
      ...trade.map((r) => `trade: ${r.conns || "default"} slots, rings ${r.rxRing || 7168}/${r.txRing || 2048}, ` +
        `${r.conns === 0 ? "the board's pool" : r.poolBytes ? `a ${r.poolBytes}-byte pool` : "every ring held whole"}: ${r.need} bytes promised (${r.used} used), ` +
        `first window ${r.firstWindow}, ${r.aloneWindow} the largest one connection alone offers (its reader taking 4 KiB at a time)${onBoard(r)}`),
      boot ? `(the board's heap by layout, from one boot of the ${core} board with the default layout: ${boot.heap_now - boot.heap_now_by_kind.linear} ` +
        `bytes besides linear memory, which is the layout's need + ${boot.heap_now_by_kind.linear - boot.linear_memory}; the peak, ${boot.heap_peak} ` +
        `with one page, is at boot while the code store is prepared; a layout over one page peaks as it grows at init)` : "(the board's heap by layout: no emulated board built)",
    ],
  };
}

/**
 * The windows a layout gives: a connection's first (its SYN,ACK), and the largest one connection
 * alone reaches while its sender fills every window and its reader keeps up (receive buffers grow
 * with use in a shared pool: tcp/window.ts).
 */
function windows(layout: Layout): { first: number; alone: number } {
  const p = new Peer({ layout, services: 0 });
  const lid = p.stack.listen(5000, 4);
  p.tcp({ dport: 5000, seq: 1000, flags: "S", mss: 1460 });
  const sa = p.expect("SA");
  p.tcp({ dport: 5000, seq: 1001, ack: sa.seq + 1, flags: "A" });
  const id = p.stack.accept(lid), rcv = (sa.seq + 1) >>> 0;
  const first = sa.wnd;
  let seq = 1001, wnd = first;
  let alone = wnd;
  for (let i = 0; i < 48 && wnd > 0; i++) {
    for (let sent = 0; sent < wnd;) {
      const n = Math.min(1460, wnd - sent);
      p.tcp({ dport: 5000, seq: seq + sent, ack: rcv, flags: "PA", data: new Uint8Array(n) });
      sent += n;
    }
    seq += wnd;
    while ((p.stack.recv(id, 65536) as Uint8Array).length > 0);
    p.advance(250);
    for (let s = p.next(); s; s = p.next()) wnd = s.wnd;
    alone = Math.max(alone, wnd);
  }
  return { first, alone };
}

/** The README's trade table: [conns, rx ring, tx ring, pool bytes] (0, 0, 0: the board default). */
const TRADE: [number, number, number, number][] = [
  [0, 0, 0, 0], [4, 4096, 2048, 0], [6, 7168, 2048, 0], [8, 4096, 1024, 0], [18, 7168, 2048, 24576], [32, 7168, 2048, 16384], [32, 7168, 2048, 24576],
];

/** One row of the README's trade table: a layout, its memory with the ESP32's services, its windows. */
export function tradeRow(conns: number, rxRing: number, txRing: number, poolBytes = 0): Record<string, number> {
  const mod = new WebAssembly.Module(readFileSync(DEFAULT_WASM));
  const l = lay(mod, ESP32_SERVICES, conns, rxRing, txRing, poolBytes);
  const w = windows(conns === 0 ? {} : { conns, rxRing, txRing, ...(poolBytes ? { poolBytes } : {}) });
  return { conns, rxRing, txRing, poolBytes, need: l.need, used: l.used, firstWindow: w.first, aloneWindow: w.alone };
}
