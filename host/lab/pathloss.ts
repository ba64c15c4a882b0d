// Goodput under loss on the path, for loss recovery (SACK, RFC 6675) to be measured at all:
//   node build/host/lab/pathloss.js [--loss 10,30] [--mib 8] [--dir upload,download] [--runs 1]
// The bench's lossy column drops segments with nftables in the sending namespace's output hook;
// there the sending kernel sees its own send fail and simply sends again, so nothing is lost on
// the wire (no out-of-order segment reaches synack, Linux counts no retransmission). Here the
// client sits in a namespace of its own behind a router namespace, and the router's forward
// chain drops the data segments: the sender learns of a loss only from the other end, as on a
// real path. Upload tests synack as the receiver (its SACK blocks), download as the sender (its
// scoreboard). All addresses are in 10.77.0.0/24: the TAP side is 10.77.0.0/25 (synack .2,
// the router .1), the client side 10.77.0.128/25 (the router .129, the client .130).
// Prints one JSON line per run: goodput, segments dropped, synack's and Linux's counters.
import { execFileSync, spawn, ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createNetns, isRoot, Netns } from "../link/netns.js";
import { PACKAGE_ROOT } from "../engine/stack.js";
import { PC_LAYOUT } from "../engine/options.js";

const CLIENT = resolve(PACKAGE_ROOT, "host/lab/bench/client.py");
const SYNACK_CLI = resolve(PACKAGE_ROOT, "bin/synack.js");
const STACK = "10.77.0.2", ROUTER_TAP = "10.77.0.1", ROUTER_V = "10.77.0.129", CLIENT_IP = "10.77.0.130";
const OURS = ["tcpOooSegs", "tcpDropOooFull", "tcpRetransSegs", "tcpFastRetransmits", "tcpSackRecoveries", "tcpSackLostRetransmits"];
const LINUX = ["TcpRetransSegs", "TcpExtTCPSackRecovery", "TcpExtTCPTimeouts", "TcpExtTCPLostRetransmit"];

const inNs = (ns: Netns, ...a: string[]) => execFileSync("ip", ["netns", "exec", ns.name, ...a], { encoding: "utf8" });

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((res, rej) => {
    let out = "";
    const timer = setTimeout(() => rej(new Error("synack serve did not start")), 20_000);
    child.stdout!.on("data", (d) => { out += d; if (/serving/.test(out)) { clearTimeout(timer); res(); } });
    child.on("exit", (code) => { clearTimeout(timer); rej(new Error(`synack serve exited (${code})`)); });
  });
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => { try { process.kill(-child.pid!, "SIGKILL"); } catch { /* gone */ } }, 4000);
    child.once("exit", () => { clearTimeout(timer); res(); });
    try { process.kill(-child.pid!, "SIGTERM"); } catch { clearTimeout(timer); res(); }
  });
}

async function run(perMille: number, dir: "upload" | "download", bytes: number): Promise<Record<string, unknown>> {
  const router = createNetns("plr"), client = createNetns("plc");
  let serve: ChildProcess | null = null;
  try {
    inNs(router, "ip", "addr", "flush", "dev", "tap0");
    inNs(router, "ip", "addr", "add", `${ROUTER_TAP}/25`, "dev", "tap0");
    inNs(router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    inNs(client, "ip", "link", "del", "tap0");
    execFileSync("ip", ["link", "add", "v0", "netns", client.name, "type", "veth", "peer", "name", "v1", "netns", router.name]);
    inNs(router, "ip", "addr", "add", `${ROUTER_V}/25`, "dev", "v1");
    inNs(router, "ip", "link", "set", "v1", "up");
    inNs(client, "ip", "addr", "add", `${CLIENT_IP}/25`, "dev", "v0");
    inNs(client, "ip", "link", "set", "v0", "up");
    inNs(client, "ip", "link", "set", "v0", "gso_max_segs", "1"); // one segment per packet the router sees
    inNs(client, "ip", "route", "add", "default", "via", ROUTER_V);
    serve = router.spawn(process.execPath, [SYNACK_CLI, "serve", "--tap", "tap0", "--ip", `${STACK}/25`, "--gw", ROUTER_TAP,
      "--conns", String(PC_LAYOUT.conns), "--rx-ring", String(PC_LAYOUT.rxRing), "--tx-ring", String(PC_LAYOUT.txRing)],
    { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    await waitReady(serve);
    inNs(client, "ping", "-c", "1", "-W", "2", STACK);
    const toward = dir === "upload" ? STACK : CLIENT_IP;
    execFileSync("ip", ["netns", "exec", router.name, "nft", "-f", "-"], {
      input: `table ip pathloss {\n chain hop {\n  type filter hook forward priority 0; policy accept;\n` +
        `  ip daddr ${toward} ip length > 100 numgen random mod 1000 < ${perMille} counter drop\n }\n}\n`,
    });
    inNs(client, "nstat", "-n");
    const r = await client.run("python3", [CLIENT, dir, STACK, dir === "upload" ? "9" : "19", String(bytes), String(10 + bytes / 1e6)], undefined, 120_000);
    const got = JSON.parse(r.stdout.toString().trim().split("\n").pop() || "{}");
    const dropped = Number(/packets (\d+)/.exec(inNs(router, "nft", "list", "table", "ip", "pathloss"))?.[1] ?? 0);
    const stats = (await client.run("sh", ["-c", `printf 'stats\\nquit\\n' | nc -q 2 ${STACK} 23`], undefined, 10_000)).stdout.toString();
    const kernel = inNs(client, "nstat", "-z", ...LINUX);
    return {
      loss: `${perMille / 10}%`, dir, MBps: got.mbps ?? null, partial: !!got.partial, dropped,
      synack: Object.fromEntries(OURS.map((k) => [k, Number(new RegExp(`${k}\\s+(\\d+)`).exec(stats)?.[1] ?? NaN)])),
      linux: Object.fromEntries(LINUX.map((k) => [k, Number(new RegExp(`${k}\\s+(\\d+)`).exec(kernel)?.[1] ?? 0)])),
    };
  } finally {
    if (serve) await stopGroup(serve);
    router.destroy();
    client.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  let loss = [10, 30], mib = 8, dirs: ("upload" | "download")[] = ["upload", "download"], runs = 1;
  for (let i = 0; i < argv.length; i++) {
    const v = argv[++i] ?? "";
    switch (argv[i - 1]) {
      case "--loss": loss = v.split(",").map(Number); break;
      case "--mib": mib = Number(v); break;
      case "--dir": dirs = v.split(",") as typeof dirs; break;
      case "--runs": runs = Number(v); break;
      default: console.error(`pathloss: unknown flag ${argv[i - 1]}`); return 2;
    }
  }
  if (loss.some((x) => !(x >= 0 && x < 1000)) || !(mib > 0) || !(runs >= 1) || dirs.some((d) => d !== "upload" && d !== "download")) {
    console.error("pathloss: --loss per mille 0..999, --mib > 0, --runs >= 1, --dir upload,download");
    return 2;
  }
  if (!isRoot()) { console.error("pathloss: needs root (it makes network namespaces)"); return 1; }
  for (let k = 0; k < runs; k++) {
    for (const d of dirs) for (const pm of loss) console.log(JSON.stringify(await run(pm, d, Math.round(mib * (1 << 20)))));
  }
  return 0;
}

main(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { console.error(`pathloss: ${(e as Error).message}`); process.exitCode = 1; });
