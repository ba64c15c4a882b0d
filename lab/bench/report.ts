// The bench's outputs: one text table (with ratios to lwIP), build/bench.json and build/bench.svg.
import type { BoardSend } from "./boardsend.js";
import type { Row } from "./measure.js";

export interface EngineResult { engine: string; label: string; row: Row | null; skipped?: string }

export interface BenchResult {
  when: string;
  sizes: Record<string, unknown>;
  module: { bytes: number; linearMemoryBytes: number; memoryUsedBytes: number };
  engines: EngineResult[];
  /** Figures that are not a TAP row: SPI traffic, the emulated chip's instruction counts. */
  chip: Record<string, unknown>;
  /** The board's linear memory: its default layout, a connection record, a TIME-WAIT record (layout.ts). */
  layout?: Record<string, number>;
  /** 1 MiB written by a program on the native board to Linux's nc (boardsend.ts), or why not. */
  boardSend?: BoardSend | string;
  /** Per-frame cost of the V8 engine's I/O path (see frameio.ts). */
  frameio?: Record<string, unknown>;
}

type Col = { key: string; head: string; get: (r: Row) => number | null; higherBetter: boolean; digits: number };

export function columns(r: BenchResult): Col[] {
  const cols: Col[] = [
    { key: "upload", head: "upload MB/s", get: (x) => x.uploadMBps, higherBetter: true, digits: 1 },
    { key: "download", head: "download MB/s", get: (x) => x.downloadMBps, higherBetter: true, digits: 1 },
    { key: "echo", head: "64 B echo RTT us", get: (x) => x.echoMedianUs, higherBetter: false, digits: 0 },
    { key: "connect", head: "connections/s", get: (x) => x.connectsPerSecond, higherBetter: true, digits: 0 },
  ];
  cols.push(
    { key: "cpuUp", head: "CPU ms/MiB up", get: (x) => x.uploadCpuMsPerMiB, higherBetter: false, digits: 1 },
    { key: "cpuDown", head: "CPU ms/MiB down", get: (x) => x.downloadCpuMsPerMiB, higherBetter: false, digits: 1 },
  );
  const lossKeys = Object.keys(r.engines.find((e) => e.row)?.row?.lossy ?? {});
  for (const k of lossKeys) {
    cols.push({ key: `lossy ${k}`, head: `${k.replace(" ", " loss ")} MB/s`, get: (x) => x.lossy[k]?.MBps ?? null, higherBetter: true, digits: 1 });
  }
  return cols;
}

/** value / lwIP's value, oriented so that > 1 is better than lwIP (RTT: lwIP's / ours). */
export function ratio(c: Col, v: number | null, ref: number | null): number | null {
  if (v === null || ref === null || v <= 0 || ref <= 0) return null;
  return c.higherBetter ? v / ref : ref / v;
}

export function table(r: BenchResult): string {
  const cols = columns(r);
  const ref = r.engines.find((e) => e.engine === "lwip")?.row ?? null;
  const head = ["engine", ...cols.map((c) => c.head)];
  const lines: string[][] = [head];
  for (const e of r.engines) {
    if (!e.row) { lines.push([e.label, `skipped: ${e.skipped}`]); continue; }
    lines.push([e.label, ...cols.map((c) => {
      const v = c.get(e.row!);
      if (v === null) return c.key.startsWith("cpu") ? "-" : "failed";
      const q = ref && e.engine !== "lwip" ? ratio(c, v, c.get(ref)) : null;
      const cut = e.row!.partial?.includes(c.key) ? "*" : "";
      return `${v.toFixed(c.digits)}${cut}${q === null ? "" : ` (${q.toFixed(2)}x)`}`;
    })]);
  }
  const w = head.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length)));
  const out = lines.map((l) => l.map((s, i) => (l.length === 2 && i === 1 ? s : s.padEnd(w[i]))).join("  ").trimEnd());
  out.splice(1, 0, w.map((n) => "-".repeat(n)).join("  "));
  return out.join("\n") + "\n(x) = ratio to lwIP, > 1 is better than lwIP (RTT and CPU: lwIP's / this one's); CPU = the server's processes\n" +
    "(V8: node, and tapio when relayed) per MiB moved, from /proc at 10 ms resolution; the kernel's is not attributable (-);\n" +
    "a number marked * is a transfer cut at its time bound: the goodput until then\n";
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Grouped bars: per throughput column (upload, download, lossy...), one bar per engine; log scale. */
export function svg(r: BenchResult): string {
  const cols = columns(r).filter((c) => !["echo", "connect", "cpuUp", "cpuDown"].includes(c.key));
  const engines = r.engines.filter((e) => e.row);
  const colors = ["#d9480f", "#1971c2", "#2b8a3e", "#5f3dc4", "#868e96", "#e67700"];
  const W = 760, H = 360, left = 60, top = 40, bottom = 60, right = 170;
  const plotW = W - left - right, plotH = H - top - bottom;
  const values = engines.flatMap((e) => cols.map((c) => c.get(e.row!) ?? 0)).filter((v) => v > 0);
  const maxV = Math.max(1, ...values);
  const decades = Math.max(1, Math.ceil(Math.log10(maxV) + 1)); // from 0.1 MB/s
  const y = (v: number) => top + plotH - (v <= 0.1 ? 0 : (Math.log10(v) + 1) / decades * plotH);
  const groupW = plotW / Math.max(1, cols.length);
  const barW = Math.max(4, (groupW - 16) / Math.max(1, engines.length));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">synack bench: throughput and lossy goodput (MB/s, log scale)</text>`);
  for (let d = 0; d <= decades; d++) {
    const v = 10 ** (d - 1), yy = y(v);
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}" stroke="#dee2e6"/>`);
    parts.push(`<text x="${left - 6}" y="${(yy + 4).toFixed(1)}" text-anchor="end">${v >= 1 ? v.toFixed(0) : v}</text>`);
  }
  cols.forEach((c, ci) => {
    const gx = left + ci * groupW + 8;
    engines.forEach((e, ei) => {
      const v = c.get(e.row!) ?? 0;
      const yy = y(v), x = gx + ei * barW;
      parts.push(`<rect x="${x.toFixed(1)}" y="${yy.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(top + plotH - yy).toFixed(1)}" fill="${colors[ei % colors.length]}"><title>${esc(e.label)}: ${v.toFixed(1)} MB/s</title></rect>`);
    });
    parts.push(`<text x="${(gx + (groupW - 16) / 2).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle">${esc(c.head.replace(" MB/s", ""))}</text>`);
  });
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#495057"/>`);
  parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#495057"/>`);
  engines.forEach((e, ei) => {
    const yy = top + 10 + ei * 18;
    parts.push(`<rect x="${W - right + 14}" y="${yy - 9}" width="12" height="12" fill="${colors[ei % colors.length]}"/>`);
    parts.push(`<text x="${W - right + 32}" y="${yy + 1}">${esc(e.label)}</text>`);
  });
  parts.push(`<text x="${left}" y="${H - 12}" fill="#495057">${esc(r.when)}; lossy = ${esc(String(r.sizes.lossyMiB))} MiB up or down with that share of data segments dropped on the path</text>`);
  parts.push(`</svg>`);
  return parts.join("\n") + "\n";
}
