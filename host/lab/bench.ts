// npm run bench: what synack costs and how fast it goes. Numbers only; no test asserts on them.
//   - module size and linear memory
//   - a 16 MiB discard transfer from Linux nc over the TAP (needs root), in MB/s
//   - in-memory echo throughput through the module alone (no kernel, no TAP)
import { statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { Stack, Runner, DEFAULT_WASM } from "../engine/stack.js";
import { TapLink } from "../link/tap.js";
import { createNetns, isRoot, STACK_IP, PREFIX } from "../link/netns.js";
import { NATIVE_BOARD } from "../engine/board.js";
import { existsSync } from "node:fs";

async function tapDiscard(mib: number): Promise<string> {
  if (!isRoot()) return "skipped (needs root)";
  const ns = createNetns("bench");
  let runner: Runner | null = null;
  try {
    const link = await TapLink.open(ns.tap, ns.name);
    const stack = new Stack({ ip: STACK_IP, prefixLen: PREFIX });
    runner = new Runner(stack, link).start();
    await ns.run("ping", ["-c", "1", "-W", "2", STACK_IP]);
    const data = randomBytes(mib << 20);
    const t0 = performance.now();
    const r = await ns.run("nc", ["-N", STACK_IP, "9"], data, 600_000);
    const ms = performance.now() - t0;
    if (r.code !== 0) return `failed: ${r.stderr.trim()}`;
    const retrans = stack.stats().tcpRetransSegs;
    return `${(data.length / 1e6 / (ms / 1000)).toFixed(1)} MB/s (${mib} MiB in ${ms.toFixed(0)} ms, ${retrans} retransmissions)`;
  } finally {
    runner?.stop();
    ns.destroy();
  }
}

/**
 * The native board (wasm3 + simulated W5500) on the same transfer: its MB/s, and the SPI traffic
 * per payload byte, from which the throughput at a given SPI clock follows.
 */
async function boardDiscard(mib: number): Promise<string[]> {
  if (!isRoot()) return ["skipped (needs root)"];
  if (!existsSync(NATIVE_BOARD)) return [`skipped (${NATIVE_BOARD} not built)`];
  const ns = createNetns("benchb");
  try {
    const board = ns.spawn(NATIVE_BOARD, ["--tap", ns.tap, "--ip", `${STACK_IP}/${PREFIX}`], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    board.stderr!.on("data", (d) => { err += d; });
    await new Promise<void>((res) => board.stdout!.once("data", () => res()));
    await ns.run("ping", ["-c", "1", "-W", "2", STACK_IP]);
    const data = randomBytes(mib << 20);
    const t0 = performance.now();
    const r = await ns.run("nc", ["-N", STACK_IP, "9"], data, 600_000);
    const ms = performance.now() - t0;
    const gone = new Promise((res) => board.once("exit", res));
    board.kill("SIGTERM");
    await gone;
    if (r.code !== 0) return [`failed: ${r.stderr.trim()}`];
    const m = /spi (\d+) transactions (\d+) bytes/.exec(err);
    if (!m) return [`no SPI counts: ${err.trim()}`];
    const txns = Number(m[1]), spiBytes = Number(m[2]), payload = data.length;
    // Each transaction costs its bits plus a fixed overhead (chip select, driver call): 10 us assumed.
    const predict = (mhz: number) => {
      const secs = (spiBytes * 8) / (mhz * 1e6) + txns * 10e-6;
      return `${((payload * 8) / secs / 1e6).toFixed(1)} Mbit/s at ${mhz} MHz`;
    };
    return [
      `${(payload / 1e6 / (ms / 1000)).toFixed(1)} MB/s (${mib} MiB in ${ms.toFixed(0)} ms) under wasm3 with ESP32 limits`,
      `SPI: ${(spiBytes / payload).toFixed(3)} bytes and ${(txns / payload * 1000).toFixed(2)} transactions per KB of payload ` +
        `(${txns} transactions, ${spiBytes} bytes); predicts ${predict(20)}, ${predict(40)} (10 us per transaction)`,
    ];
  } finally {
    ns.destroy();
  }
}

async function main(): Promise<void> {
  const probe = new Stack({ ip: STACK_IP, prefixLen: PREFIX });
  console.log(`module        ${DEFAULT_WASM}: ${statSync(DEFAULT_WASM).size} bytes`);
  console.log(`linear memory ${probe.memoryBytes() / 65536} pages (${probe.memoryBytes()} bytes) after init`);
  const mib = Number(process.env.BENCH_MIB ?? 16);
  console.log(`TAP discard   ${await tapDiscard(mib)}`);
  for (const line of await boardDiscard(mib)) console.log(`native board  ${line}`);
}

main().then(() => process.exit(0), (e) => { console.error(`bench: ${e.message}`); process.exit(1); });
