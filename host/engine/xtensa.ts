// The emulated Xtensa board: the C firmware (boards/xtensa) on one of QEMU's Xtensa cores, with its
// simulated W5500's wire on two FIFOs (the message format is boards/xtensa/channel.h's). Two builds:
// "xtensa", call0 on the lx106; "lx6", the windowed ABI of the ESP32's LX6, on QEMU's de212 (an LX6
// that Debian's QEMU has built in); "lx6-esp32", the same build on the ESP32's own core, in a QEMU
// built by scripts/setup-qemu-esp32.sh where Espressif's core overlay is at hand (optional).
// XtensaBoard runs it in lock step: every message to the board is answered by the frames it sent,
// then its idle report (ms until its next timer, its address), its measurements, or the answer
// to a socket call. Messages go out and are answered asynchronously (send) or, for the socket
// calls, which return at once as on V8, synchronously (exchange: it reads the board's answers
// itself, those to earlier messages first).
import { spawn, execFileSync, ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync, constants } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PACKAGE_ROOT } from "./stack.js";
import { boardArgs } from "./boardargs.js";

export const XTENSA_ELF = resolve(PACKAGE_ROOT, "build/synack-xtensa.elf");
export const LX6_ELF = resolve(PACKAGE_ROOT, "build/synack-xtensa-windowed.elf");
export const QEMU = "qemu-system-xtensa";
export const QEMU_ESP32 = resolve(PACKAGE_ROOT, "third_party/qemu-esp32/qemu-system-xtensa");

/** The emulated cores: the firmware each runs and QEMU's name for the core. */
export type XtensaCore = "lx106" | "lx6" | "lx6-esp32";
export const CORES: Record<XtensaCore, { elf: string; cpu: string; qemu: string; build: string }> = {
  lx106: { elf: XTENSA_ELF, cpu: "lx106", qemu: QEMU, build: "npm run build (needs the lx106 toolchain)" },
  lx6: { elf: LX6_ELF, cpu: "de212", qemu: QEMU, build: "bash scripts/build-xtensa.sh windowed" },
  "lx6-esp32": { elf: LX6_ELF, cpu: "esp32", qemu: QEMU_ESP32, build: "bash scripts/build-xtensa.sh windowed" },
};

/** Whether a core's firmware and emulator are both there. */
export function coreBuilt(core: XtensaCore): boolean {
  return existsSync(CORES[core].elf) && (CORES[core].qemu === QEMU || existsSync(CORES[core].qemu));
}
/** boards/esp32 menuconfig's default services: echo, discard, chargen, console, HTTP and mDNS. */
export const ESP32_SERVICES = 1 | 2 | 4 | 8 | 16 | 32;

export interface XtensaOptions {
  /** The core and its build (default lx106). */
  core?: XtensaCore;
  ip: number; prefixLen: number; gw?: number; mac?: Uint8Array; msl?: number; services?: number;
  name?: string; conns?: number; rxRing?: number; txRing?: number; udpSockets?: number;
  /** fw_config.memory_limit: bytes of linear memory the module may have (0: what the layout needs). */
  memoryLimit?: number;
  /** Bytes of compiled code the firmware keeps before it moves to a fresh runtime (fw_config.code_budget). */
  codeBudget?: number;
  /** Compile into the heap as code runs, not once into the code store (the firmware's --no-store). */
  noStore?: boolean;
  seed?: number; verbose?: boolean; onLog?: (line: string) => void;
  /** The host's clock (ms) when the board boots. */
  time: number;
}

export interface Reply {
  frames: Uint8Array[];
  /** 'I': ms until the board's next timer; its address and prefix length (0 while DHCP has none). */
  next: number; address: number; prefixLen: number;
  /** 'M': the measurements (boards/xtensa/main.c report()). */
  stats?: Record<string, any>;
  /** 'A': the answer to a socket call ('K'), as boards/common/control.h writes it. */
  answer?: Buffer;
}

/** The most one message carries (boards/xtensa/channel.h CHANNEL_MAX_PAYLOAD). */
export const CHANNEL_MAX_PAYLOAD = 4096;
const sleeper = new Int32Array(new SharedArrayBuffer(4));


/** QEMU's command line for the board; its arguments reach main() through semihosting. */
export function qemuArgs(elf: string, boardArgs: string[], cpu = "lx106"): string[] {
  const semi = ["enable=on", "target=native", "arg=synack", ...boardArgs.map((a) => `arg=${a.replace(/,/g, ",,")}`)].join(",");
  return ["-M", "sim", "-cpu", cpu, "-m", "16M", "-semihosting-config", semi, "-display", "none",
    "-monitor", "none", "-serial", "none", "-icount", "shift=0", "-device", `loader,file=${elf},cpu-num=0`];
}

export class XtensaBoard {
  private child!: ChildProcess;
  private dir!: string;
  private toFd = -1;
  private fromFd = -1;
  private fromBoard!: Socket;
  private readonly inbox = Buffer.alloc(65536);
  private buf = Buffer.alloc(0);
  private frames: Uint8Array[] = [];
  private waiting: { res: (r: Reply) => void; rej: (e: Error) => void }[] = [];
  private failed: Error | null = null;
  private stderr = "";
  private lastLogs: string[] = [];
  onLog: (line: string) => void = () => {};
  /** Frames the board sent, as they come (also returned in each Reply). */
  onFrame: (frame: Uint8Array) => void = () => {};
  /** The boot reply: after fw_start, the first idle report. */
  boot!: Reply;

  static async start(o: XtensaOptions): Promise<XtensaBoard> {
    const core = CORES[o.core ?? "lx106"];
    if (!existsSync(core.elf)) throw new Error(`${core.elf} is missing: run ${core.build}`);
    if (core.qemu !== QEMU && !existsSync(core.qemu)) throw new Error(`${core.qemu} is missing: run bash scripts/setup-qemu-esp32.sh OVERLAYS`);
    const b = new XtensaBoard();
    if (o.onLog) b.onLog = o.onLog;
    b.dir = mkdtempSync(join(tmpdir(), "synack-xtensa-"));
    const fin = join(b.dir, "in"), fout = join(b.dir, "out");
    execFileSync("mkfifo", [fin, fout]);
    // Opened read-write here, so neither side's open blocks and the board's EOF never comes early.
    b.toFd = openSync(fin, constants.O_RDWR | constants.O_NONBLOCK);
    b.fromFd = openSync(fout, constants.O_RDWR | constants.O_NONBLOCK);
    b.fromBoard = new Socket({ fd: b.fromFd, readable: true, writable: false });
    b.fromBoard.on("data", (d: Buffer) => b.consume(d));
    b.fromBoard.on("error", (e) => b.fail(e));
    const args = ["--in", fin, "--out", fout, ...boardArgs({ ...o,
      layout: { conns: o.conns, rxRing: o.rxRing, txRing: o.txRing, udpSockets: o.udpSockets } })];
    if (o.memoryLimit) args.push("--memory-limit", String(o.memoryLimit));
    if (o.codeBudget) args.push("--code-budget", String(o.codeBudget));
    if (o.seed !== undefined) args.push("--seed", String(o.seed >>> 0));
    b.child = spawn(core.qemu, qemuArgs(core.elf, args, core.cpu), { stdio: ["ignore", "ignore", "pipe"], detached: true });
    b.child.stderr!.on("data", (d) => { b.stderr += d; });
    b.child.on("error", (e) => b.fail(new Error(`cannot run ${core.qemu}: ${e.message}`)));
    b.child.on("exit", (code, sig) => {
      const why = [...b.lastLogs, b.stderr.trim()].filter(Boolean).join("; ");
      b.fail(new Error(`the board stopped (${sig ?? `exit ${code}`})${why ? `: ${why}` : ""}`));
    });
    try {
      b.boot = await b.send("T", o.time);
      // Both ends are open now: the names can go, so nothing is left behind if this process ends.
      rmSync(b.dir, { recursive: true, force: true });
    } catch (e) {
      await b.stop(); // the FIFOs and the temporary directory go too
      throw e;
    }
    return b;
  }

  private fail(e: Error): void {
    if (!this.failed) this.failed = e;
    for (const w of this.waiting.splice(0)) w.rej(this.failed);
  }

  private consume(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    let off = 0;
    while (this.buf.length - off >= 8) {
      const type = String.fromCharCode(this.buf[off]), len = this.buf.readUInt16LE(off + 2), value = this.buf.readUInt32LE(off + 4);
      if (this.buf.length - off < 8 + len) break;
      const p = Uint8Array.prototype.slice.call(this.buf, off + 8, off + 8 + len) as Uint8Array;
      off += 8 + len;
      if (type === "F") { this.frames.push(p); this.onFrame(p); }
      else if (type === "L") {
        const line = Buffer.from(p).toString();
        this.lastLogs = [...this.lastLogs.slice(-4), line];
        this.onLog(line);
      }
      else if (type === "I" || type === "M" || type === "A") {
        const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
        const r: Reply = type === "I"
          ? { frames: this.frames, next: value, address: v.getUint32(0, true), prefixLen: v.getUint32(4, true) }
          : type === "A" ? { frames: this.frames, next: 0, address: 0, prefixLen: 0, answer: Buffer.from(p) }
          : { frames: this.frames, next: 0, address: 0, prefixLen: 0, stats: JSON.parse(Buffer.from(p).toString()) };
        this.frames = [];
        this.waiting.shift()?.res(r);
      }
    }
    this.buf = this.buf.subarray(off);
  }

  /** One message to the board ('T' clock, 'F' frame, 'S' report, 'Q' report and stop); resolves with its answer. */
  send(type: "T" | "F" | "S" | "Q", time: number, payload: Uint8Array = new Uint8Array()): Promise<Reply> {
    if (this.failed) return Promise.reject(this.failed);
    const p = new Promise<Reply>((res, rej) => this.waiting.push({ res, rej }));
    try { this.put(type, time, payload); } catch (e) { this.fail(e as Error); }
    return p;
  }

  /**
   * One message answered before this returns ('K', a socket call): the answers to messages sent
   * before it are read first (their promises resolve as usual). Throws if the board has failed or
   * does not answer.
   */
  exchange(type: "K", time: number, payload: Uint8Array): Reply {
    if (this.failed) throw this.failed;
    let got: Reply | null = null, err: Error | null = null;
    this.put(type, time, payload);
    this.waiting.push({ res: (r) => { got = r; }, rej: (e) => { err = e; } }); // no answer comes before the whole message went
    for (let deadline = Date.now() + 20_000, polls = 0; !got && !err; polls++) {
      if (this.pull()) continue;
      if (Date.now() > deadline || (polls % 4096 === 4095 && this.exited())) {
        this.fail(new Error(`the board does not answer: ${this.exited() ? "it stopped" : "20 s passed"}`));
        continue;
      }
      Atomics.wait(sleeper, 0, 0, 0.05);
    }
    if (err) throw err;
    return got!;
  }

  /** Write one message; while the FIFO is full, read what the board says (it may be waiting for us). */
  private put(type: string, time: number, payload: Uint8Array): void {
    if (payload.length > CHANNEL_MAX_PAYLOAD) throw new Error(`a message of ${payload.length} bytes is too long`);
    const h = Buffer.alloc(8);
    h[0] = type.charCodeAt(0); h.writeUInt16LE(payload.length, 2); h.writeUInt32LE(time >>> 0, 4);
    const m = payload.length ? Buffer.concat([h, payload]) : h;
    for (let off = 0, deadline = Date.now() + 20_000; off < m.length;) {
      try { off += writeSync(this.toFd, m, off); continue; } catch (e) { if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e; }
      if (Date.now() > deadline) throw new Error("the board does not read its channel");
      if (!this.pull()) Atomics.wait(sleeper, 0, 0, 0.05);
    }
  }

  /** Read what the board has written, now (what the socket already read first); whether there was any. */
  private pull(): boolean {
    let moved = false;
    while (this.fromBoard.readableLength > 0 && this.fromBoard.read() !== null) moved = true; // consumed by "data"
    let n = 0;
    try { n = readSync(this.fromFd, this.inbox, 0, this.inbox.length, null); } catch (e) { if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e; }
    if (n > 0) this.consume(Buffer.from(this.inbox.subarray(0, n)));
    return moved || n > 0;
  }

  /** Whether QEMU has ended (also before node has reaped it). */
  private exited(): boolean {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return true;
    try { return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${this.child.pid}/stat`, "utf8")); } catch { return true; }
  }

  /** Whether QEMU and the channel keep the program running (node:net's ref/unref). */
  ref(on: boolean): void {
    for (const h of [this.child, this.child.stderr, this.fromBoard] as ({ ref(): void; unref(): void } | null)[]) if (on) h?.ref(); else h?.unref();
  }

  /** Messages sent and not yet answered. */
  get pending(): number { return this.waiting.length; }

  async stop(): Promise<Record<string, any> | null> {
    let stats: Record<string, any> | null = null;
    // The timers go when the wait ends: a program that stopped its board ends at once.
    let limit: NodeJS.Timeout | undefined;
    const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<null>((r) => { limit = setTimeout(() => r(null), ms); })]).finally(() => clearTimeout(limit));
    if (!this.failed) stats = (await within(this.send("Q", 0).catch(() => null), 5000))?.stats ?? null;
    this.failed ??= new Error("stopped");
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise((r) => this.child.once("exit", r));
      try { process.kill(-this.child.pid!, "SIGTERM"); } catch { /* already gone */ }
      await within(gone, 2000);
      try { process.kill(-this.child.pid!, "SIGKILL"); } catch { /* already gone */ }
    }
    closeSync(this.toFd);
    this.fromBoard.destroy();
    rmSync(this.dir, { recursive: true, force: true });
    return stats;
  }
}
