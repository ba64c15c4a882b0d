// The synack command: `serve` attaches the module to a TAP, `demo` is npm start's live ladder.
import { Stack, Runner, defaultMac, compileOptimized, type Layout } from "../engine/stack.js";
import { TapLink } from "../link/tap.js";
import { PcapWriter } from "../link/pcap.js";
import { parseIp, ipToString } from "../link/wire.js";
import { servicesMask, ALL_SERVICES } from "../engine/abi.js";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { PC_LAYOUT, type ServeOptions } from "../engine/options.js";
import { closeEverything } from "./shutdown.js";
export type { ServeOptions };

/** How long peers get to acknowledge our FINs when serve is stopped, before they are reset. */
const SHUTDOWN_GRACE_MS = 2000;

const USAGE = `usage: synack serve --tap IFNAME (--ip A.B.C.D/N | --dhcp) [--gw A.B.C.D] [--mac xx:xx:xx:xx:xx:xx] [--pcap FILE]
                    [--board v8|native|xtensa|lx6|lx6-esp32] [--services echo,discard,chargen,console,http,mdns|none] [--name NAME]
                    [--conns N] [--rx-ring BYTES] [--tx-ring BYTES] [--udp-sockets N] [--msl MS] [--verbose]
       synack drill [--tolerant] [--outbound-when-due] FILE.pkt...
       synack demo`;

export class UsageError extends Error {}


function parseMac(s: string): Uint8Array {
  const parts = s.split(":");
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new UsageError(`bad --mac: ${s}`);
  const m = Uint8Array.from(parts.map((p) => parseInt(p, 16)));
  if (m[0] & 1) throw new UsageError(`--mac must be a unicast address: ${s}`);
  return m;
}

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
        const m = /^([\d.]+)\/(\d{1,2})$/.exec(v);
        const a = m ? parseIp(m[1]) : null;
        if (!m || a === null || Number(m[2]) < 1 || Number(m[2]) > 30) throw new UsageError(`bad --ip (want A.B.C.D/N): ${v}`);
        if (o.ip === 0) throw new UsageError("--ip and --dhcp exclude each other");
        const why = unusableAddress(a, Number(m[2]));
        if (why) throw new UsageError(`--ip ${v}: ${why}`);
        o.ip = a; o.prefixLen = Number(m[2]); ipSeen = true;
        break;
      }
      case "--gw": {
        const v = value();
        const a = parseIp(v);
        if (a === null) throw new UsageError(`bad --gw: ${v}`);
        o.gw = a;
        break;
      }
      case "--mac": o.mac = parseMac(value()); break;
      case "--pcap": o.pcap = value(); break;
      case "--msl": {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 1 || v > 600_000) throw new UsageError(`bad --msl (ms, 1..600000): ${argv[i]}`);
        o.msl = v;
        break;
      }
      case "--board": {
        const v = value();
        if (v !== "native" && v !== "v8" && v !== "xtensa" && v !== "lx6" && v !== "lx6-esp32") throw new UsageError(`bad --board (v8, native, xtensa, lx6, lx6-esp32): ${v}`);
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
  if (o.gw) {
    if (o.ip === 0) throw new UsageError("--gw with --dhcp: the lease names the router");
    const mask = o.prefixLen === 0 ? 0 : (~0 << (32 - o.prefixLen!)) >>> 0;
    if (((o.gw & mask) >>> 0) !== ((o.ip! & mask) >>> 0)) {
      throw new UsageError(`--gw ${ipToString(o.gw)} is not on ${ipToString((o.ip! & mask) >>> 0)}/${o.prefixLen}`);
    }
    if (o.gw === o.ip || unusableAddress(o.gw, o.prefixLen!)) throw new UsageError(`--gw ${ipToString(o.gw)} cannot be a router's address here`);
  }
  // DHCP needs a MAC; the same TAP gets the same one each run, so the server leases the same address.
  if (o.ip === 0 && o.mac === undefined) o.mac = macForTap(o.tap);
  return { gw: 0, mac: defaultMac(o.ip!), services: ALL_SERVICES, ...o } as ServeOptions;
}

/** Why an address cannot be ours on a /prefix network, or null when it can. */
export function unusableAddress(a: number, prefix: number): string | null {
  if (a === 0) return "0.0.0.0 is not an address (use --dhcp to lease one)";
  if (a >>> 24 === 127) return "a loopback address";
  if (a >>> 28 === 14) return "a multicast address";
  if (a >>> 28 === 15) return "a reserved or broadcast address";
  const host = prefix >= 32 ? 0 : (0xffffffff >>> prefix);
  if ((a & host) === 0) return "the network's own address";
  if (((a & host) >>> 0) === host) return "the network's broadcast address";
  return null;
}

/** A locally administered MAC derived from the TAP's name: stable from one run to the next. */
export function macForTap(tap: string): Uint8Array {
  const h = createHash("sha256").update(`synack:${tap}`).digest();
  return Uint8Array.from([0x02, 0x53, 0x4b, h[0], h[1], h[2]]);
}

const macText = (m: Uint8Array) => Array.from(m, (b) => b.toString(16).padStart(2, "0")).join(":");

async function serve(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) { process.stdout.write(USAGE + "\n"); return 0; }
  const o = parseServe(argv);
  if (o.board === "native") {
    const { serveNative } = await import("../engine/board.js");
    return serveNative(o);
  }
  if (o.board === "xtensa" || o.board === "lx6" || o.board === "lx6-esp32") {
    const { serveXtensa } = await import("../engine/xtensa-serve.js");
    return serveXtensa(o);
  }
  const link = await TapLink.open(o.tap);
  compileOptimized();
  const pcap = o.pcap ? new PcapWriter(o.pcap) : null;
  const stack = new Stack({
    ip: o.ip, prefixLen: o.prefixLen, gateway: o.gw, mac: o.mac, services: o.services, name: o.name,
    onLog: (l) => { if (o.verbose) process.stderr.write(`synack: ${l}\n`); },
    onSend: (f) => pcap?.write(f),
    layout: { ...PC_LAYOUT, ...o.layout },
  });
  if (o.msl) stack.setMsl(o.msl);
  const runner = new Runner(stack, link, { direct: !pcap });
  if (pcap) {
    const deliver = link.onFrame;
    link.onFrame = (f) => { pcap.write(f); deliver(f); };
  }
  runner.start();
  let how = "v8";
  if (o.ip === 0) { // DHCP: ready once an address is leased
    how = "v8, dhcp";
    process.stderr.write(`synack: asking for a DHCP lease on ${o.tap} (mac ${macText(o.mac)})\n`);
    for (let waited = 0; stack.address() === 0; waited += 50) {
      if (waited >= 60_000) throw new Error(`no DHCP lease after 60 s: is a DHCP server on ${o.tap}'s link?`);
      if (waited > 0 && waited % 10_000 === 0) {
        const st = stack.stats();
        process.stderr.write(`synack: no DHCP lease yet after ${waited / 1000} s (${st.dhcpOut ?? 0} sent, ${st.dhcpOffers ?? 0} offers)\n`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  process.stdout.write(`synack: serving ${ipToString(stack.address())}/${stack.prefixLen()} on ${o.tap} (mac ${macText(o.mac)}) [${how}]\n`);
  const signal = () => new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals) => { process.off("SIGINT", on); process.off("SIGTERM", on); resolve(s); };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
  const first = await signal();
  process.stderr.write(`synack: ${first}: closing connections (again to reset them now)\n`);
  const reset = await closeEverything(stack, {
    graceMs: SHUTDOWN_GRACE_MS, kick: () => runner.kick(), hurry: signal().then(() => undefined),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  if (reset > 0) process.stderr.write(`synack: reset ${reset} connection(s) still closing after ${SHUTDOWN_GRACE_MS} ms\n`);
  await new Promise((r) => setImmediate(r));
  runner.stop();
  await link.close(); // the last FINs and RSTs reach the wire before we exit
  pcap?.close();
  return 0;
}

const DRILL_USAGE = `usage: synack drill [--tolerant] [--outbound-when-due] FILE.pkt...
Runs packetdrill scripts against the module in memory, on a virtual clock (no TAP, no root).
  --tolerant           compare only the MSS among outbound options; ignore advertised windows and
                       buffer sizes (scripts written for another stack)
  --outbound-when-due  packetdrill's rule: look at outbound segments only when an outbound line is
                       due (by default a segment sent before an inbound line or after the last line
                       fails the script too)
The last line is "N passed, M failed"; the exit status is 1 when any script failed.`;

async function drill(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) { process.stdout.write(DRILL_USAGE + "\n"); return 0; }
  const flags = new Set(["--tolerant", "--outbound-when-due"]);
  const files = argv.filter((a) => !flags.has(a));
  const bad = files.find((f) => f.startsWith("--"));
  if (bad) throw new UsageError(`unknown flag: ${bad}`);
  if (!files.length) throw new UsageError("drill needs at least one script (FILE.pkt)");
  const missing = files.find((f) => !existsSync(f));
  if (missing) throw new UsageError(`no such script: ${missing}`);
  const { drillFiles } = await import("../lab/drill/report.js");
  const r = drillFiles(files, { tolerant: argv.includes("--tolerant"), outbound: argv.includes("--outbound-when-due") ? "when-due" : "strict" });
  process.stdout.write(r.text);
  return r.failed === 0 ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "serve": return await serve(rest);
      case "drill": return await drill(rest);
      case "demo": {
        const { demo, Interrupted } = await import("./demo.js");
        try { return await demo(); } catch (e) { if (e instanceof Interrupted) return 130; throw e; }
      }
      case "-h": case "--help": process.stdout.write(USAGE + "\n"); return 0;
      case undefined: throw new UsageError("missing command");
      default: throw new UsageError(`unknown command: ${cmd}`);
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`synack: ${msg}${e instanceof UsageError ? ` (synack --help)` : ""}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
