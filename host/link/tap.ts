// A Link over a Linux TAP device. Node cannot issue the TUNSETIFF ioctl itself, so one of two
// helpers, both built into build/ from source:
//   - tapaddon.node (host/link/tapaddon.c, N-API): the TAP's descriptor inside Node's process,
//     watched by libuv; frames are read in batches and written with one system call each, or,
//     on the direct path (Runner with direct), read into and written from the module's memory
//     one system call each, no JavaScript copies. Used whenever it loads.
//   - tapio (host/link/tapio.c): a relay process over stdio, in batches; the fallback, and what
//     SYNACK_TAP=relay chooses (the bench runs both).
// Both hand batches over as [u16 big-endian length][frame]..., parsed here (not on the direct path).
import { spawn, ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { existsSync } from "node:fs";
import type { Link, DirectIo } from "./link.js";
import { PACKAGE_ROOT } from "../root.js";

export const TAPIO = resolve(PACKAGE_ROOT, "build/tapio");
export const TAP_ADDON = resolve(PACKAGE_ROOT, "build/tapaddon.node");

interface TapAddon {
  open(ifname: string, netnsPath: string | null): number;
  start(fd: number, onBatch: (batch: Buffer) => void): void;
  write(fd: number, frame: Uint8Array): boolean;
  direct(fd: number, memory: ArrayBuffer, rx: number, rxCap: number, onReadable: () => void): DirectIo;
  close(fd: number): void;
  ref(fd: number, on: boolean): void;
}

let addon: TapAddon | null | undefined;
/** The N-API helper, or null when it is not built, does not load, or SYNACK_TAP=relay. */
function loadAddon(): TapAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.SYNACK_TAP !== "relay" && existsSync(TAP_ADDON)) {
    try { addon = createRequire(import.meta.url)(TAP_ADDON) as TapAddon; } catch { addon = null; }
  }
  return addon;
}

export class TapLink implements Link {
  onFrame: (frame: Uint8Array) => void = () => {};
  /** Which helper moves the frames. */
  readonly via: "addon" | "relay";
  private child: ChildProcess | null = null;
  private fd = -1;
  private buf = Buffer.alloc(0);
  private closed = false;
  private onReady: () => void = () => {};

  /**
   * Resolves once attached; rejects with a one-line error. netns: the TAP is in that namespace.
   * via: "relay" uses tapio even when the addon loads.
   */
  static open(ifname: string, netns?: string, via?: "relay"): Promise<TapLink> {
    const a = via === "relay" ? null : loadAddon();
    if (a) {
      try {
        const fd = a.open(ifname, netns ? `/var/run/netns/${netns}` : null);
        return Promise.resolve(new TapLink(ifname, netns, fd));
      } catch (e) {
        return Promise.reject(new Error((e as Error).message));
      }
    }
    return new Promise((res, rej) => {
      if (!existsSync(TAPIO)) { rej(new Error(`${TAPIO} is missing: run npm run build`)); return; }
      const link = new TapLink(ifname, netns, -1);
      const child = link.child!;
      let ready = false;
      let err = "";
      child.stderr!.on("data", (d) => { err += d; });
      child.on("exit", (code) => {
        if (!ready) rej(new Error(err.trim().split("\n")[0] || `tapio exited with ${code}`));
      });
      link.onReady = () => { ready = true; res(link); };
    });
  }

  private constructor(ifname: string, netns: string | undefined, fd: number) {
    if (fd >= 0) {
      this.via = "addon";
      this.fd = fd;
      addon!.start(fd, (b) => this.consume(b));
      return;
    }
    this.via = "relay";
    const cmd = netns ? ["ip", "netns", "exec", netns, TAPIO, ifname] : [TAPIO, ifname];
    this.child = spawn(cmd[0], cmd.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdin!.on("error", () => {});
    this.child.stdout!.on("data", (d: Buffer) => this.consume(d));
  }

  /** Frames from a batch (a relay's read may end inside one: the rest waits for the next). */
  private consume(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    let off = 0;
    while (this.buf.length - off >= 2) {
      const len = this.buf.readUInt16BE(off);
      if (this.buf.length - off < 2 + len) break;
      if (len === 0) this.onReady();
      else this.onFrame(new Uint8Array(this.buf.buffer, this.buf.byteOffset + off + 2, len));
      off += 2 + len;
    }
    this.buf = this.buf.subarray(off);
  }

  /**
   * Through the addon a frame goes to the TAP in this call. Through the relay, the frames sent in one
   * run of JavaScript (one poll, one batch of arrivals) leave in one write to tapio: each write is
   * a system call on both sides.
   */
  send(frame: Uint8Array): void {
    if (this.closed) return;
    if (this.fd >= 0) {
      addon!.write(this.fd, frame);
      return;
    }
    this.outq.push(frame);
    this.outBytes += 2 + frame.length;
    if (this.outq.length === 1) queueMicrotask(this.flush);
  }

  private outq: Uint8Array[] = [];
  private outBytes = 0;
  private flush = (): void => {
    if (this.outq.length === 0 || !this.child) return;
    const out = Buffer.allocUnsafe(this.outBytes);
    let off = 0;
    for (const f of this.outq) {
      out.writeUInt16BE(f.length, off);
      out.set(f, off + 2);
      off += 2 + f.length;
    }
    this.outq = [];
    this.outBytes = 0;
    if (this.child.stdin!.writable) this.child.stdin!.write(out);
  };

  /**
   * The fast path, through the addon only (null through the relay): frames are read one at a time
   * straight into memory[rx..rx+rxCap) and written from the module's memory, no copy in
   * JavaScript; onReadable() replaces onFrame.
   */
  /** Whether the link keeps the program running (as node:net's ref/unref). */
  ref(on: boolean): void {
    if (this.closed) return;
    if (this.fd >= 0) { addon!.ref(this.fd, on); return; }
    const c = this.child!;
    for (const h of [c, c.stdout, c.stderr, c.stdin] as { ref(): void; unref(): void }[]) if (on) h.ref(); else h.unref();
  }

  direct(memory: ArrayBuffer, rx: number, rxCap: number, onReadable: () => void): DirectIo | null {
    if (this.fd < 0 || this.closed) return null;
    return addon!.direct(this.fd, memory, rx, rxCap, onReadable);
  }

  /**
   * Stop. Frames already sent have left (the addon writes at once; tapio writes every frame it was
   * given, a last FIN or RST, and exits at the end of its input, killed only if it has not done so
   * within a second). Resolves when the TAP is released.
   */
  close(): Promise<void> {
    if (this.fd >= 0) {
      if (!this.closed) { this.closed = true; addon!.close(this.fd); }
      return Promise.resolve();
    }
    const child = this.child!;
    if (!this.closed) {
      this.flush();
      this.closed = true;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGTERM"), 1000);
      timer.unref();
      child.once("exit", () => clearTimeout(timer));
    }
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((r) => child.once("exit", () => r()));
  }
}
