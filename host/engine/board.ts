// `synack serve --board native`: the same flags, run by the C firmware (boards/native) under wasm3.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { PACKAGE_ROOT } from "./stack.js";
import type { ServeOptions } from "./options.js";
import { ipToString } from "../link/wire.js";

export const NATIVE_BOARD = resolve(PACKAGE_ROOT, "build/synack-native");

export function serveNative(o: ServeOptions): Promise<number> {
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
  if (o.name !== undefined) args.push("--name", o.name);
  if (o.pcap) throw new Error("--pcap is not supported with --board native");
  const child = spawn(NATIVE_BOARD, args, { stdio: "inherit" });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  process.on("SIGINT", forward("SIGINT"));
  process.on("SIGTERM", forward("SIGTERM"));
  return new Promise((res) => child.on("exit", (code) => res(code ?? 1)));
}
