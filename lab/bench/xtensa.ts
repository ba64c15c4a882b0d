// The emulated Xtensa board in npm run bench, on each core (lx106, call0; lx6, the windowed ABI the
// ESP32 runs): instructions per payload byte for discard, chargen and echo over a TAP from Linux nc
// (the W5500 model's instructions counted apart: it is silicon on the real board) and the ESP32's
// throughput predicted from them (predict.ts), the painted C stack peak per phase (start-up,
// handshake, each transfer, console, HTTP's pages on a second board with HTTP on), wasm3's heap
// (requested bytes, by kind, and the largest block), and flash (text + rodata).
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

/** A board with HTTP on (the 4 KiB send rings its pages want) and its pages fetched: its stack and heap peaks. */
async function httpPages(core: XtensaCore): Promise<{ stack_peak: number; heap_peak: number; pages: number }> {
  const ns = createNetns("benchh");
  let board: XtensaBoard | null = null;
  try {
    const link = await TapLink.open(ns.tap, ns.name);
    const t0 = performance.now();
    const now = () => Math.floor(performance.now() - t0) + 1000;
    board = await XtensaBoard.start({ core, ip: parseIp(STACK_IP)!, prefixLen: PREFIX, time: now(), seed: 1,
      services: ESP32_SERVICES | SERVICES.http, txRing: 4096 });
    const b = bridge(board, link, now);
    await ns.run("ping", ["-c", "1", "-W", "2", STACK_IP]);
    let pages = 0;
    for (const path of ["/", "/ladder", "/stats", "/status.json", "/"]) {
      const r = await ns.run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", `http://${STACK_IP}${path}`], undefined, 30_000);
      if (r.stdout.toString() === "200") pages++;
    }
    b.detach();
    const s = (await board.send("S", now())).stats!;
    link.close();
    return { stack_peak: s.stack_peak, heap_peak: s.heap_peak, pages };
  } finally {
    await board?.stop();
    ns.destroy();
  }
}

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
    // The ESP32's default configuration: the board layout (fw_config zeros) and menuconfig's services.
    board = await XtensaBoard.start({ core, ip: parseIp(STACK_IP)!, prefixLen: PREFIX, time: now(), seed: 1, services: ESP32_SERVICES });
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
    // What the three transfers needed, then a console session on top (the default services include it).
    const t3 = (await b.request("S")).stats!;
    await ns.run("sh", ["-c", `(echo stats; echo conns; sleep 0.5; echo quit) | nc -N ${STACK_IP} 23`], undefined, 60_000);
    await new Promise((r) => setTimeout(r, 200));
    await phase("console");
    b.detach();
    const s = (await board.send("S", now())).stats!;
    json.final = s;
    json.after_transfers = { heap_peak: t3.heap_peak, heap_now_by_kind: t3.heap_now_by_kind, stack_peak: t3.stack_peak,
      value_stack_peak: t3.value_stack_peak, compiled_functions: t3.compiled_functions, compiled_wasm_bytes: t3.compiled_wasm_bytes };
    lines.push(...predictions, `(predicted: ${CPU_HZ / 1e6} MHz, one instruction per cycle; SPI bytes at the clock; ${TRANSACTION_US} us per ` +
      `SPI transaction; the W5500's own time not counted. ESP-IDF's lwIP + W5500 at 20 MHz: ~${IDF_LWIP_MBITS.up}/${IDF_LWIP_MBITS.down} Mbit/s up/down)`);
    lines.push(`CCOUNT: ${s.calib_insns} instructions (a counted loop) took ${s.calib_ticks} ticks: ` +
      `${(s.calib_insns / s.calib_ticks).toFixed(3)} per tick (figures above use ${s.insns_per_tick})`);
    const kinds = (k: Record<string, number>) => Object.entries(k).map(([n, v]) => `${n} ${v}`).join(", ");
    const peakOf = (x: Stats) => Math.max(...Object.entries(stack).filter(([k]) => x === s || k !== "console").map(([, v]) => v));
    for (const [when, x] of [["after discard, chargen and echo", t3], ["and a console session", s]] as const) {
      lines.push(`${when}: heap + stack ${x.heap_peak + peakOf(x)} bytes (goal for the ESP32: 163840) = wasm3 heap peak ` +
        `${x.heap_peak} (now ${kinds(x.heap_now_by_kind)}) + C stack peak ${peakOf(x)} (painted, the phases so far; ${abi} ABI); ` +
        `${x.compiled_functions} functions compiled from ${x.compiled_wasm_bytes} bytes of wasm; value stack peak ${x.value_stack_peak}`);
    }
    lines.push(`largest block ${s.heap_largest}; linear memory ${s.linear_memory} bytes`);
    link.close();
    await board.stop();
    board = null;
    // HTTP's pages on a second board (services + http), after the first has gone.
    const withoutHttp = peakOf(s); // before HTTP's phase joins the table peakOf reads
    const http = await httpPages(core);
    stack["HTTP pages"] = http.stack_peak;
    json.stack_by_phase = stack;
    json.http = http;
    json.stack_peak = { without_http: withoutHttp, with_http: Math.max(...Object.values(stack)) };
    lines.push(`C stack peak by phase (painted, ${abi} ABI): ${Object.entries(stack).map(([k, v]) => `${k} ${v}`).join(", ")}; ` +
      `HTTP board (default services + http, 4 KiB send rings, ${http.pages} of 5 pages fetched): heap peak ${http.heap_peak}, ` +
      `heap + stack ${http.heap_peak + Math.max(http.stack_peak, withoutHttp)}`);
  } finally {
    await board?.stop();
    ns.destroy();
  }
  return { lines, json };
}
