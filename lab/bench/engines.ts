// The servers `npm run bench` sets side by side, each in namespaces the bench makes (netns.ts) and
// deletes: synack on V8 (`synack serve`, PC layout), synack on the native board (wasm3 + the W5500
// model), lwIP (build/lwipserve) on the same kind of TAP, and the Linux kernel over a veth pair.
import { ChildProcess, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { PC_LAYOUT } from "../../host/engine/options.js";
import { NATIVE_BOARD } from "../../host/engine/board.js";
import { createNetns, Netns, STACK_IP, LINUX_IP, PREFIX } from "../../host/link/netns.js";

export const LWIPSERVE = resolve(PACKAGE_ROOT, "build/lwipserve");
export const CLIENT = resolve(PACKAGE_ROOT, "lab/bench/client.py");
const SYNACK_CLI = resolve(PACKAGE_ROOT, "bin/synack.js");

export type EngineName = "v8" | "v8relay" | "native" | "lwip" | "linux";
export const ENGINES: EngineName[] = ["v8", "v8relay", "native", "lwip", "linux"];
export const LABELS: Record<EngineName, string> = {
  v8: "synack, V8 engine", v8relay: "synack, V8, tapio relay", native: "synack, native board", lwip: "lwIP 2.1.3 (TAP)", linux: "Linux kernel (veth)",
};

/** A running server: the namespace its client runs in, the address to reach, and how to stop it. */
export interface Running {
  client: Netns;
  /** The interface in the client's namespace that carries traffic toward the server. */
  clientIf: string;
  host: string;
  /** The Linux server's own interface (the kernel row), for the lossy path to cap its GSO. */
  kernelIf?: { ns: Netns; name: string };
  /** Stop the server; resolves with what it printed on stderr. */
  stop(): Promise<string>;
  /** CPU time (user + system, ms) the server's processes have used so far; null: not one process group (the kernel). */
  cpuMs(): number | null;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU ms used by the live processes of process group `pgid` (from /proc; 10 ms resolution). */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    let st: string;
    try { st = readFileSync(`/proc/${d}/stat`, "utf8"); } catch { continue; }
    const f = st.slice(st.lastIndexOf(")") + 2).split(" "); // fields from 3 (state) on
    if (Number(f[2]) !== pgid) continue;                     // 5: pgrp
    ticks += Number(f[11]) + Number(f[12]);                  // 14: utime, 15: stime
  }
  return ticks * TICK_MS;
}

/** Why an engine cannot run here, or null. */
export function unavailable(e: EngineName): string | null {
  if (e === "native" && !existsSync(NATIVE_BOARD)) return `${NATIVE_BOARD} not built`;
  if (e === "lwip" && !existsSync(LWIPSERVE)) return `${LWIPSERVE} not built (liblwip-dev missing?)`;
  return null;
}

/** Start `cmd` in its own process group inside ns; resolves when its stdout says `ready`. */
function startServer(ns: Netns, cmd: string, args: string[], ready: RegExp, what: string, env?: Record<string, string>): Promise<{ child: ChildProcess; err: () => string }> {
  return new Promise((res, rej) => {
    const child = ns.spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, ...env } });
    let out = "", err = "";
    const timer = setTimeout(() => { killGroup(child, "SIGKILL"); rej(new Error(`${what} did not start: ${err.trim()}`)); }, 20_000);
    child.stderr!.on("data", (d) => { err += d; });
    child.stdout!.on("data", (d) => {
      out += d;
      if (ready.test(out)) { clearTimeout(timer); res({ child, err: () => err }); }
    });
    child.on("exit", (code) => { clearTimeout(timer); rej(new Error(`${what} exited (${code}): ${err.trim().split("\n").pop()}`)); });
  });
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try { process.kill(-child.pid!, sig); } catch { /* gone */ }
}

/** SIGTERM the group; SIGKILL it if it is still there after `graceMs`. */
function stopGroup(child: ChildProcess, graceMs = 4000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
    child.once("exit", () => { clearTimeout(timer); res(); });
    killGroup(child, "SIGTERM");
  });
}

async function onTap(tag: string, cmd: string, args: string[], ready: RegExp, what: string, env?: Record<string, string>): Promise<Running> {
  const ns = createNetns(tag);
  try {
    const { child, err } = await startServer(ns, cmd, args, ready, what, env);
    await ns.run("ping", ["-c", "1", "-W", "2", STACK_IP]);
    return {
      client: ns, clientIf: ns.tap, host: STACK_IP, cpuMs: () => groupCpuMs(child.pid!),
      stop: async () => { await stopGroup(child); ns.destroy(); return err(); },
    };
  } catch (e) {
    ns.destroy();
    throw e;
  }
}

/** The Linux kernel on both ends: two namespaces joined by a veth pair; client.py serves. */
async function linuxVeth(): Promise<Running> {
  const cl = createNetns("benchc"), sv = createNetns("benchs");
  try {
    const ipns = (ns: Netns, ...a: string[]) => execFileSync("ip", ["netns", "exec", ns.name, "ip", ...a], { stdio: "ignore" });
    ipns(cl, "link", "del", "tap0");
    ipns(sv, "link", "del", "tap0");
    execFileSync("ip", ["link", "add", "v0", "netns", cl.name, "type", "veth", "peer", "name", "v1", "netns", sv.name], { stdio: "ignore" });
    ipns(cl, "addr", "add", `${LINUX_IP}/${PREFIX}`, "dev", "v0");
    ipns(sv, "addr", "add", `${STACK_IP}/${PREFIX}`, "dev", "v1");
    ipns(cl, "link", "set", "v0", "up");
    ipns(sv, "link", "set", "v1", "up");
    const { child, err } = await startServer(sv, "python3", [CLIENT, "serve", STACK_IP], /serving/, "the Linux server");
    await cl.run("ping", ["-c", "1", "-W", "2", STACK_IP]);
    return {
      client: cl, clientIf: "v0", host: STACK_IP, kernelIf: { ns: sv, name: "v1" }, cpuMs: () => null,
      stop: async () => { await stopGroup(child); cl.destroy(); sv.destroy(); return err(); },
    };
  } catch (e) {
    cl.destroy(); sv.destroy();
    throw e;
  }
}

/** Start an engine; "native-default" is the native board with the ESP32's default layout. */
export function start(e: EngineName | "native-default"): Promise<Running> {
  const ip = `${STACK_IP}/${PREFIX}`;
  switch (e) {
    case "v8": case "v8relay":
      // v8: the TAP through the N-API helper when it is built; v8relay: through tapio, to compare.
      return onTap(e === "v8" ? "bv8" : "bv8r", process.execPath, [SYNACK_CLI, "serve", "--tap", "tap0", "--ip", ip,
        "--conns", String(PC_LAYOUT.conns), "--rx-ring", String(PC_LAYOUT.rxRing), "--tx-ring", String(PC_LAYOUT.txRing)],
        /serving/, "synack serve", e === "v8relay" ? { SYNACK_TAP: "relay" } : undefined);
    case "native":
      return onTap("bnat", NATIVE_BOARD, ["--tap", "tap0", "--ip", ip, "--conns", "16", "--rx-ring", "65535", "--tx-ring", "65536"],
        /serving/, "synack-native");
    case "native-default":
      // --verbose: the chip's SPI counts (chip.ts) are printed at exit only then.
      return onTap("bnatd", NATIVE_BOARD, ["--tap", "tap0", "--ip", ip, "--verbose"], /serving/, "synack-native");
    case "lwip":
      return onTap("blwip", LWIPSERVE, ["--tap", "tap0", "--ip", ip], /serving/, "lwipserve");
    case "linux":
      return linuxVeth();
  }
}
