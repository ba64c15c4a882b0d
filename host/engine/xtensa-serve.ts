// `synack serve --board xtensa|lx6|lx6-esp32`: the emulated Xtensa board (xtensa.ts; lx106 or the
// windowed build on an LX6 core) bridged to a TAP. Frames
// from the TAP go to the board stamped with the host's clock; the board's frames go to the TAP; when
// the board is idle, a clock message wakes it at its next timer.
import { randomBytes } from "node:crypto";
import { TapLink } from "../link/tap.js";
import { PcapWriter } from "../link/pcap.js";
import { ipToString } from "../link/wire.js";
import { XtensaBoard, XtensaCore, CORES, Reply } from "./xtensa.js";
import type { ServeOptions } from "./options.js";

export interface Bridge {
  /** The board's latest idle report. */
  last(): Reply;
  /** Resolves with an error message if the board fails while bridged. */
  failed: Promise<string>;
  /** A message of the host's own ('S', 'C'...) in line with the frames; its answer. */
  request(type: "T" | "C" | "S", payload?: Uint8Array): Promise<Reply>;
  /** Detach from the TAP (the board keeps running). */
  detach(): void;
}

/** Connect a started board to a TAP link; now() is the host clock in ms. */
export function bridge(board: XtensaBoard, link: TapLink, now: () => number, pcap?: PcapWriter | null): Bridge {
  let timer: NodeJS.Timeout | null = null;
  let last: Reply = board.boot;
  let fail: (m: string) => void = () => {};
  const failed = new Promise<string>((r) => { fail = r; });
  const answered = (r: Reply) => {
    if (!r.stats) last = r;
    if (board.pending) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = null; deliver(board.send("T", now())); }, Math.min(r.next, 1000));
  };
  const deliver = (p: Promise<Reply>) => p.then(answered, (e) => fail(e.message));
  board.onFrame = (f) => { pcap?.write(f); link.send(f); };
  link.onFrame = (f) => { pcap?.write(f); deliver(board.send("F", now(), f)); };
  for (const f of board.boot.frames.splice(0)) board.onFrame(f); // sent at boot, before the bridge (DHCP's first DISCOVER)
  answered(board.boot);
  return {
    last: () => last, failed,
    request: (type, payload) => { const p = board.send(type, now(), payload); deliver(p); return p; },
    detach: () => { link.onFrame = () => {}; if (timer) clearTimeout(timer); timer = null; },
  };
}

export async function serveXtensa(o: ServeOptions): Promise<number> {
  const link = await TapLink.open(o.tap);
  const pcap = o.pcap ? new PcapWriter(o.pcap) : null;
  const t0 = performance.now();
  const now = () => Math.floor(performance.now() - t0) + 1000;
  let board: XtensaBoard;
  try {
    board = await XtensaBoard.start({
      core: o.board === "xtensa" ? "lx106" : o.board as XtensaCore, ip: o.ip, prefixLen: o.prefixLen, gw: o.gw, mac: o.mac, msl: o.msl, services: o.services, name: o.name,
      conns: o.layout?.conns, rxRing: o.layout?.rxRing, txRing: o.layout?.txRing, udpSockets: o.layout?.udpSockets, verbose: o.verbose, time: now(),
      seed: randomBytes(4).readUInt32LE(0), onLog: (l) => process.stderr.write(`synack: ${l}\n`),
    });
  } catch (e) {
    link.close();
    throw e;
  }
  const b = bridge(board, link, now, pcap);
  let done: (code: number) => void = () => {};
  const finished = new Promise<number>((r) => { done = r; });
  b.failed.then((m) => { process.stderr.write(`synack: ${m}\n`); done(1); });

  for (let waited = 0; b.last().address === 0; waited += 50) { // DHCP: ready once an address is leased
    if (waited > 60_000) { await board.stop(); link.close(); throw new Error("no DHCP lease after 60 s"); }
    await new Promise((r) => setTimeout(r, 50));
  }
  const mac = Array.from(o.mac, (x) => x.toString(16).padStart(2, "0")).join(":");
  process.stdout.write(`synack: serving ${ipToString(b.last().address)}/${b.last().prefixLen} on ${o.tap} (mac ${mac}) ` +
    `[board ${o.board}, wasm3 on QEMU's ${o.board === "xtensa" ? "lx106" : `${CORES[o.board as XtensaCore].cpu} (windowed ABI)`}${o.ip === 0 ? ", dhcp" : ""}]\n`);
  const stop = () => done(0);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let code = await finished;
  // Leaving: close every connection (FIN), give the peers 2 s, then reset what is left, as the
  // other engines do, so no peer stays waiting on a board that has gone.
  if (code === 0) {
    try {
      let open = (await board.send("C", now())).open;
      for (const t = Date.now(); open > 0 && Date.now() - t < 2000;) {
        await new Promise((r) => setTimeout(r, 20));
        open = (await board.send("C", now())).open;
      }
      if (open > 0) {
        await board.send("C", now(), Uint8Array.of(1));
        process.stderr.write(`synack: reset ${open} connection(s) still closing\n`);
      }
    } catch (e) {
      process.stderr.write(`synack: ${(e as Error).message}\n`);
      code = 1;
    }
  }
  b.detach();
  const stats = await board.stop();
  if (o.verbose && stats) process.stderr.write(`synack: board measurements ${JSON.stringify(stats)}\n`);
  link.close();
  pcap?.close();
  return code;
}
