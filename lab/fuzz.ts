// npm run fuzz -- --frames N [--seed S]: structure-aware mutations of valid Ethernet/IPv4/TCP/
// ICMP/ARP frames in every TCP state. A trap, a hang (a case running over 10 s) or a broken
// invariant is saved under test/fuzz/cases/, which npm test replays.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "./netsim.js";
import { makeCase, play, FuzzCase } from "./fuzzcase.js";
import { PACKAGE_ROOT } from "../host/engine/stack.js";

const PER_CASE = 32;
const CASES_DIR = resolve(PACKAGE_ROOT, "test/fuzz/cases");

function save(c: FuzzCase): string {
  mkdirSync(CASES_DIR, { recursive: true });
  const name = `${c.kind}-${c.scenario}-${Date.now().toString(36)}.json`;
  writeFileSync(resolve(CASES_DIR, name), JSON.stringify(c, null, 1) + "\n");
  return name;
}

function worker(): void {
  const { seed, cases, shared } = workerData as { seed: number; cases: number; shared: SharedArrayBuffer };
  const beat = new Int32Array(shared, 0, 1);
  const rng = new Rng(seed);
  for (let i = 0; i < cases; i++) {
    const c = makeCase(rng, PER_CASE);
    parentPort!.postMessage({ current: c });
    let problem: string | null = null, kind = "invariant";
    try { problem = play(c); } catch (e) { problem = (e as Error).message; kind = "trap"; }
    if (problem) parentPort!.postMessage({ found: { ...c, kind, detail: problem } });
    Atomics.add(beat, 0, 1);
  }
  parentPort!.postMessage({ done: true });
}

function main(argv: string[]): Promise<number> {
  let frames = 20_000, seed = Date.now() >>> 0;
  for (let i = 0; i < argv.length; i++) {
    const v = Number(argv[i + 1]);
    if (argv[i] === "--frames" && Number.isInteger(v) && v > 0) { frames = v; i++; }
    else if (argv[i] === "--seed" && Number.isInteger(v)) { seed = v >>> 0; i++; }
    else { process.stderr.write(`fuzz: bad argument ${argv[i]} (--frames N [--seed S])\n`); return Promise.resolve(2); }
  }
  const cases = Math.ceil(frames / PER_CASE);
  const shared = new SharedArrayBuffer(4);
  const beat = new Int32Array(shared);
  const w = new Worker(fileURLToPath(import.meta.url), { workerData: { seed, cases, shared } });
  const t0 = performance.now();
  let current: FuzzCase | null = null;
  let found = 0, last = 0, stale = 0;
  return new Promise((res) => {
    const finish = (code: number) => {
      clearInterval(watch);
      const secs = (performance.now() - t0) / 1000;
      const ran = Atomics.load(beat, 0) * PER_CASE;
      console.log(`fuzz: seed ${seed}: ${ran} frames in ${secs.toFixed(1)} s (${Math.round(ran / secs)} frames/s), ${found} problems`);
      res(code);
    };
    const watch = setInterval(() => {
      const now = Atomics.load(beat, 0);
      stale = now === last ? stale + 1 : 0;
      last = now;
      if (stale >= 10 && current) {
        found++;
        console.log(`fuzz: HANG in ${current.scenario}: saved ${save({ ...current, kind: "hang", detail: "no progress for 10 s" })}`);
        void w.terminate();
        finish(1);
      }
    }, 1000);
    w.on("message", (m: { current?: FuzzCase; found?: FuzzCase; done?: boolean }) => {
      if (m.current) current = m.current;
      if (m.found) { found++; console.log(`fuzz: ${m.found.kind} in ${m.found.scenario}: ${m.found.detail}: saved ${save(m.found)}`); }
      if (m.done) finish(found ? 1 : 0);
    });
    w.on("error", (e) => { console.log(`fuzz: worker died: ${e.message}`); finish(1); });
  });
}

if (!isMainThread) worker();
else if (process.argv[1]?.endsWith("fuzz.js")) main(process.argv.slice(2)).then((c) => process.exit(c));
