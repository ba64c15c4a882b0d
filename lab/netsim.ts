// A deterministic network simulator: synack instances on a virtual wire with a seeded RNG and a
// virtual clock. Nothing sleeps; time jumps to the next frame delivery or module deadline.
import { Stack, Clock } from "../host/engine/stack.js";
import { TEST_LAYOUT } from "../host/drill/peer.js";

/** mulberry32: small, fast, and the same everywhere, so a seed reproduces a run exactly. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  float(): number { return this.u32() / 2 ** 32; }
  int(lo: number, hi: number): number { return lo + (this.u32() % (hi - lo + 1)); }
  chance(p: number): boolean { return this.float() < p; }
  bytes(n: number): Uint8Array { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = this.u32() & 255; return b; }
}

export interface Faults {
  loss: number;       // probability a frame is lost
  duplicate: number;  // probability it is delivered twice
  reorder: number;    // probability it is held back by up to 4x the delay
  corrupt: number;    // probability one bit is flipped
  delayMs: number;    // one-way base delay
  jitterMs: number;   // uniform extra delay
  mtu: number;        // frames with a larger payload are dropped
  outages: number;    // probability per second that the link goes down for 0.5-3 s
}

export const NO_FAULTS: Faults = { loss: 0, duplicate: 0, reorder: 0, corrupt: 0, delayMs: 1, jitterMs: 0, mtu: 1500, outages: 0 };

export class SimClock implements Clock {
  t = 0;
  now(): number { return this.t >>> 0; }
}

interface InFlight { at: number; seq: number; to: Node; frame: Uint8Array }

export class Node {
  deadline = 0;
  constructor(readonly stack: Stack, readonly mac: string) {}
}

export class Wire {
  readonly clock = new SimClock();
  readonly rng: Rng;
  readonly nodes: Node[] = [];
  private queue: InFlight[] = [];
  private seq = 0;
  private downUntil = -1;
  private nextOutageCheck = 0;
  stats = { sent: 0, lost: 0, duplicated: 0, reordered: 0, corrupted: 0, tooBig: 0, outageDrops: 0 };

  constructor(seed: number, readonly faults: Faults = NO_FAULTS) { this.rng = new Rng(seed); }

  /** A synack on the wire; its random source is the wire's RNG, so runs are reproducible. */
  add(ip: string, lastMacByte: number, setup?: (s: Stack) => void): Node {
    const mac = Uint8Array.from([0x02, 0x53, 0x4b, 0, 0, lastMacByte]);
    let node: Node;
    const stack = new Stack({
      // The soak runs three clients each way at once: up to six connections a node, and TIME-WAIT.
      ip, prefixLen: 24, mac, clock: this.clock, random: () => this.rng.u32(), layout: TEST_LAYOUT,
      onSend: (f) => this.transmit(node, f),
    });
    node = new Node(stack, Array.from(mac).join(":"));
    setup?.(stack);
    node.deadline = this.clock.t + stack.poll();
    this.nodes.push(node);
    return node;
  }

  private transmit(from: Node, frame: Uint8Array): void {
    const f = this.faults;
    this.stats.sent++;
    if (frame.length - 14 > f.mtu) { this.stats.tooBig++; return; }
    if (this.clock.t < this.downUntil) { this.stats.outageDrops++; return; }
    if (this.rng.chance(f.loss)) { this.stats.lost++; return; }
    const copies = this.rng.chance(f.duplicate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    const broadcast = frame[0] === 0xff;
    for (let c = 0; c < copies; c++) {
      let delay = f.delayMs + this.rng.float() * f.jitterMs;
      if (this.rng.chance(f.reorder)) { delay += this.rng.float() * 4 * (f.delayMs + 1); this.stats.reordered++; }
      let out = frame;
      if (this.rng.chance(f.corrupt)) {
        out = frame.slice();
        const bit = this.rng.int(0, out.length * 8 - 1);
        out[bit >> 3] ^= 1 << (bit & 7);
        this.stats.corrupted++;
      }
      for (const n of this.nodes) {
        if (n === from) continue;
        if (!broadcast && !sameMac(out, n)) continue;
        this.queue.push({ at: this.clock.t + delay, seq: this.seq++, to: n, frame: out });
      }
    }
  }

  /** Run until done() or the virtual time limit; returns whether done() became true. */
  run(done: () => boolean, limitMs: number, tick?: () => void): boolean {
    const end = this.clock.t + limitMs;
    while (this.clock.t <= end) {
      tick?.();
      if (done()) return true;
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      let next = Math.min(...this.nodes.map((n) => n.deadline));
      if (this.queue.length) next = Math.min(next, this.queue[0].at);
      next = Math.max(next, this.clock.t + 0.001);
      this.clock.t = Math.min(next, end + 1);
      this.maybeOutage();
      while (this.queue.length && this.queue[0].at <= this.clock.t) {
        const f = this.queue.shift()!;
        f.to.stack.receive(f.frame);
        f.to.deadline = Math.min(f.to.deadline, this.clock.t); // poll right after a frame
      }
      for (const n of this.nodes) {
        if (n.deadline <= this.clock.t) n.deadline = this.clock.t + Math.max(1, n.stack.poll());
      }
    }
    return done();
  }

  /** Make every node poll now (after a socket call from the driver). */
  kick(): void { for (const n of this.nodes) n.deadline = this.clock.t; }

  private maybeOutage(): void {
    if (this.clock.t < this.nextOutageCheck) return;
    this.nextOutageCheck = this.clock.t + 1000;
    if (this.rng.chance(this.faults.outages)) this.downUntil = this.clock.t + this.rng.int(500, 3000);
  }
}

function sameMac(frame: Uint8Array, n: Node): boolean {
  const m = n.stack.mac;
  for (let i = 0; i < 6; i++) if (frame[i] !== m[i]) return false;
  return true;
}
