// The engines xtensa, lx6, lx6-esp32: the emulated Xtensa board (xtensa.ts; lx106 or the windowed
// build on an LX6 core), bridged to a TAP. Frames from the TAP go to the board stamped with the
// host's clock; the board's frames go to the TAP; when the board is idle, a clock message wakes it
// at its next timer. The socket calls go to the board's C socket API by the control protocol
// (control.ts) inside the channel's 'K' messages, each answered before it returns.
import { randomBytes } from "node:crypto";
import { TapLink } from "../link/tap.js";
import { PcapWriter } from "../link/pcap.js";
import { XtensaBoard, CORES, CHANNEL_MAX_PAYLOAD, type XtensaCore, type Reply } from "./xtensa.js";
import { ControlCalls } from "./control.js";
import { parseCounters } from "./stack.js";
import type { Engine, EngineName, EngineOptions } from "./interface.js";

export interface Bridge {
  /** The board's latest idle report. */
  last(): Reply;
  /** Resolves with an error message if the board fails while bridged. */
  failed: Promise<string>;
  /** A message of the host's own ('T', 'S') in line with the frames; its answer. */
  request(type: "T" | "S", payload?: Uint8Array): Promise<Reply>;
  /** Detach from the TAP (the board keeps running). */
  detach(): void;
  /** Called after each step the wire, a timer or a message of the host's caused. */
  onStep: () => void;
  /** Whether the board's timer keeps the program running. */
  ref(on: boolean): void;
}

/** Connect a started board to a TAP link; now() is the host clock in ms. */
export function bridge(board: XtensaBoard, link: TapLink, now: () => number, pcap?: PcapWriter | null): Bridge {
  let timer: NodeJS.Timeout | null = null;
  let refd = true;
  let last: Reply = board.boot;
  let fail: (m: string) => void = () => {};
  const failed = new Promise<string>((r) => { fail = r; });
  const answered = (r: Reply) => {
    if (!r.stats) { last = r; b.onStep(); }
    if (board.pending) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = null; deliver(board.send("T", now())); }, Math.min(r.next, 1000));
    if (!refd) timer.unref();
  };
  const deliver = (p: Promise<Reply>) => p.then(answered, (e) => fail(e.message));
  board.onFrame = (f) => { pcap?.write(f); link.send(f); };
  link.onFrame = (f) => { pcap?.write(f); deliver(board.send("F", now(), f)); };
  for (const f of board.boot.frames.splice(0)) board.onFrame(f); // sent at boot, before the bridge (DHCP's first DISCOVER)
  const b: Bridge = {
    last: () => last, failed,
    request: (type, payload) => { const p = board.send(type, now(), payload); deliver(p); return p; },
    detach: () => { link.onFrame = () => {}; if (timer) clearTimeout(timer); timer = null; },
    onStep: () => {},
    ref: (on) => { refd = on; if (on) timer?.ref(); else timer?.unref(); },
  };
  answered(board.boot);
  return b;
}

/** The engine's name for each emulated core (--board). */
const BOARD_OF: Record<XtensaCore, EngineName> = { lx106: "xtensa", lx6: "lx6", "lx6-esp32": "lx6-esp32" };

/** The emulated board as an engine. */
export class XtensaEngine implements Engine {
  readonly name: EngineName;
  readonly label: string;
  readonly calls: ControlCalls;
  onEvent: () => void = () => {};
  readonly failed: Promise<string>;
  private eventPending = false;
  private kicked = false;

  constructor(private readonly board: XtensaBoard, private readonly b: Bridge, private readonly link: TapLink,
              private readonly pcap: PcapWriter | null, readonly mac: Uint8Array, core: XtensaCore, now: () => number,
              private readonly onLog?: (line: string) => void) {
    this.failed = b.failed;
    this.name = BOARD_OF[core];
    this.label = `board ${this.name}, wasm3 on QEMU's ${core === "lx106" ? "lx106" : `${CORES[core].cpu} (windowed ABI)`}`;
    this.calls = new ControlCalls((request) => board.exchange("K", now(), request).answer!, CHANNEL_MAX_PAYLOAD - 20);
    b.failed.then((why) => { this.calls.gone(why); setImmediate(() => this.onEvent()); });
    b.onStep = () => {
      if (this.eventPending) return;
      this.eventPending = true;
      setImmediate(() => { this.eventPending = false; if (!this.calls.error) this.onEvent(); });
    };
  }

  /** A step soon, after this batch of calls: what they queued leaves, and the sockets look again. */
  kick(): void {
    if (this.kicked || this.stopping) return;
    this.kicked = true;
    setImmediate(() => { this.kicked = false; if (!this.stopping) this.b.request("T").catch(() => {}); });
  }
  ref(on: boolean): void { this.board.ref(on); this.b.ref(on); this.link.ref(on); }
  async ourAddress(): Promise<{ ip: number; prefixLen: number }> { return { ip: this.b.last().address, prefixLen: this.b.last().prefixLen }; }
  async counters(): Promise<Record<string, number>> { return parseCounters(this.calls.statsText()); }
  async closeAll(abort: boolean): Promise<number> {
    if (this.stopping) return 0;
    const open = this.calls.closeAll(abort);
    await this.b.request("T"); // a step: the FINs or RSTs leave now
    return Math.max(0, open);
  }
  private stopping: Promise<void> | null = null;
  stop(): Promise<void> {
    return this.stopping ??= (async () => {
      if (!this.calls.error) { // reset what is left, and let the RSTs leave, as the native board does
        this.calls.closeAll(true);
        await this.b.request("T").catch(() => {});
      }
      this.b.detach();
      this.calls.gone("stopped");
      const stats = await this.board.stop();
      if (this.onLog && stats) this.onLog(`board measurements ${JSON.stringify(stats)}`);
      await this.link.close();
      this.pcap?.close();
    })();
  }
}

/** The emulated board on one of its cores (the engines xtensa, lx6, lx6-esp32). */
export const openXtensa = (core: XtensaCore) => async (o: EngineOptions): Promise<XtensaEngine> => {
  if (!o.tap || o.link || o.clock) throw new Error(`board "${BOARD_OF[core]}" needs tap, not link or clock`);
  const link = await TapLink.open(o.tap, o.netns);
  const pcap = o.pcap ? new PcapWriter(o.pcap) : null;
  const t0 = performance.now();
  const now = () => Math.floor(performance.now() - t0) + 1000;
  let board: XtensaBoard;
  try {
    board = await XtensaBoard.start({
      core, ip: o.ip, prefixLen: o.prefixLen, gw: o.gw, mac: o.mac, msl: o.msl, services: o.services, name: o.name,
      conns: o.layout?.conns, rxRing: o.layout?.rxRing, txRing: o.layout?.txRing, udpSockets: o.layout?.udpSockets,
      noStore: o.noStore, verbose: o.onLog !== undefined, time: now(), seed: randomBytes(4).readUInt32LE(0), onLog: o.onLog,
    });
  } catch (e) {
    link.close();
    pcap?.close();
    throw e;
  }
  const b = bridge(board, link, now, pcap);
  return new XtensaEngine(board, b, link, pcap, o.mac, core, now, o.onLog);
};
