// The emulated Xtensa board in npm run bench, on each core (lx106, call0; lx6, the windowed ABI the
// ESP32 runs): instructions per payload byte for discard, chargen and echo over a TAP from Linux nc
// (the W5500 model's instructions counted apart: it is silicon on the real board) and the ESP32's
// throughput predicted from them (predict.ts), the painted C stack peak per phase (start-up,
// handshake, each transfer, console, HTTP's pages), wasm3's heap (requested bytes, by kind, and the
// largest block), heap + stack after each phase against the ESP32's goal (GOAL_BYTES), the code
// store (boards/common/prepared.c: its flash, the instructions and heap its preparation at boot
// took) and flash. One board (xtensa-session.ts): the ESP32's default layout with HTTP on (issue 16's
// board default), so the figures are one board's peaks as a board owner meets them; then a second
// board with the store off (--no-store) for one line of comparison.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { XtensaCore, CORES } from "../../host/engine/xtensa.js";
import { predictLine, predictMs, IDF_LWIP_MBITS, TRANSACTION_US, CPU_HZ } from "./predict.js";
import { DEFAULT_WASM } from "../../host/engine/stack.js";
import { TapLink } from "../../host/link/tap.js";
import { createNetns, isRoot } from "../../host/link/netns.js";
import { session, peakOver, PAGES, Session, Stats } from "./xtensa-session.js";

export function xtensaFlash(elf: string): { text: number; rodata: number; module: number } {
  const out = execFileSync("xtensa-lx106-elf-size", ["-A", elf], { encoding: "utf8" });
  const sec = (name: string) => Number(new RegExp(`^\\${name}\\s+(\\d+)`, "m").exec(out)?.[1] ?? 0);
  return { text: sec(".text"), rodata: sec(".rodata"), module: statSync(DEFAULT_WASM).size };
}

/** Firmware instructions (model apart) and model instructions between two measurements, per byte. */
function perByte(a: Stats, b: Stats, bytes: number) {
  const step = (b.step_ticks - a.step_ticks) * b.insns_per_tick, model = (b.step_model_ticks - a.step_model_ticks) * b.insns_per_tick;
  const wire = (b.wire_ticks - a.wire_ticks) * b.insns_per_tick;
  return {
    bytes, firmware_insns: step - model, model_insns: model + wire,
    firmware_per_byte: +((step - model) / bytes).toFixed(1), model_per_byte: +((model + wire) / bytes).toFixed(1),
    spi_transactions: b.spi_transactions - a.spi_transactions, spi_bytes: b.spi_bytes - a.spi_bytes,
  };
}

/** Heap + stack on the ESP32 (its wasm3 heap and the board task's C stack) must stay within this (issue 16). */
export const GOAL_BYTES = 163_840;


const kinds = (k: Record<string, number>) => Object.entries(k).map(([n, v]) => `${n} ${v}`).join(", ");

/** The three points the goal is checked at: the last phase of each and the board's report there. */
function points(s: Session) {
  return [["after discard, chargen and echo", s.afterTransfers, "echo"], ["and a console session", s.afterConsole, "console"],
    [`and HTTP's pages (${s.pages} of ${PAGES.length} fetched)`, s.final, "HTTP pages"]] as const;
}

/** Heap + stack at a point: the heap's peak since boot with the stack's, and since settling (from the handshake on). */
function atPoint(s: Session, x: Stats, last: string) {
  const stack = peakOver(s.stack, "start-up", last), steadyHeap = peakOver(s.heap, "handshake", last), steadyStack = peakOver(s.stack, "handshake", last);
  return { total: x.heap_peak + stack, heap: x.heap_peak, stack, steady: steadyHeap + steadyStack, steadyHeap, steadyStack };
}

/** What ran the module's code: the store, or wasm3's heap. */
function functionsRun(x: Stats): string {
  const heap = `${x.compiled_functions} functions compiled into the heap from ${x.compiled_wasm_bytes} bytes of wasm`;
  return x.store_functions ? `${x.store_functions} functions run from the code store (${x.store_wasm_bytes} bytes of wasm), ${heap}` : heap;
}

/** Moves to a fresh runtime so far: all of them (start-up's and settling's without the store) and the code budget's. */
const moves = (x: Stats) => `moves to a fresh runtime so far ${x.runtimes - 1} (${x.code_resets} over the code budget)`;

export async function xtensaBench(kib: number, core: XtensaCore = "lx106"): Promise<{ lines: string[]; json: Stats }> {
  const { elf, cpu } = CORES[core];
  if (!existsSync(elf)) return { lines: [`skipped (${elf} not built)`], json: { skipped: "not built" } };
  const abi = core === "lx106" ? "call0" : "windowed";
  const flash = xtensaFlash(elf);
  const lines = [`QEMU -cpu ${cpu}, ${abi} ABI; flash ${flash.text + flash.rodata} bytes before the code store: text ${flash.text} (firmware + wasm3 + C library), ` +
    `rodata ${flash.rodata} (of which the module ${flash.module}) [xtensa-lx106-elf-size -A ${elf.replace(/.*\/build\//, "build/")}]`];
  const json: Stats = { core: cpu, abi, flash };
  if (!isRoot()) return { lines: [...lines, "transfers skipped (needs root)"], json };
  const ns = createNetns(core === "lx106" ? "benchx" : "benchw");
  const link = await TapLink.open(ns.tap, ns.name).catch((e) => { ns.destroy(); throw e; });
  try {
    const n = kib * 1024;
    const s = await session(ns, link, core, n);
    const boot = s.boot, settled = s.settled;
    json.boot = { insns: boot.start_ticks * boot.insns_per_tick, heap_peak: boot.heap_peak, heap_now: boot.heap_now,
      heap_by_kind: boot.heap_now_by_kind, linear_memory: boot.linear_memory, stack_peak: boot.stack_peak };
    // The code store: what the module's code takes of it and of the flash, and what preparing it at boot took.
    const store = { size: boot.store_size, bytes: boot.store_bytes, functions: boot.store_functions, wasm_bytes: boot.store_wasm_bytes,
      prepared: boot.store_prepared, insns: boot.store_insns, ms_predicted: +predictMs(boot.store_insns).toFixed(1),
      heap_before: boot.store_heap_before, heap_peak: boot.store_heap_peak, scratch: boot.store_scratch,
      flash_total: flash.text + flash.rodata + boot.store_bytes };
    json.store = store;
    lines.push(store.functions ? `code store: ${store.functions} functions run from it (${store.wasm_bytes} bytes of wasm), ${store.bytes} of its ` +
      `${store.size} bytes of flash; the board's flash: text + rodata + store = ${store.flash_total}; ` +
      `${store.prepared ? "prepared at this boot" : "installed as found (prepared before)"} in ${store.insns} ${core} instructions of fw_start's ` +
      `${json.boot.insns} (${store.ms_predicted} ms predicted on a ${CPU_HZ / 1e6} MHz ESP32), the heap at most ${store.heap_peak - store.heap_before} ` +
      `bytes over the ${store.heap_before} before it (prepared.c's own scratch count: ${store.scratch})` : "code store: not used (no store, or it failed: see the board's log)");
    lines.push(s.settledOk ? `settled ${Math.round(s.settledMs)} ms after boot (mDNS announced): wasm3 heap ${settled.heap_now}, ` +
      `compiled code in the heap ${settled.heap_now_by_kind.code} (the imports' bridges)` : "did not settle within 10 s (mDNS not announced): measured from there");
    json.settled = { ms: s.settledMs, ok: s.settledOk, heap_now: settled.heap_now, code: settled.heap_now_by_kind.code };
    json.transfers = {};
    const predictions: string[] = [];
    for (const t of s.transfers) {
      if (t.got !== n) { lines.push(`${t.name}: failed (${t.got} of ${n} bytes)`); continue; }
      const p = perByte(t.before, t.after, n);
      const predicted = predictLine(t.name, p);
      json.transfers[t.name] = { ...p, ms: Math.round(t.ms), predicted: predicted.json };
      predictions.push(predicted.line);
      lines.push(`${t.name.padEnd(7)} ${p.firmware_per_byte} ${core} instructions per payload byte (firmware + wasm3 + module; ` +
        `W5500 model apart: ${p.model_per_byte}), ${kib} KiB, ${(p.spi_bytes / n).toFixed(3)} SPI bytes per byte, ${Math.round(t.ms)} ms emulated`);
    }
    const f = s.final;
    json.final = f;
    const record = (x: Stats) => ({ heap_peak: x.heap_peak, heap_now_by_kind: x.heap_now_by_kind, heap_peak_by_kind: x.heap_peak_by_kind,
      value_stack_peak: x.value_stack_peak, compiled_functions: x.compiled_functions, compiled_wasm_bytes: x.compiled_wasm_bytes,
      store_functions: x.store_functions, code_resets: x.code_resets, runtimes: x.runtimes });
    json.after_transfers = record(s.afterTransfers);
    json.after_console = record(s.afterConsole);
    json.after_http = { ...record(f), pages: s.pages };
    json.stack_by_phase = s.stack;
    json.heap_peak_by_phase = s.heap;
    lines.push(...predictions, `(predicted: ${CPU_HZ / 1e6} MHz, one instruction per cycle; SPI bytes at the clock; ${TRANSACTION_US} us per ` +
      `SPI transaction; the W5500's own time not counted. ESP-IDF's lwIP + W5500 at 20 MHz: ~${IDF_LWIP_MBITS.up}/${IDF_LWIP_MBITS.down} Mbit/s up/down)`);
    lines.push(`CCOUNT: ${f.calib_insns} instructions (a counted loop) took ${f.calib_ticks} ticks: ` +
      `${(f.calib_insns / f.calib_ticks).toFixed(3)} per tick (figures above use ${f.insns_per_tick})`);
    // Each point's stack peak is the deepest of the phases up to it (the board repaints after each);
    // the heap's peak since boot is where the store was prepared, so the steady figures are given too.
    json.heap_and_stack = {};
    json.steady_heap_and_stack = {};
    for (const [when, x, last] of points(s)) {
      const a = atPoint(s, x, last);
      const where = x.store_prepared && x.heap_peak === x.store_heap_peak ? "at boot, while the store was prepared" : "at the peak";
      json.heap_and_stack[last] = a.total;
      json.steady_heap_and_stack[last] = a.steady;
      lines.push(`${when}: heap + stack ${a.total} bytes, goal ${GOAL_BYTES}: ${a.total <= GOAL_BYTES ? `within by ${GOAL_BYTES - a.total}` :
        `over by ${a.total - GOAL_BYTES}`} (${core}) = wasm3 heap peak ${a.heap} (${where}: ${kinds(x.heap_peak_by_kind)}) + ` +
        `C stack peak ${a.stack} (painted, ${abi} ABI); since settling ${a.steady} = heap peak ${a.steadyHeap} + stack peak ${a.steadyStack}; ` +
        `heap now ${x.heap_now} (${kinds(x.heap_now_by_kind)}); ${functionsRun(x)}; value stack peak ${x.value_stack_peak}; ${moves(x)}`);
    }
    json.stack_peak = { without_http: peakOver(s.stack, "start-up", "console"), with_http: peakOver(s.stack, "start-up", "HTTP pages") };
    lines.push(`C stack peak by phase (painted, ${abi} ABI): ${Object.entries(s.stack).map(([k, v]) => `${k} ${v}`).join(", ")}; ` +
      `heap peak by phase: ${Object.entries(s.heap).map(([k, v]) => `${k} ${v}`).join(", ")}; ` +
      `largest heap block ${f.heap_largest}; linear memory ${f.linear_memory} bytes (default layout, HTTP on)`);
    // The same board and phases with the store off: what the store changed.
    const o = await session(ns, link, core, n, true);
    const off = points(o).map(([, x, last]) => atPoint(o, x, last));
    const perByteOff = o.transfers.map((t) => (t.got === n ? perByte(t.before, t.after, n).firmware_per_byte : -1));
    json.no_store = { heap_and_stack: off.map((a) => a.total), steady_heap_and_stack: off.map((a) => a.steady), heap_peak: o.final.heap_peak,
      code_at_peak: o.final.heap_peak_by_kind.code, start_insns: o.boot.start_ticks * o.boot.insns_per_tick,
      compiled_functions: o.final.compiled_functions, compiled_wasm_bytes: o.final.compiled_wasm_bytes, moves: o.final.runtimes - 1,
      code_resets: o.final.code_resets, firmware_per_byte: perByteOff };
    const ns_ = json.no_store;
    lines.push(`with the store off (--no-store, a second board through the same phases): heap + stack ${ns_.heap_and_stack.join(" / ")} at the three ` +
      `points (since settling ${ns_.steady_heap_and_stack.join(" / ")}); heap peak ${ns_.heap_peak} (compiled code ${ns_.code_at_peak} at it); ` +
      `${functionsRun(o.final)}; ${moves(o.final)}; fw_start ${ns_.start_insns} instructions; discard / chargen / echo ` +
      `${perByteOff.join(" / ")} instructions per payload byte`);
  } finally {
    link.close();
    ns.destroy();
  }
  return { lines, json };
}
