// One emulated board as its owner meets it, for the bench (xtensa.ts): the ESP32's default
// configuration (the board layout, menuconfig's services, HTTP on), measured from where it settles,
// then discard, chargen and echo from Linux nc, a console session and HTTP's pages. The board's
// report (boards/xtensa/main.c) after each; per phase the C stack's painted peak and the heap's
// peak since the phase before (the board paints and notes afresh after each report asked with a 1).
import { XtensaBoard, XtensaCore, ESP32_SERVICES } from "../../host/engine/xtensa.js";
import { SERVICES } from "../../host/engine/abi.js";
import { bridge } from "../../host/engine/xtensa-serve.js";
import { TapLink } from "../../host/link/tap.js";
import { Netns, STACK_IP, PREFIX } from "../../host/link/netns.js";
import { parseIp } from "../../host/link/wire.js";

export type Stats = Record<string, any>;

/** The HTTP pages the bench fetches (one request each, as a browser's first visit asks for them). */
export const PAGES = ["/", "/ladder", "/stats", "/status.json", "/"];

export interface Session {
  /** The board's report right after fw_start, and once settled (mDNS announced; ok: within 10 s). */
  boot: Stats; settled: Stats; settledMs: number; settledOk: boolean;
  /** Each transfer: the reports before and after, payload bytes that made it (-1: failed), wall ms. */
  transfers: { name: string; before: Stats; after: Stats; got: number; ms: number }[];
  /** The reports after the three transfers, after a console session, and after HTTP's pages (final). */
  afterTransfers: Stats; afterConsole: Stats; final: Stats; pages: number;
  /** Per phase (start-up, handshake, discard, chargen, echo, console, HTTP pages), in order: the C
   * stack's painted peak and the heap's peak (requested bytes) within it. */
  stack: Record<string, number>; heap: Record<string, number>;
}

/** Run one board through the phases; n is each transfer's bytes. The board is stopped at the end. */
export async function session(ns: Netns, link: TapLink, core: XtensaCore, n: number, noStore = false): Promise<Session> {
  const t0 = performance.now();
  const now = () => Math.floor(performance.now() - t0) + 1000;
  const board = await XtensaBoard.start({ core, ip: parseIp(STACK_IP)!, prefixLen: PREFIX, time: now(), seed: 1,
    services: ESP32_SERVICES | SERVICES.http, noStore });
  try {
    const boot = (await board.send("S", now())).stats!;
    const b = bridge(board, link, now);
    await ns.run("ping", ["-c", "1", "-W", "2", STACK_IP]);
    // A board is up before anyone connects: measure from where it settles, once its mDNS name is
    // announced (and, without the code store, the firmware has given back the code that took).
    let settled = (await b.request("S")).stats!;
    for (const t = performance.now(); !settled.settled && performance.now() - t < 10_000;) {
      await new Promise((r) => setTimeout(r, 250));
      settled = (await b.request("S")).stats!;
    }
    const settledMs = now() - 1000;
    const stack: Record<string, number> = {}, heap: Record<string, number> = {};
    const phase = async (name: string) => {
      const s = (await b.request("S", Uint8Array.of(1))).stats!;
      stack[name] = s.stack_peak;
      heap[name] = s.heap_recent_peak;
    };
    await phase("start-up");
    await ns.run("nc", ["-z", "-w", "2", STACK_IP, "7"], undefined, 10_000);
    await phase("handshake");
    const data = Buffer.alloc(n, 0x5a);
    const runs: [string, () => Promise<number>][] = [
      ["discard", async () => { const r = await ns.run("nc", ["-N", STACK_IP, "9"], data, 600_000); return r.code === 0 ? n : -1; }],
      ["chargen", async () => (await ns.run("sh", ["-c", `nc ${STACK_IP} 19 | head -c ${n}`], undefined, 600_000)).stdout.length],
      ["echo", async () => { const r = await ns.run("nc", ["-N", STACK_IP, "7"], data, 600_000); return r.stdout.length === n ? n : -1; }],
    ];
    const transfers: Session["transfers"] = [];
    for (const [name, run] of runs) {
      const before = (await b.request("S")).stats!;
      const t = performance.now();
      const got = await run();
      const ms = performance.now() - t;
      await new Promise((r) => setTimeout(r, 200)); // the last ACKs and FINs
      const after = (await b.request("S")).stats!;
      await phase(name);
      transfers.push({ name, before, after, got, ms });
    }
    const afterTransfers = (await b.request("S")).stats!;
    await ns.run("sh", ["-c", `(echo stats; echo conns; sleep 0.5; echo quit) | nc -N ${STACK_IP} 23`], undefined, 60_000);
    await new Promise((r) => setTimeout(r, 200));
    await phase("console");
    const afterConsole = (await b.request("S")).stats!;
    let pages = 0;
    for (const path of PAGES) {
      const r = await ns.run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", `http://${STACK_IP}${path}`], undefined, 30_000);
      if (r.stdout.toString() === "200") pages++;
    }
    await new Promise((r) => setTimeout(r, 200));
    await phase("HTTP pages");
    b.detach();
    const final = (await board.send("S", now())).stats!;
    return { boot, settled, settledMs, settledOk: !!settled.settled, transfers, afterTransfers, afterConsole, final, pages, stack, heap };
  } finally {
    await board.stop();
  }
}

/** The deepest of a per-phase record from phase `first` through phase `last` (in the phases' order). */
export function peakOver(r: Record<string, number>, first: string, last: string): number {
  const order = Object.keys(r);
  return Math.max(...order.slice(order.indexOf(first), order.indexOf(last) + 1).map((k) => r[k]));
}

/** A board's report right after fw_start, with the ESP32's default configuration and HTTP on (no network: the board is not bridged). */
export async function bootReport(core: XtensaCore): Promise<Stats> {
  const board = await XtensaBoard.start({ core, ip: parseIp(STACK_IP)!, prefixLen: PREFIX, time: 1000, seed: 1,
    services: ESP32_SERVICES | SERVICES.http });
  try { return (await board.send("S", 1000)).stats!; } finally { await board.stop(); }
}
