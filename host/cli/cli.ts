// The synack command: `serve` attaches the module to a TAP, `demo` is npm start's live ladder.
import { defaultMac, moduleVersion, type Layout } from "../engine/stack.js";
import { parseIp, ipToString, macToString } from "../link/wire.js";
import { parseMac, macForTap, parseOurAddress, unusableRouter } from "../link/addr.js";
import { servicesMask, ALL_SERVICES } from "../engine/abi.js";
import { existsSync } from "node:fs";
import { PC_LAYOUT, type ServeOptions } from "../engine/options.js";
import { openEngine, isEngineName, ENGINE_NAMES } from "../engine/engine.js";
import { catchSignals, untilSignal, waitForAddress } from "../engine/lifecycle.js";
import { COMMANDS, commandHelp, overallHelp } from "./help.js";
export type { ServeOptions };

export class UsageError extends Error {}


/** The layout's flags: which Layout field each sets, and its bounds (the module's own). */
const LAYOUT_FLAGS: Record<string, [keyof Layout, number, number]> = {
  "--conns": ["conns", 1, 1024], "--rx-ring": ["rxRing", 1024, 65535], "--tx-ring": ["txRing", 1024, 1 << 20],
  "--udp-sockets": ["udpSockets", 1, 16],
};

export function parseServe(argv: string[]): ServeOptions {
  const o: Partial<ServeOptions> & { verbose: boolean; board: ServeOptions["board"] } = { verbose: false, board: "v8" };
  let ipSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--tap": o.tap = value(); break;
      case "--ip": {
        const v = value();
        if (o.ip === 0) throw new UsageError("--ip and --dhcp exclude each other");
        const a = parseOurAddress(v);
        if (typeof a === "string") throw new UsageError(a.startsWith("bad") ? `bad --ip (want A.B.C.D/N): ${v}` : `--ip ${a}`);
        o.ip = a.ip; o.prefixLen = a.prefixLen; ipSeen = true;
        break;
      }
      case "--gw": {
        const v = value();
        const a = parseIp(v);
        if (a === null) throw new UsageError(`bad --gw: ${v}`);
        o.gw = a;
        break;
      }
      case "--mac": {
        const m = parseMac(value());
        if (typeof m === "string") throw new UsageError(`--${m}`.replace("--the mac", "--mac"));
        o.mac = m;
        break;
      }
      case "--pcap": o.pcap = value(); break;
      case "--msl": {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 1 || v > 600_000) throw new UsageError(`bad --msl (ms, 1..600000): ${argv[i]}`);
        o.msl = v;
        break;
      }
      case "--board": {
        const v = value();
        if (!isEngineName(v)) throw new UsageError(`bad --board (${ENGINE_NAMES.join(", ")}): ${v}`);
        o.board = v;
        break;
      }
      case "--services": {
        const v = argv[++i];
        if (v === undefined) throw new UsageError("--services needs a value");
        try { o.services = servicesMask(v); } catch (e) { throw new UsageError((e as Error).message); }
        break;
      }
      case "--name": {
        const v = value();
        if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(v)) throw new UsageError(`bad --name (the label before .local: letters, digits, '-'): ${v}`);
        o.name = v;
        break;
      }
      case "--verbose": o.verbose = true; break;
      case "--no-store": o.noStore = true; break;
      case "--conns": case "--rx-ring": case "--tx-ring": case "--udp-sockets": {
        const v = value();
        const n = Number(v);
        const [key, lo, hi] = LAYOUT_FLAGS[flag];
        if (!/^\d+$/.test(v) || n < lo || n > hi) throw new UsageError(`bad ${flag} (${lo}..${hi}): ${v}`);
        o.layout = { ...o.layout, [key]: n };
        break;
      }
      case "--dhcp":
        if (o.ip) throw new UsageError("--ip and --dhcp exclude each other");
        o.ip = 0; o.prefixLen = 0; ipSeen = true;
        break;
      default: throw new UsageError(`unknown flag: ${flag}`);
    }
  }
  if (!o.tap) throw new UsageError("--tap IFNAME is required");
  if (!ipSeen) throw new UsageError("--ip A.B.C.D/N is required (or --dhcp)");
  if (o.noStore && o.board === "v8") throw new UsageError("--no-store is a board's (--board native, xtensa, lx6, lx6-esp32): V8 has no code store");
  if (o.gw) {
    if (o.ip === 0) throw new UsageError("--gw with --dhcp: the lease names the router");
    const why = unusableRouter(o.gw, o.ip!, o.prefixLen!);
    if (why) throw new UsageError(`--gw ${why}`);
  }
  // DHCP needs a MAC; the same TAP gets the same one each run, so the server leases the same address.
  if (o.ip === 0 && o.mac === undefined) o.mac = macForTap(o.tap);
  return { gw: 0, mac: defaultMac(o.ip!), services: ALL_SERVICES, ...o } as ServeOptions;
}

async function serve(argv: string[]): Promise<number> {
  const o = parseServe(argv);
  const say = (line: string) => process.stderr.write(`synack: ${line}\n`);
  const signals = catchSignals(); // from now on: a Ctrl-C while a board starts must not orphan it
  try {
    const e = await openEngine(o.board, {
      tap: o.tap, ip: o.ip, prefixLen: o.prefixLen, gw: o.gw, mac: o.mac, services: o.services, name: o.name, msl: o.msl,
      layout: o.board === "v8" ? { ...PC_LAYOUT, ...o.layout } : o.layout, pcap: o.pcap,
      onLog: o.verbose ? say : undefined, exampleService: true, noStore: o.noStore,
    });
    if (o.ip === 0) say(`asking for a DHCP lease on ${o.tap} (mac ${macToString(o.mac)})`);
    const a = await Promise.race([waitForAddress(e, 60_000, say).then((a) => a, (err: Error) => err), signals.next()]);
    if (typeof a === "string" || a instanceof Error) {
      await e.stop();
      if (a instanceof Error) throw a;
      return 130;
    }
    process.stdout.write(`synack: serving ${ipToString(a.ip)}/${a.prefixLen} on ${o.tap} (mac ${macToString(o.mac)}) ` +
      `[${e.label}${o.ip === 0 ? ", dhcp" : ""}]\n`);
    return await untilSignal(e, signals, say);
  } finally { signals.release(); }
}

async function drill(argv: string[]): Promise<number> {
  const flags = new Set(["--tolerant", "--outbound-when-due"]);
  const files = argv.filter((a) => !flags.has(a));
  const bad = files.find((f) => f.startsWith("--"));
  if (bad) throw new UsageError(`unknown flag: ${bad}`);
  if (!files.length) throw new UsageError("drill needs at least one script (FILE.pkt)");
  const missing = files.find((f) => !existsSync(f));
  if (missing) throw new UsageError(`no such script: ${missing}`);
  const { drillFiles } = await import("../drill/report.js");
  const r = drillFiles(files, { tolerant: argv.includes("--tolerant"), outbound: argv.includes("--outbound-when-due") ? "when-due" : "strict" });
  process.stdout.write(r.text);
  return r.failed === 0 ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd !== undefined && Object.hasOwn(COMMANDS, cmd) && (rest.includes("--help") || rest.includes("-h"))) {
    process.stdout.write(commandHelp(cmd));
    return 0;
  }
  try {
    switch (cmd) {
      case "serve": return await serve(rest);
      case "drill": return await drill(rest);
      case "demo": {
        const { demo, Interrupted } = await import("./demo.js");
        try { return await demo(); } catch (e) { if (e instanceof Interrupted) return 130; throw e; }
      }
      case "-h": case "--help": process.stdout.write(overallHelp()); return 0;
      case "-V": case "--version": process.stdout.write(`synack ${moduleVersion()}\n`); return 0;
      case undefined: throw new UsageError("missing command");
      default: throw new UsageError(`unknown command: ${cmd}`);
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`synack: ${msg}${e instanceof UsageError ? ` (synack ${cmd !== undefined && Object.hasOwn(COMMANDS, cmd) ? cmd + " " : ""}--help)` : ""}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
