// Goodput under loss on the path, with the counters that show where it went:
//   node build/lab/pathloss.js [--engine v8|native|lwip|linux] [--loss 10,30] [--mib 8]
//                                   [--dir upload,download] [--runs 1]
// The topology is path.ts's (the client behind a router namespace whose forward chain drops data
// segments: a real loss on the path), the servers the bench's (bench/engines.ts); the bench's
// lossy columns are the same measurement without the counters. Upload tests the engine as the
// receiver (synack's SACK blocks), download as the sender (its scoreboard).
// Prints one JSON line per run: goodput, segments dropped, synack's (if it serves them on port 23)
// and the client's Linux counters.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { isRoot } from "../host/link/netns.js";
import { behindRouter, Direction, LossyPath } from "./path.js";
import { CLIENT, ENGINES, EngineName, Running, start, unavailable } from "./bench/engines.js";

const OURS = ["tcpOooSegs", "tcpDropOooFull", "tcpRetransSegs", "tcpFastRetransmits", "tcpTimeouts", "tcpSackRecoveries", "tcpSackLostRetransmits"];
const LINUX = ["TcpRetransSegs", "TcpExtTCPSackRecovery", "TcpExtTCPTimeouts", "TcpExtTCPLostRetransmit"];
// nstat keeps its history in a file per user, which other runs (other namespaces) share: ours is ours.
const NSTAT_ENV = { ...process.env, NSTAT_HISTORY: `/tmp/synack-pathloss-nstat-${process.pid}` };

async function run(s: Running, path: LossyPath, perMille: number, dir: Direction, bytes: number): Promise<Record<string, unknown>> {
  const client = path.client;
  // synack's counters run from its start (one server for all runs): each run prints the difference.
  const ours = async () => {
    const text = (await client.run("sh", ["-c", `printf 'stats\\nquit\\n' | nc -q 2 ${s.host} 23`], undefined, 10_000)).stdout.toString();
    return OURS.map((k) => Number(new RegExp(`${k}\\s+(\\d+)`).exec(text)?.[1] ?? NaN));
  };
  const before = await ours();
  execFileSync("ip", ["netns", "exec", client.name, "nstat", "-n"], { env: NSTAT_ENV });
  path.lossOn(perMille, dir);
  let got: { mbps?: number; partial?: boolean } = {};
  let dropped = 0;
  try {
    const r = await client.run("python3", [CLIENT, dir, s.host, dir === "upload" ? "9" : "19", String(bytes), String(10 + bytes / 1e6)], undefined, 120_000);
    try { got = JSON.parse(r.stdout.toString().trim().split("\n").pop() || "{}"); } catch { /* no answer */ }
  } finally {
    dropped = path.lossOff();
  }
  const after = await ours();
  const kernel = execFileSync("ip", ["netns", "exec", client.name, "nstat", "-z", ...LINUX], { encoding: "utf8", env: NSTAT_ENV });
  return {
    loss: `${perMille / 10}%`, dir, MBps: got.mbps ?? null, partial: !!got.partial, dropped,
    synack: Object.fromEntries(OURS.map((k, i) => [k, after[i] - before[i]])),
    linux: Object.fromEntries(LINUX.map((k) => [k, Number(new RegExp(`${k}\\s+(\\d+)`).exec(kernel)?.[1] ?? 0)])),
  };
}

async function main(argv: string[]): Promise<number> {
  let loss = [10, 30], mib = 8, dirs: Direction[] = ["upload", "download"], runs = 1, engine: EngineName = "v8";
  for (let i = 0; i < argv.length; i++) {
    const v = argv[++i] ?? "";
    switch (argv[i - 1]) {
      case "--engine": engine = v as EngineName; break;
      case "--loss": loss = v.split(",").map(Number); break;
      case "--mib": mib = Number(v); break;
      case "--dir": dirs = v.split(",") as typeof dirs; break;
      case "--runs": runs = Number(v); break;
      default: console.error(`pathloss: unknown flag ${argv[i - 1]}`); return 2;
    }
  }
  if (loss.some((x) => !(x >= 0 && x < 1000)) || !(mib > 0) || !(runs >= 1) || dirs.some((d) => d !== "upload" && d !== "download") || !ENGINES.includes(engine)) {
    console.error(`pathloss: --engine ${ENGINES.join("|")}, --loss per mille 0..999, --mib > 0, --runs >= 1, --dir upload,download`);
    return 2;
  }
  if (!isRoot()) { console.error("pathloss: needs root (it makes network namespaces)"); return 1; }
  const why = unavailable(engine);
  if (why) { console.error(`pathloss: ${why}`); return 1; }
  const s = await start(engine);
  try {
    const path = behindRouter({ router: s.client, routerIf: s.clientIf, host: s.host, kernelIf: s.kernelIf });
    try {
      for (let k = 0; k < runs; k++) {
        for (const d of dirs) for (const pm of loss) console.log(JSON.stringify(await run(s, path, pm, d, Math.round(mib * (1 << 20)))));
      }
    } finally {
      path.destroy();
    }
  } finally {
    await s.stop();
    rmSync(NSTAT_ENV.NSTAT_HISTORY, { force: true });
  }
  return 0;
}

main(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { console.error(`pathloss: ${(e as Error).message}`); process.exitCode = 1; });
