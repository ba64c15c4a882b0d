// The emulated Xtensa board in npm run bench, on each core (lx106, call0; lx6, the windowed ABI the
// ESP32 runs): instructions per payload byte for discard, chargen and echo over a TAP from Linux nc
// (the W5500 model's instructions counted apart: it is silicon on the real board) and the ESP32's
// throughput predicted from them (predict.ts), the painted C stack peak per phase (start-up,
// handshake, each transfer, console, HTTP's pages), wasm3's heap (requested bytes, by kind, and the
// largest block), heap + stack after each phase against the ESP32's goal (GOAL_BYTES), and flash.
// One board: the ESP32's default layout with HTTP on (issue 16's board default), so the figures are
// one board's peaks after transfers, a console session and HTTP's pages, as a board owner meets them.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { XtensaBoard, XtensaCore, CORES, ESP32_SERVICES } from "../../host/engine/xtensa.js";
import { SERVICES } from "../../host/engine/abi.js";
import { predictLine, IDF_LWIP_MBITS, TRANSACTION_US, CPU_HZ } from "./predict.js";
import { bridge } from "../../host/engine/xtensa-serve.js";
import { DEFAULT_WASM } from "../../host/engine/stack.js";
import { TapLink } from "../../host/link/tap.js";
import { createNetns, isRoot, STACK_IP, PREFIX } from "../../host/link/netns.js";
import { parseIp } from "../../host/link/wire.js";

type Stats = Record<string, any>;

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

/** The HTTP pages the bench fetches (one request each, as a browser's first visit asks for them). */
const PAGES = ["/", "/ladder", "/stats", "/status.json", "/"];

export async function xtensaBench(kib: number, core: XtensaCore = "lx106"): Promise<{ lines: string[]; json: Stats }> {
  const { elf, cpu } = CORES[core];
  if (!existsSync(elf)) return { lines: [`skipped (${elf} not built)`], json: { skipped: "not built" } };
  const abi = core === "lx106" ? "call0" : "windowed";
  const flash = xtensaFlash(elf);
  const lines = [`QEMU -cpu ${cpu}, ${abi} ABI; flash ${flash.text + flash.rodata} bytes: text ${flash.text} (firmware + wasm3 + C library), ` +
    `rodata ${flash.rodata} (of which the module ${flash.module}) [xtensa-lx106-elf-size -A ${elf.replace(/.*\/build\//, "build/")}]`];
  const json: Stats = { core: cpu, abi, flash };
  if (!isRoot()) return { lines: [...lines, "transfers skipped (needs root)"], json };
  const ns = createNetns(core === "lx106" ? "benchx" : "benchw");
  let board: XtensaBoard | null = null;
  try {
    const link = await TapLink.open(ns.tap, ns.name);
    const t0 = performance.now();
    const now = () => Math.floor(performance.now() - t0) + 1000;
    // The ESP32's default configuration: the board layout (fw_config zeros) and menuconfig's services, HTTP on.
    board = await XtensaBoard.start({ core, ip: parseIp(STACK_IP)!, prefixLen: PREFIX, time: now(), seed: 1,
      services: ESP32_SERVICES | SERVICES.http });
    const boot = (await board.send("S", now())).stats!;
    json.boot = { insns: boot.start_ticks * boot.insns_per_tick, heap_peak: boot.heap_peak, heap_now: boot.heap_now,
      heap_by_kind: boot.heap_now_by_kind, linear_memory: boot.linear_memory, stack_peak: boot.stack_peak };
    const b = bridge(board, link, now);
    await ns.run("ping", ["-c", "1", "-W", "2", STACK_IP]);
    // A board is up before anyone connects: measure from where it settles, once its mDNS name is
    // announced and the firmware has given back the code that took (boards/common/firmware.c).
    let settled = (await b.request("S")).stats!;
    for (const t = performance.now(); !settled.settled && performance.now() - t < 10_000;) {
      await new Promise((r) => setTimeout(r, 250));
      settled = (await b.request("S")).stats!;
    }
    // The C stack's peak per phase: the board paints its stack again after each report asked with a 1.
    const stack: Record<string, number> = {};
    const phase = async (name: string) => { stack[name] = (await b.request("S", Uint8Array.of(1))).stats!.stack_peak; };
    await phase("start-up");
    await ns.run("nc", ["-z", "-w", "2", STACK_IP, "7"], undefined, 10_000);
    await phase("handshake");
    lines.push(settled.settled ? `settled ${Math.round(now() - 1000)} ms after boot (mDNS announced): wasm3 heap ${settled.heap_now}, ` +
      `compiled code ${settled.heap_now_by_kind.code}` : "did not settle within 10 s (mDNS not announced): measured from there");
    json.settled = { ms: now() - 1000, ok: !!settled.settled, heap_now: settled.heap_now, code: settled.heap_now_by_kind.code };
    const n = kib * 1024;
    const data = Buffer.alloc(n, 0x5a);
    const runs: [string, () => Promise<number>][] = [
      ["discard", async () => { const r = await ns.run("nc", ["-N", STACK_IP, "9"], data, 600_000); return r.code === 0 ? n : -1; }],
      ["chargen", async () => (await ns.run("sh", ["-c", `nc ${STACK_IP} 19 | head -c ${n}`], undefined, 600_000)).stdout.length],
      ["echo", async () => { const r = await ns.run("nc", ["-N", STACK_IP, "7"], data, 600_000); return r.stdout.length === n ? n : -1; }],
    ];
    json.transfers = {};
    const predictions: string[] = [];
    for (const [name, run] of runs) {
      const before = (await b.request("S")).stats!;
      const t = performance.now();
      const got = await run();
      const ms = performance.now() - t;
      await new Promise((r) => setTimeout(r, 200)); // the last ACKs and FINs
      const after = (await b.request("S")).stats!;
      await phase(name);
      if (got !== n) { lines.push(`${name}: failed (${got} of ${n} bytes)`); continue; }
      const p = perByte(before, after, n);
      const predicted = predictLine(name, p);
      json.transfers[name] = { ...p, ms: Math.round(ms), predicted: predicted.json };
      predictions.push(predicted.line);
      lines.push(`${name.padEnd(7)} ${p.firmware_per_byte} ${core} instructions per payload byte (firmware + wasm3 + module; ` +
        `W5500 model apart: ${p.model_per_byte}), ${kib} KiB, ${(p.spi_bytes / n).toFixed(3)} SPI bytes per byte, ${Math.round(ms)} ms emulated`);
    }
    // What the three transfers needed, then a console session and HTTP's pages on top.
    const t3 = (await b.request("S")).stats!;
    await ns.run("sh", ["-c", `(echo stats; echo conns; sleep 0.5; echo quit) | nc -N ${STACK_IP} 23`], undefined, 60_000);
    await new Promise((r) => setTimeout(r, 200));
    await phase("console");
    const afterConsole = (await b.request("S")).stats!;
    let pages = 0;
    for (const path of PAGES) {
      const r = await ns.run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", `http://${STACK_IP}${path}`], undefined, 30_000);
      if (r.stdout.toString() === "200") pages++;
    }
    await new Promise((r) => setTimeout(r, 200));
    await phase("HTTP pages");
    b.detach();
    const s = (await board.send("S", now())).stats!;
    json.final = s;
    const record = (x: Stats) => ({ heap_peak: x.heap_peak, heap_now_by_kind: x.heap_now_by_kind, heap_peak_by_kind: x.heap_peak_by_kind,
      value_stack_peak: x.value_stack_peak, compiled_functions: x.compiled_functions, compiled_wasm_bytes: x.compiled_wasm_bytes,
      code_resets: x.code_resets });
    json.after_transfers = record(t3);
    json.after_console = record(afterConsole);
    json.after_http = { ...record(s), pages };
    json.stack_by_phase = stack;
    lines.push(...predictions, `(predicted: ${CPU_HZ / 1e6} MHz, one instruction per cycle; SPI bytes at the clock; ${TRANSACTION_US} us per ` +
      `SPI transaction; the W5500's own time not counted. ESP-IDF's lwIP + W5500 at 20 MHz: ~${IDF_LWIP_MBITS.up}/${IDF_LWIP_MBITS.down} Mbit/s up/down)`);
    lines.push(`CCOUNT: ${s.calib_insns} instructions (a counted loop) took ${s.calib_ticks} ticks: ` +
      `${(s.calib_insns / s.calib_ticks).toFixed(3)} per tick (figures above use ${s.insns_per_tick})`);
    const kinds = (k: Record<string, number>) => Object.entries(k).map(([n, v]) => `${n} ${v}`).join(", ");
    // Each point's stack peak is the deepest of the phases up to it (the board repaints after each).
    const order = Object.keys(stack);
    const peakUpTo = (last: string) => Math.max(...order.slice(0, order.indexOf(last) + 1).map((k) => stack[k]));
    const points = [["after discard, chargen and echo", t3, "echo"], ["and a console session", afterConsole, "console"],
      [`and HTTP's pages (${pages} of ${PAGES.length} fetched)`, s, "HTTP pages"]] as const;
    json.heap_and_stack = {};
    for (const [when, x, last] of points) {
      const total = x.heap_peak + peakUpTo(last);
      json.heap_and_stack[last] = total;
      lines.push(`${when}: heap + stack ${total} bytes, goal ${GOAL_BYTES}: ${total <= GOAL_BYTES ? `within by ${GOAL_BYTES - total}` :
        `over by ${total - GOAL_BYTES}`} (${core}) = wasm3 heap peak ${x.heap_peak} (at the peak: ${kinds(x.heap_peak_by_kind)}) + ` +
        `C stack peak ${peakUpTo(last)} (painted, ${abi} ABI); ${x.compiled_functions} functions compiled from ` +
        `${x.compiled_wasm_bytes} bytes of wasm; value stack peak ${x.value_stack_peak}; moves to a fresh runtime over the code budget ` +
        `so far ${x.code_resets}`);
    }
    json.stack_peak = { without_http: peakUpTo("console"), with_http: peakUpTo("HTTP pages") };
    lines.push(`C stack peak by phase (painted, ${abi} ABI): ${order.map((k) => `${k} ${stack[k]}`).join(", ")}; ` +
      `largest heap block ${s.heap_largest}; linear memory ${s.linear_memory} bytes (default layout, HTTP on)`);
    link.close();
  } finally {
    await board?.stop();
    ns.destroy();
  }
  return { lines, json };
}
