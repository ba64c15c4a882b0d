// `synack serve --board xtensa`: the emulated Xtensa board (xtensa.ts) bridged to a TAP. Frames
// from the TAP go to the board stamped with the host's clock; the board's frames go to the TAP; when
// the board is idle, a clock message wakes it at its next timer.
import { randomBytes } from "node:crypto";
import { TapLink } from "../link/tap.js";
import { PcapWriter } from "../link/pcap.js";
import { ipToString } from "../link/wire.js";
import { XtensaBoard, Reply } from "./xtensa.js";
import type { ServeOptions } from "./options.js";

export async function serveXtensa(o: ServeOptions): Promise<number> {
  const link = await TapLink.open(o.tap);
  const pcap = o.pcap ? new PcapWriter(o.pcap) : null;
  const t0 = performance.now();
  const now = () => Math.floor(performance.now() - t0) + 1000;
  let board: XtensaBoard;
  try {
    board = await XtensaBoard.start({
      ip: o.ip, prefixLen: o.prefixLen, gw: o.gw, mac: o.mac, msl: o.msl, services: o.services, name: o.name,
      conns: o.layout?.conns, rxRing: o.layout?.rxRing, txRing: o.layout?.txRing, verbose: o.verbose, time: now(),
      seed: randomBytes(4).readUInt32LE(0), onLog: (l) => process.stderr.write(`synack: ${l}\n`),
    });
  } catch (e) {
    link.close();
    throw e;
  }
  board.onFrame = (f) => { pcap?.write(f); link.send(f); };
  let timer: NodeJS.Timeout | null = null;
  let last: Reply = board.boot;
  let done: (code: number) => void = () => {};
  const finished = new Promise<number>((r) => { done = r; });
  const answered = (r: Reply) => {
    last = r;
    if (board.pending) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = null; deliver(board.send("T", now())); }, Math.min(r.next, 1000));
  };
  const deliver = (p: Promise<Reply>) => p.then(answered, (e) => {
    process.stderr.write(`synack: ${e.message}\n`);
    done(1);
  });
  link.onFrame = (f) => { pcap?.write(f); deliver(board.send("F", now(), f)); };
  answered(board.boot);

  for (let waited = 0; last.address === 0; waited += 50) { // DHCP: ready once an address is leased
    if (waited > 60_000) { await board.stop(); link.close(); throw new Error("no DHCP lease after 60 s"); }
    await new Promise((r) => setTimeout(r, 50));
  }
  const mac = Array.from(o.mac, (b) => b.toString(16).padStart(2, "0")).join(":");
  process.stdout.write(`synack: serving ${ipToString(last.address)}/${last.prefixLen} on ${o.tap} (mac ${mac}) ` +
    `[board xtensa, wasm3 on an emulated lx106${o.ip === 0 ? ", dhcp" : ""}]\n`);
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
  if (timer) clearTimeout(timer);
  link.onFrame = () => {};
  const stats = await board.stop();
  if (o.verbose && stats) process.stderr.write(`synack: board measurements ${JSON.stringify(stats)}\n`);
  link.close();
  pcap?.close();
  return code;
}
