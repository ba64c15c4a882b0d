// One engine's row: the four columns and the lossy goodput (upload and download with data segments
// dropped on the path, path.ts), each a run of client.py inside the client's namespace, bounded in
// bytes and time.
import { CLIENT, Running } from "./engines.js";
import { behindRouter } from "../path.js";
import type { Netns } from "../../host/link/netns.js";

export interface Sizes {
  /** Bytes up (discard) and down (chargen). */
  bytes: number;
  /** Echo round trips of 64 bytes. */
  echoes: number;
  /** Seconds of sequential connect/close. */
  connectSeconds: number;
  /** Bytes moved under each loss rate, each way. */
  lossyBytes: number;
  /** Loss rates, per mille of the data segments, dropped on the path (path.ts). */
  lossPerMille: number[];
}

export const FULL: Sizes = { bytes: 16 << 20, echoes: 200, connectSeconds: 2, lossyBytes: 8 << 20, lossPerMille: [10, 30] };

export interface Row {
  uploadMBps: number | null;
  downloadMBps: number | null;
  echoMedianUs: number | null;
  connectsPerSecond: number | null;
  /** The server's CPU time per MiB moved (all its processes: for V8, node and the tapio relay). */
  uploadCpuMsPerMiB: number | null;
  downloadCpuMsPerMiB: number | null;
  /** Goodput in MB/s by loss rate and direction ("1% up", "1% down", ...), and the segments the router dropped. */
  lossy: Record<string, { MBps: number | null; dropped: number }>;
  errors: string[];
  /** Columns whose transfer hit its time bound (the number is the goodput until then). */
  partial?: string[];
}

/** One client.py measurement; its JSON, or an error message. */
async function client(ns: Netns, args: string[], timeoutMs: number): Promise<Record<string, number> | string> {
  const r = await ns.run("python3", [CLIENT, ...args], undefined, timeoutMs);
  const line = r.stdout.toString().trim().split("\n").pop() ?? "";
  try {
    const j = JSON.parse(line);
    if (j.error) return `${args[0]}: ${j.error}`;
    return j;
  } catch {
    return `${args[0]}: ${r.code === null ? `no answer in ${timeoutMs / 1000} s` : (r.stderr.trim().split("\n").pop() || `exit ${r.code}`)}`;
  }
}

export async function measure(s: Running, z: Sizes): Promise<Row> {
  const row: Row = { uploadMBps: null, downloadMBps: null, echoMedianUs: null, connectsPerSecond: null, uploadCpuMsPerMiB: null, downloadCpuMsPerMiB: null, lossy: {}, errors: [] };
  // Each transfer has a time bound (5 s + 1 s per MB at least): one that reaches it stops there and
  // counts the goodput so far (marked partial), so a pathological engine costs seconds, not minutes.
  const boundS = (bytes: number) => 5 + bytes / 1e6;
  const transferMs = (bytes: number) => boundS(bytes) * 1000 + 15_000;
  const take = (r: Record<string, number> | string, key: string, col?: string): number | null => {
    if (typeof r === "string") { row.errors.push(r); return null; }
    if (r.partial && col) (row.partial ??= []).push(col);
    return r[key];
  };
  const h = s.host;
  const mib = z.bytes / (1 << 20);
  const perMiB = (c0: number | null) => { const c1 = s.cpuMs(); return c0 === null || c1 === null ? null : (c1 - c0) / mib; };
  let c0 = s.cpuMs();
  row.uploadMBps = take(await client(s.client, ["upload", h, "9", String(z.bytes), String(boundS(z.bytes))], transferMs(z.bytes)), "mbps", "upload");
  row.uploadCpuMsPerMiB = perMiB(c0);
  c0 = s.cpuMs();
  row.downloadMBps = take(await client(s.client, ["download", h, "19", String(z.bytes), String(boundS(z.bytes))], transferMs(z.bytes)), "mbps", "download");
  row.downloadCpuMsPerMiB = perMiB(c0);
  row.echoMedianUs = take(await client(s.client, ["echo", h, "7", String(z.echoes), "64"], 30_000), "median_us");
  row.connectsPerSecond = take(await client(s.client, ["connect", h, "9", String(z.connectSeconds)], z.connectSeconds * 1000 + 30_000), "per_second");
  if (z.lossPerMille.length === 0) return row;
  // Loss on the path: the client moves behind a router namespace that drops (path.ts).
  const path = behindRouter({ router: s.client, routerIf: s.clientIf, host: h, kernelIf: s.kernelIf });
  try {
    for (const [dir, port, tag] of [["upload", "9", "up"], ["download", "19", "down"]] as const) {
      for (const pm of z.lossPerMille) {
        const key = `${pm / 10}% ${tag}`;
        path.lossOn(pm, dir);
        let got: number | null = null;
        try {
          got = take(await client(path.client, [dir, h, port, String(z.lossyBytes), String(boundS(z.lossyBytes))], transferMs(z.lossyBytes)), "mbps", `lossy ${key}`);
        } finally {
          row.lossy[key] = { MBps: got, dropped: path.lossOff() };
        }
      }
    }
  } finally {
    path.destroy();
  }
  return row;
}
