// `synack serve --board native`: the same flags, run by the C firmware (boards/native) under wasm3.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { PACKAGE_ROOT } from "./stack.js";
import type { ServeOptions } from "./options.js";
import { ipToString } from "../link/wire.js";

export const NATIVE_BOARD = resolve(PACKAGE_ROOT, "build/synack-native");

export async function serveNative(o: ServeOptions): Promise<number> {
  if (!existsSync(NATIVE_BOARD)) throw new Error(`${NATIVE_BOARD} is missing: run npm run build`);
  const mac = Array.from(o.mac, (b) => b.toString(16).padStart(2, "0")).join(":");
  const args = ["--tap", o.tap, ...(o.ip === 0 ? ["--dhcp"] : ["--ip", `${ipToString(o.ip)}/${o.prefixLen}`]), "--mac", mac];
  if (o.gw) args.push("--gw", ipToString(o.gw));
  if (o.msl) args.push("--msl", String(o.msl));
  if (o.verbose) args.push("--verbose");
  if (o.services !== undefined) args.push("--services", String(o.services));
  if (o.layout?.conns) args.push("--conns", String(o.layout.conns));
  if (o.layout?.rxRing) args.push("--rx-ring", String(o.layout.rxRing));
  if (o.layout?.txRing) args.push("--tx-ring", String(o.layout.txRing));
  if (o.layout?.udpSockets) args.push("--udp-sockets", String(o.layout.udpSockets));
  if (o.name !== undefined) args.push("--name", o.name);
  const dump = o.pcap ? await startCapture(o.tap, o.pcap) : null;
  const child = spawn(NATIVE_BOARD, args, { stdio: "inherit" });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  process.on("SIGINT", forward("SIGINT"));
  process.on("SIGTERM", forward("SIGTERM"));
  const code = await new Promise<number>((res) => child.on("exit", (c) => res(c ?? 1)));
  if (dump) await stopCapture(dump);
  return code;
}

/**
 * The firmware owns the TAP, so its frames are captured from the outside: tcpdump on the same
 * interface, in its own process group, writing the same pcap format with microsecond stamps.
 */
export async function startCapture(tap: string, file: string, netns?: string): Promise<ChildProcess> {
  const args = ["-i", tap, "-w", file, "-U", "--immediate-mode", "-s", "0", "--time-stamp-precision=micro"];
  const dump = spawn(netns ? "ip" : "tcpdump", netns ? ["netns", "exec", netns, "tcpdump", ...args] : args, {
    stdio: ["ignore", "ignore", "pipe"], detached: true,
  });
  await new Promise<void>((res, rej) => {
    let err = "";
    const timer = setTimeout(() => res(), 3000);
    dump.on("error", (e) => { clearTimeout(timer); rej(new Error(`--pcap needs tcpdump with --board native: ${e.message}`)); });
    const early = () => { clearTimeout(timer); rej(new Error(`tcpdump failed: ${err.trim().split("\n").pop()}`)); };
    dump.on("exit", early);
    // Only our listener goes: after removeAllListeners("exit"), listeners added later were never called
    // (seen on Node 20), so stopCapture waited forever.
    dump.stderr!.on("data", (d: Buffer) => { err += d; if (/listening on/.test(err)) { clearTimeout(timer); dump.off("exit", early); res(); } });
  });
  return dump;
}

export async function stopCapture(dump: ChildProcess): Promise<void> {
  if (dump.exitCode !== null || dump.signalCode !== null) return;
  const done = new Promise((r) => dump.once("exit", r));
  try { process.kill(-dump.pid!, "SIGTERM"); } catch { /* already gone */ }
  await done;
}
