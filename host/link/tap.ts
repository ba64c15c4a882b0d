// A Link over a Linux TAP device, through the tapio helper (host/tapio.c, built into build/).
import { spawn, ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { existsSync } from "node:fs";
import { Link, PACKAGE_ROOT } from "../engine/stack.js";

export const TAPIO = resolve(PACKAGE_ROOT, "build/tapio");

export class TapLink implements Link {
  onFrame: (frame: Uint8Array) => void = () => {};
  private child: ChildProcess;
  private buf = Buffer.alloc(0);
  private closed = false;

  /** Resolves once attached; rejects with tapio's one-line error. netns: run inside that namespace. */
  static open(ifname: string, netns?: string): Promise<TapLink> {
    return new Promise((res, rej) => {
      if (!existsSync(TAPIO)) { rej(new Error(`${TAPIO} is missing: run npm run build`)); return; }
      const link = new TapLink(ifname, netns);
      let ready = false;
      let err = "";
      link.child.stderr!.on("data", (d) => { err += d; });
      link.child.on("exit", (code) => {
        if (!ready) rej(new Error(err.trim().split("\n")[0] || `tapio exited with ${code}`));
      });
      link.onReady = () => { ready = true; res(link); };
    });
  }

  private onReady: () => void = () => {};

  private constructor(ifname: string, netns?: string) {
    const cmd = netns ? ["ip", "netns", "exec", netns, TAPIO, ifname] : [TAPIO, ifname];
    this.child = spawn(cmd[0], cmd.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdin!.on("error", () => {});
    this.child.stdout!.on("data", (d: Buffer) => this.consume(d));
  }

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
   * Frames sent in one run of JavaScript (one poll, one batch of arrivals) leave in one write to
   * tapio: each write is a system call on both sides, and they bound the V8 engine's speed.
   */
  send(frame: Uint8Array): void {
    if (this.closed) return;
    this.outq.push(frame);
    this.outBytes += 2 + frame.length;
    if (this.outq.length === 1) queueMicrotask(this.flush);
  }

  private outq: Uint8Array[] = [];
  private outBytes = 0;
  private flush = (): void => {
    if (this.outq.length === 0) return;
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
   * Stop: tapio writes every frame already sent (a last FIN or RST) and exits at the end of its
   * input; it is killed only if it has not done so within a second. Resolves when it is gone.
   */
  close(): Promise<void> {
    if (!this.closed) {
      this.flush();
      this.closed = true;
      this.child.stdin!.end();
      const timer = setTimeout(() => this.child.kill("SIGTERM"), 1000);
      timer.unref();
      this.child.once("exit", () => clearTimeout(timer));
    }
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((r) => this.child.once("exit", () => r()));
  }
}
