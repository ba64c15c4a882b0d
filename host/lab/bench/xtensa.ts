// The emulated Xtensa board in npm run bench: lx106 instructions per payload byte for discard,
// chargen and echo over a TAP from Linux nc (the W5500 model's instructions counted apart: it is
// silicon on the real board), the painted C stack peak, wasm3's heap (requested bytes, by kind,
// and the largest block), and flash (text + rodata) of firmware, wasm3 and the module.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { XtensaBoard, XTENSA_ELF, ESP32_SERVICES } from "../../engine/xtensa.js";
import { bridge } from "../../engine/xtensa-serve.js";
import { DEFAULT_WASM } from "../../engine/stack.js";
import { TapLink } from "../../link/tap.js";
import { createNetns, isRoot, STACK_IP, PREFIX } from "../../link/netns.js";
import { parseIp } from "../../link/wire.js";

type Stats = Record<string, any>;

export function xtensaFlash(): { text: number; rodata: number; module: number } {
  const out = execFileSync("xtensa-lx106-elf-size", ["-A", XTENSA_ELF], { encoding: "utf8" });
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

export async function xtensaBench(kib: number): Promise<{ lines: string[]; json: Stats }> {
  if (!existsSync(XTENSA_ELF)) return { lines: [`skipped (${XTENSA_ELF} not built)`], json: { skipped: "not built" } };
  const flash = xtensaFlash();
  const lines = [`flash ${flash.text + flash.rodata} bytes: text ${flash.text} (firmware + wasm3 + picolibc), rodata ${flash.rodata} ` +
    `(of which the module ${flash.module}) [xtensa-lx106-elf-size -A build/synack-xtensa.elf]`];
  const json: Stats = { flash };
  if (!isRoot()) return { lines: [...lines, "transfers skipped (needs root)"], json };
  const ns = createNetns("benchx");
  let board: XtensaBoard | null = null;
  try {
    const link = await TapLink.open(ns.tap, ns.name);
    const t0 = performance.now();
    const now = () => Math.floor(performance.now() - t0) + 1000;
    // The ESP32's default configuration: the board layout (fw_config zeros) and menuconfig's services.
    board = await XtensaBoard.start({ ip: parseIp(STACK_IP)!, prefixLen: PREFIX, time: now(), seed: 1, services: ESP32_SERVICES });
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
    for (const [name, run] of runs) {
      const before = (await b.request("S")).stats!;
      const t = performance.now();
      const got = await run();
      const ms = performance.now() - t;
      await new Promise((r) => setTimeout(r, 200)); // the last ACKs and FINs
      const after = (await b.request("S")).stats!;
      if (got !== n) { lines.push(`${name}: failed (${got} of ${n} bytes)`); continue; }
      const p = perByte(before, after, n);
      json.transfers[name] = { ...p, ms: Math.round(ms) };
      lines.push(`${name.padEnd(7)} ${p.firmware_per_byte} lx106 instructions per payload byte (firmware + wasm3 + module; ` +
        `W5500 model apart: ${p.model_per_byte}), ${kib} KiB, ${(p.spi_bytes / n).toFixed(3)} SPI bytes per byte, ${Math.round(ms)} ms emulated`);
    }
    // What the three transfers needed, then a console session on top (the default services include it).
    const t3 = (await b.request("S")).stats!;
    await ns.run("sh", ["-c", `(echo stats; echo conns; sleep 0.5; echo quit) | nc -N ${STACK_IP} 23`], undefined, 60_000);
    await new Promise((r) => setTimeout(r, 200));
    b.detach();
    const s = (await board.send("S", now())).stats!;
    json.final = s;
    json.after_transfers = { heap_peak: t3.heap_peak, heap_now_by_kind: t3.heap_now_by_kind, stack_peak: t3.stack_peak,
      value_stack_peak: t3.value_stack_peak, compiled_functions: t3.compiled_functions, compiled_wasm_bytes: t3.compiled_wasm_bytes };
    lines.push(`CCOUNT: ${s.calib_insns} instructions (a counted loop) took ${s.calib_ticks} ticks: ` +
      `${(s.calib_insns / s.calib_ticks).toFixed(3)} per tick (figures above use ${s.insns_per_tick})`);
    const kinds = (k: Record<string, number>) => Object.entries(k).map(([n, v]) => `${n} ${v}`).join(", ");
    for (const [when, x] of [["after discard, chargen and echo", t3], ["and a console session", s]] as const) {
      lines.push(`${when}: heap + stack ${x.heap_peak + x.stack_peak} bytes (goal for the ESP32: 163840) = wasm3 heap peak ` +
        `${x.heap_peak} (now ${kinds(x.heap_now_by_kind)}) + C stack peak ${x.stack_peak} (painted; call0 ABI, the ESP32's ` +
        `windowed frames need more); ${x.compiled_functions} functions compiled from ${x.compiled_wasm_bytes} bytes of wasm; ` +
        `value stack peak ${x.value_stack_peak}`);
    }
    lines.push(`largest block ${s.heap_largest}; linear memory ${s.linear_memory} bytes`);
    link.close();
  } finally {
    await board?.stop();
    ns.destroy();
  }
  return { lines, json };
}
