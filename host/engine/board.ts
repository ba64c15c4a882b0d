// The native board engine: the module runs in the board's firmware (boards/native: the C firmware
// under wasm3, its W5500 driver and the simulated chip, on the TAP), and this process drives the
// firmware's C socket API (boards/common/synack.h) by the control protocol (control.ts) over FIFOs
// (boards/native/fifos.h). Each call is answered before it returns (a blocking round trip of some
// tens of microseconds), so sockets behave as they do on V8; the board says when its sockets may have moved. The firmware runs in a
// process group of its own: a Ctrl-C reaches only us, and we close its connections (lifecycle.ts).
import { spawn, execFileSync, ChildProcess } from "node:child_process";
import { closeSync, constants, existsSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { Socket as Pipe } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PACKAGE_ROOT, parseCounters } from "./stack.js";
import type { Engine, EngineOptions } from "./interface.js";
import { boardArgs } from "./boardargs.js";
import { ControlCalls } from "./control.js";

export const NATIVE_BOARD = resolve(PACKAGE_ROOT, "build/synack-native");

export async function openNative(o: EngineOptions): Promise<NativeBoard> { return NativeBoard.start(o); }

/** The largest payload one request or answer carries (boards/native/fifos.c MAX_PAYLOAD). */
const MAX_PAYLOAD = 4096;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class NativeBoard implements Engine {
  readonly name = "native";
  readonly label = "board native, wasm3";
  readonly calls = new ControlCalls((request) => this.roundTrip(request), MAX_PAYLOAD);
  mac = new Uint8Array(6);
  /** Called (once per batch) when the board's sockets may have moved. */
  onEvent: () => void = () => {};
  private req = -1;
  private resp = -1;
  private events: Pipe | null = null;
  private child!: ChildProcess;
  private dump: ChildProcess | null = null;
  private dir = "";
  private why: string | null = null;
  private gone: (why: string) => void = () => {};
  /** Resolves with why the board stopped, if it stops on its own. */
  readonly failed = new Promise<string>((r) => { this.gone = r; });
  private stderr = "";
  private eventPending = false;

  static async start(o: EngineOptions): Promise<NativeBoard> {
    if (!o.tap || o.link || o.clock) throw new Error(`board "native" needs tap (it attaches to the TAP itself), not link or clock`);
    if (!existsSync(NATIVE_BOARD)) throw new Error(`${NATIVE_BOARD} is missing: run npm run build`);
    const b = new NativeBoard();
    b.dir = mkdtempSync(join(tmpdir(), "synack-board-"));
    try {
      for (const f of ["req", "resp", "event"]) execFileSync("mkfifo", [join(b.dir, f)]);
      // Opened here first, so the board's opens do not block; it alone writes resp, so its exit is our EOF.
      b.req = openSync(join(b.dir, "req"), constants.O_RDWR);
      b.resp = openSync(join(b.dir, "resp"), constants.O_RDONLY | constants.O_NONBLOCK);
      b.events = new Pipe({ fd: openSync(join(b.dir, "event"), constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: false });
      b.events.on("data", () => b.event());
      b.events.on("error", () => {});
      b.mac = o.mac;
      const args = ["--tap", o.tap, ...boardArgs({ ...o, verbose: o.onLog !== undefined }), "--control", b.dir, ...(o.exampleService ? ["--example-service"] : [])];
      if (o.pcap) b.dump = await startCapture(o.tap, o.pcap, o.netns);
      const cmd = o.netns ? "ip" : NATIVE_BOARD;
      b.child = spawn(cmd, o.netns ? ["netns", "exec", o.netns, NATIVE_BOARD, ...args] : args,
        { stdio: ["ignore", "pipe", "pipe"], detached: true });
      await b.ready(15_000, o.onLog);
      // Both ends are open now (the board opens them before it starts): the names can go, so
      // nothing is left behind even if this process is killed.
      rmSync(b.dir, { recursive: true, force: true });
      b.dir = "";
      return b;
    } catch (e) {
      await b.stop();
      throw e;
    }
  }

  /** Until the board's ready line (at once: with a control channel it does not wait for DHCP itself). */
  private ready(timeoutMs: number, onLog?: (line: string) => void): Promise<void> {
    return new Promise((res, rej) => {
      let out = "", partial = "";
      const timer = setTimeout(() => rej(new Error(`the native board did not start in ${timeoutMs} ms: ${this.lastWords()}`)), timeoutMs);
      this.child.stdout!.on("data", (d) => { out += d; if (out.includes("serving")) { clearTimeout(timer); res(); } });
      this.child.stderr!.on("data", (d: Buffer) => {
        const lines = (partial + d.toString()).split("\n");
        partial = lines.pop()!;
        for (const l of lines) {
          if (onLog && l.startsWith("synack: ")) { onLog(l.slice(8)); continue; }
          this.stderr = (this.stderr + l + "\n").slice(-2000);
          // The firmware's own lines (with --verbose its heap and SPI figures on leaving) are the log's too.
          if (onLog && l.startsWith("synack-native: ")) onLog(`board: ${l.slice(15)}`);
        }
      });
      this.child.on("error", (e) => { clearTimeout(timer); this.why = e.message; rej(new Error(`cannot run ${NATIVE_BOARD}: ${e.message}`)); });
      this.child.on("exit", (code, sig) => {
        clearTimeout(timer);
        const unexpected = this.why === null;
        this.why ??= `the native board stopped (${sig ?? `exit ${code}`})`;
        rej(new Error(`${this.why}: ${this.lastWords()}`));
        // Sockets still open learn it at once: every call now answers EBADF.
        this.calls.gone(this.why);
        if (unexpected) { setImmediate(() => this.onEvent()); this.gone(`${this.why}: ${this.lastWords()}`); }
      });
    });
  }

  private lastWords(): string { return this.stderr.trim().split("\n").slice(-3).join("; ") || "no message"; }

  private event(): void {
    if (this.eventPending) return;
    this.eventPending = true;
    setImmediate(() => { this.eventPending = false; if (!this.error) this.onEvent(); });
  }

  /** One request's answer (header and payload), read from the answer FIFO. */
  private roundTrip(request: Buffer): Buffer {
    if (this.req < 0) throw new Error("stopped");
    writeSync(this.req, request);
    const head = this.readExact(16);
    const n = head.readUInt16LE(12);
    return n ? Buffer.concat([head, this.readExact(n)]) : head;
  }

  private readExact(n: number): Buffer {
    const b = Buffer.alloc(n);
    const deadline = Date.now() + 10_000;
    for (let got = 0; got < n;) {
      let r = -1;
      try { r = readSync(this.resp, b, got, n - got, null); } catch (e) { if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e; }
      if (r === 0) throw new Error(`the native board stopped: ${this.lastWords()}`);
      if (r > 0) { got += r; continue; }
      if (Date.now() > deadline) throw new Error("the native board does not answer");
      Atomics.wait(sleeper, 0, 0, 0.02);
    }
    return b;
  }

  /** Why the board stopped answering, or null while it runs. */
  get error(): string | null { return this.why ?? this.calls.error; }

  kick(): void { /* the board steps after every batch of calls */ }
  ref(on: boolean): void {
    const c = this.child;
    for (const h of [c, c.stdout, c.stderr, this.events] as ({ ref(): void; unref(): void } | null)[]) if (on) h?.ref(); else h?.unref();
  }
  async ourAddress(): Promise<{ ip: number; prefixLen: number }> { return this.calls.ourAddress(); }
  async counters(): Promise<Record<string, number>> { return parseCounters(this.calls.statsText()); }
  async closeAll(abort: boolean): Promise<number> {
    if (this.error) return 0;
    const open = this.calls.closeAll(abort);
    this.calls.step(); // the FINs or RSTs leave now
    return Math.max(0, open);
  }

  /** Reset what is left, stop the board (and its capture), remove the FIFOs. */
  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.calls.closeAll(true); // reset every connection, and send the RSTs now
      this.calls.step();
      const gone = new Promise((r) => this.child.once("close", r)); // its last lines read too
      const group = (sig: NodeJS.Signals) => { try { process.kill(-this.child.pid!, sig); } catch { /* gone */ } };
      group("SIGTERM");
      // A second SIGTERM tells the board not to wait the 2 s it gives closing peers (there are none now).
      const hurry = setTimeout(() => group("SIGTERM"), 50);
      let limit: NodeJS.Timeout | undefined;
      await Promise.race([gone, new Promise((r) => { limit = setTimeout(r, 3000); })]);
      clearTimeout(hurry);
      clearTimeout(limit);
      if (this.child.exitCode === null && this.child.signalCode === null) group("SIGKILL");
    }
    this.why ??= "stopped";
    this.calls.gone(this.why);
    if (this.dump) { await stopCapture(this.dump); this.dump = null; }
    this.events?.destroy();
    for (const fd of [this.req, this.resp]) if (fd >= 0) try { closeSync(fd); } catch { /* closed */ }
    this.req = this.resp = -1;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The firmware owns the TAP, so its frames are captured from the outside: tcpdump on the same
 * interface, in its own process group, writing the same pcap format with microsecond stamps.
 */
async function startCapture(tap: string, file: string, netns?: string): Promise<ChildProcess> {
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

async function stopCapture(dump: ChildProcess): Promise<void> {
  if (dump.exitCode !== null || dump.signalCode !== null) return;
  const done = new Promise((r) => dump.once("exit", r));
  try { process.kill(-dump.pid!, "SIGTERM"); } catch { /* already gone */ }
  await done;
}
