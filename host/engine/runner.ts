// The V8 engine's run loop: a Stack attached to a Link, in real time.
import type { Stack } from "./stack.js";
import type { Link, DirectIo } from "../link/link.js";

/**
 * Real-time driver: frames in, then one poll per batch, and a timer for the module's next
 * deadline. Everything runs on Node's one thread, so the module is never re-entered.
 * With `direct` and a link that offers it, frames skip JavaScript (no copies, one call into the
 * module per frame), and neither link.onFrame nor stack.onSend sees them: no pcap, no watchers.
 */
export class Runner {
  private timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires (performance.now() ms; Infinity: none armed). The fields keep
   *  one type each once set (no null again), so optimized code that reads them stays valid. */
  private timerAt = Infinity;
  private pending: NodeJS.Immediate | null = null;
  private stopped = false;
  private refd = true;
  private io: DirectIo | null = null;
  private memory: ArrayBuffer | null = null;
  /** Called after every poll: the socket layer (host/api) moves data and events from here. */
  onTick: () => void = () => {};

  constructor(readonly stack: Stack, readonly link: Link, opts: { direct?: boolean } = {}) {
    for (const f of stack.boot.splice(0)) link.send(f); // the first DISCOVER leaves now, not 4 s later
    if (opts.direct && this.bind()) return;
    const prev = stack.onSend;
    stack.onSend = (f) => { prev(f); link.send(f); };
    link.onFrame = (f) => { stack.receive(f); this.kick(); };
  }

  /** Whether the frames now go directly (again, when the module's memory is a new buffer). */
  private bind(): boolean {
    const x = this.stack.x;
    const memory = x.memory.buffer;
    const io = this.link.direct?.(memory, x.rx_buffer(), x.rx_buffer_size(), this.readable) ?? null;
    if (!io) return false;
    this.io = io;
    this.memory = memory;
    this.stack.setSink(io.send);
    return true;
  }

  /** Direct: every waiting frame (up to a bound, so timers get their turn) into the module, then a poll. */
  private readable = (): void => {
    if (this.stopped) return;
    const x = this.stack.x, clock = this.stack.clock;
    if (x.memory.buffer !== this.memory) this.bind();
    const io = this.io!;
    for (let i = 0; i < 256; i++) {
      const n = io.read();
      if (n === 0) break;
      x.frame_received(n, clock.now());
    }
    this.tick();
  };

  start(): this { this.tick(); return this; }

  /** Poll soon (after the current batch of frames or socket calls). */
  kick(): void {
    if (this.pending || this.stopped) return;
    this.pending = setImmediate(() => { this.pending = null; this.tick(); });
  }

  private tick(): void {
    if (this.stopped) return;
    const d = this.stack.poll();
    this.onTick();
    // One timer, moved only when the module needs a turn sooner than it comes: one that fires
    // early costs a poll that finds nothing due.
    const at = performance.now() + Math.max(1, d);
    if (this.timerAt > at) this.arm(at, d);
  }

  /** The same steps every time (start() runs them first), so V8's optimized tick never meets an
   *  untried branch here (one cost a deoptimization and a second 10-20 ms compile mid-transfer). */
  private arm(at: number, d: number): void {
    clearTimeout(this.timer ?? undefined);
    this.timerAt = at;
    this.timer = setTimeout(this.due, Math.max(1, d));
    if (!this.refd) this.timer.unref();
  }

  /** Whether the module's timers and the link keep the program running (node:net's ref/unref). */
  ref(on: boolean): void {
    this.refd = on;
    if (on) this.timer?.ref(); else this.timer?.unref();
    this.link.ref?.(on);
  }

  private due = (): void => { this.timerAt = Infinity; this.tick(); };

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.pending) clearImmediate(this.pending);
    this.link.close();
  }
}
