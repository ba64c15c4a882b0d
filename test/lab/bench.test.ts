// The bench's harness at tiny sizes, so it cannot rot: every engine starts, every column gets a
// number, build/bench.json parses and the SVG is well-formed. Speed is not asserted (npm run bench).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { isRoot } from "../../host/link/netns.js";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { svg, table } from "../../lab/bench/report.js";
import type { BenchResult } from "../../lab/bench/report.js";

const skip = isRoot() ? false : "needs root to create network namespaces and TAPs";
const BENCH = resolve(PACKAGE_ROOT, "build/lab/bench.js");

test("bench at 64 KiB, 5 echoes: every engine, every column, valid JSON and SVG, namespaces gone", { skip, timeout: 240_000 }, async () => {
  const out = mkdtempSync(resolve(tmpdir(), "synack-bench-"));
  try {
    let pid = 0;
    const stdout = await new Promise<string>((res, rej) => {
      pid = execFile(process.execPath, [BENCH, "--mib", "0.0625", "--lossy-mib", "0.0625", "--echoes", "5", "--connect-seconds", "0.2", "--out", out],
        { timeout: 200_000 }, (err, so, se) => (err ? rej(new Error(`${err.message}\n${se}`)) : res(so))).pid!;
    });
    const r = JSON.parse(readFileSync(resolve(out, "bench.json"), "utf8")) as BenchResult;
    assert.deepEqual(r.engines.map((e) => e.engine), ["v8", "v8relay", "native", "lwip", "linux"]);
    for (const e of r.engines) {
      assert.ok(e.row, `${e.engine} skipped: ${e.skipped}`);
      assert.deepEqual(e.row.errors, [], `${e.engine}: ${e.row.errors.join("; ")}`);
      for (const v of [e.row.uploadMBps, e.row.downloadMBps, e.row.echoMedianUs, e.row.connectsPerSecond]) {
        assert.ok(typeof v === "number" && v > 0, `${e.engine}: a column without a number: ${JSON.stringify(e.row)}`);
      }
      assert.deepEqual(Object.keys(e.row.lossy), ["1% up", "3% up", "1% down", "3% down"]);
      for (const l of Object.values(e.row.lossy)) {
        assert.ok(typeof l.MBps === "number" && l.MBps > 0 && Number.isInteger(l.dropped), `${e.engine} lossy: ${JSON.stringify(e.row.lossy)}`);
      }
    }
    for (const e of r.engines) {
      const cpu = [e.row!.uploadCpuMsPerMiB, e.row!.downloadCpuMsPerMiB];
      if (e.engine === "linux") assert.deepEqual(cpu, [null, null]);
      else for (const v of cpu) assert.ok(typeof v === "number" && v >= 0, `${e.engine} CPU: ${cpu}`);
    }
    assert.ok(r.module.bytes > 0 && r.module.linearMemoryBytes > 0);
    assert.ok(r.layout!.boardNeed > r.layout!.boardUsed && r.layout!.connUsed > r.layout!.timeWaitRecord, `layout: ${JSON.stringify(r.layout)}`);
    assert.ok(stdout.includes("board default layout") && stdout.includes("a TIME-WAIT record"), "the layout's lines printed");
    const spi = r.chip.spi as { transactionsPerKB?: number };
    assert.ok(typeof spi === "object" && spi.transactionsPerKB! > 0, `SPI: ${JSON.stringify(spi)}`);
    const xt = r.chip.xtensa as { transfers?: Record<string, { firmware_per_byte: number }>; skipped?: string };
    if (!xt.skipped) for (const t of ["discard", "chargen", "echo"]) assert.ok(xt.transfers![t]?.firmware_per_byte > 0, `xtensa ${t}: ${JSON.stringify(xt)}`);
    const w = r.chip.lx6 as { transfers?: Record<string, { predicted: { mbits_20mhz: number } }>; stack_by_phase?: Record<string, number>; skipped?: string };
    if (w && !w.skipped) {
      for (const t of ["discard", "chargen", "echo"]) assert.ok(w.transfers![t]?.predicted.mbits_20mhz > 0, `lx6 ${t}: ${JSON.stringify(w)}`);
      assert.deepEqual(Object.keys(w.stack_by_phase!), ["start-up", "handshake", "discard", "chargen", "echo", "console", "HTTP pages"]);
    }
    const s = readFileSync(resolve(out, "bench.svg"), "utf8");
    assert.match(s, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(s, /<\/svg>\n$/);
    assert.equal((s.match(/<rect /g) ?? []).length, 1 + 5 * 6 + 5, "background, 5 engines x 6 throughput groups, 5 legend keys");
    for (const label of ["upload MB/s", "download MB/s", "64 B echo RTT us", "connections/s", "CPU ms/MiB up", "1% loss up MB/s", "3% loss down MB/s"]) {
      assert.ok(stdout.includes(label), `table lacks ${label}`);
    }
    const ns = await new Promise<string>((res) => execFile("ip", ["netns", "list"], (_e, so) => res(so)));
    assert.doesNotMatch(ns, new RegExp(`^synack-\\w+-${pid}-`, "m"), "a bench namespace was left behind");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("bench report: ratios oriented so > 1 beats lwIP, SVG escapes labels, a skipped engine says why", () => {
  const row = (u: number, rtt: number) => ({ uploadMBps: u, downloadMBps: u, echoMedianUs: rtt, connectsPerSecond: u, uploadCpuMsPerMiB: rtt, downloadCpuMsPerMiB: null, lossy: { "1% up": { MBps: u, dropped: 1 } }, errors: [] });
  const r: BenchResult = {
    when: "now", sizes: { lossyMiB: 1 }, module: { bytes: 1, linearMemoryBytes: 1, memoryUsedBytes: 1 }, chip: {},
    engines: [
      { engine: "v8", label: "a<b", row: row(20, 50) },
      { engine: "lwip", label: "lwIP", row: row(10, 100) },
      { engine: "native", label: "n", row: null, skipped: "not built" },
    ],
  };
  const t = table(r);
  assert.match(t, /20\.0 \(2\.00x\)/);
  assert.match(t, /50 \(2\.00x\)/, "half lwIP's RTT is 2x");
  assert.match(t, /skipped: not built/);
  const s = svg(r);
  assert.ok(s.includes("a&lt;b") && !s.includes("a<b"));
});
