// npm run bench: synack side by side with lwIP and the Linux kernel, in one run, as ratios.
//   engines: synack on V8 (`synack serve`, PC layout; the TAP in-process through the N-API helper,
//   and again through the tapio relay), the native board (wasm3 + W5500 model),
//   lwIP (build/lwipserve) on the same kind of TAP, the Linux kernel over a veth pair.
//   columns: upload (discard), download (chargen), median 64-byte echo RTT, sequential
//   connect/close per second, and upload and download goodput with 1 % and 3 % of the data
//   segments dropped on the path (the client behind a router namespace that drops: lab/path.ts).
//   Then the board's sending rate (a program on the native board writing 1 MiB to Linux's nc with
//   default options: lab/bench/boardsend.ts) and the emulated chip's figures.
// Prints a table, writes build/bench.json and build/bench.svg. Numbers only: no test asserts them.
//   node build/lab/bench.js [--mib N] [--lossy-mib N] [--echoes N] [--connect-seconds S]
//                                [--engines v8,v8relay,native,lwip,linux] [--out DIR] [--no-chip]
//                                [--loss 10,30|none] (per mille of data segments)
//   (BENCH_MIB=N is --mib N)
import { boardSend, describeBoardSend } from "./bench/boardsend.js";
import { statSync, writeFileSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { Stack, DEFAULT_WASM, PACKAGE_ROOT } from "../host/engine/stack.js";
import { PC_LAYOUT } from "../host/engine/options.js";
import { isRoot, STACK_IP, PREFIX } from "../host/link/netns.js";
import { ENGINES, EngineName, LABELS, start, unavailable } from "./bench/engines.js";
import { FULL, Sizes, measure } from "./bench/measure.js";
import { BenchResult, EngineResult, table, svg } from "./bench/report.js";
import { CHIP_FIGURES } from "./bench/chip.js";
import { layoutFigures } from "./bench/layout.js";
import { TAP_ADDON } from "../host/link/tap.js";
import { existsSync } from "node:fs";

const label = (e: EngineName) => (e === "v8" && !existsSync(TAP_ADDON) ? `${LABELS.v8} (no N-API helper: relay)` : LABELS[e]);

interface Args { sizes: Sizes; engines: EngineName[]; out: string; chip: boolean }

function parse(argv: string[]): Args {
  const a: Args = { sizes: { ...FULL }, engines: [...ENGINES], out: resolve(PACKAGE_ROOT, "build"), chip: true };
  if (process.env.BENCH_MIB) a.sizes.bytes = Math.round(Number(process.env.BENCH_MIB) * (1 << 20)) || FULL.bytes;
  const num = (v: string | undefined, f: string) => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n <= 0) throw new Error(`${f} needs a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    switch (f) {
      case "--mib": a.sizes.bytes = Math.round(num(argv[++i], f) * (1 << 20)); break;
      case "--lossy-mib": a.sizes.lossyBytes = Math.round(num(argv[++i], f) * (1 << 20)); break;
      case "--echoes": a.sizes.echoes = Math.round(num(argv[++i], f)); break;
      case "--connect-seconds": a.sizes.connectSeconds = num(argv[++i], f); break;
      case "--out": a.out = resolve(argv[++i] ?? "."); break;
      case "--no-chip": a.chip = false; break;
      case "--loss": { // per mille, comma-separated, or none
        const v = argv[++i] ?? "";
        a.sizes.lossPerMille = v === "none" ? [] : v.split(",").map((x) => num(x, f));
        break;
      }
      case "--engines": {
        const list = (argv[++i] ?? "").split(",");
        for (const e of list) if (!ENGINES.includes(e as EngineName)) throw new Error(`unknown engine: ${e} (${ENGINES.join(", ")})`);
        a.engines = list as EngineName[];
        break;
      }
      default: throw new Error(`unknown flag: ${f}`);
    }
  }
  return a;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const z = args.sizes;
  const probe = new Stack({ ip: STACK_IP, prefixLen: PREFIX, layout: PC_LAYOUT });
  const result: BenchResult = {
    when: new Date().toISOString(),
    sizes: { MiB: z.bytes / (1 << 20), echoes: z.echoes, connectSeconds: z.connectSeconds, lossyMiB: z.lossyBytes / (1 << 20), lossPerMille: z.lossPerMille },
    module: { bytes: statSync(DEFAULT_WASM).size, linearMemoryBytes: probe.memoryBytes(), memoryUsedBytes: probe.memoryUsed() },
    engines: [],
    chip: {},
  };
  console.log(`module ${DEFAULT_WASM}: ${result.module.bytes} bytes; linear memory with the PC layout ` +
    `(${PC_LAYOUT.conns} x ${PC_LAYOUT.rxRing}/${PC_LAYOUT.txRing}): ${result.module.linearMemoryBytes} bytes, ${result.module.memoryUsedBytes} used`);
  const layout = await layoutFigures();
  result.layout = layout.json;
  for (const l of layout.lines) console.log(l);
  if (!isRoot()) {
    for (const e of args.engines) result.engines.push({ engine: e, label: label(e), row: null, skipped: "needs root (namespaces, TAP)" });
  } else {
    for (const e of args.engines) {
      const why = unavailable(e);
      const er: EngineResult = { engine: e, label: label(e), row: null };
      result.engines.push(er);
      if (why) { er.skipped = why; continue; }
      process.stderr.write(`bench: ${label(e)}...\n`);
      let s;
      try { s = await start(e); } catch (err) { er.skipped = (err as Error).message; continue; }
      try { er.row = await measure(s, z); } finally { await s.stop(); }
      for (const m of er.row.errors) process.stderr.write(`bench: ${e}: ${m}\n`);
    }
    process.stderr.write(`bench: board sending...\n`);
    result.boardSend = await boardSend(1).catch((e: Error) => e.message);
    for (const c of CHIP_FIGURES) {
      if (!args.chip) continue;
      process.stderr.write(`bench: chip figures: ${c.key}...\n`);
      result.chip[c.key] = c.unavailable() ?? await c.run(z.bytes).catch((e: Error) => e.message);
    }
  }
  mkdirSync(args.out, { recursive: true });
  writeFileSync(resolve(args.out, "bench.json"), JSON.stringify(result, null, 2) + "\n");
  writeFileSync(resolve(args.out, "bench.svg"), svg(result));
  console.log(table(result));
  for (const c of CHIP_FIGURES) {
    const f = result.chip[c.key];
    if (f === undefined) continue;
    console.log(typeof f === "string" ? `${c.key}: ${f}` : c.describe(f as Record<string, number>));
  }
  if (result.boardSend !== undefined) console.log(typeof result.boardSend === "string" ? `board sending: ${result.boardSend}` : describeBoardSend(result.boardSend));
  console.log(`wrote ${resolve(args.out, "bench.json")} and bench.svg`);
}

main().then(() => process.exit(0), (e) => { console.error(`bench: ${e.message}`); process.exit(1); });
