// The V8 engine: the module in this process (Stack), driven by a Runner on a TAP or any Link.
import { Stack, compileOptimized } from "./stack.js";
import { Runner } from "./runner.js";
import { PC_LAYOUT } from "./options.js";
import type { Engine, EngineOptions } from "./interface.js";
import { TapLink } from "../link/tap.js";
import { PcapWriter } from "../link/pcap.js";

export class V8Engine implements Engine {
  readonly name = "v8";
  readonly label = "v8";
  readonly calls: Stack;
  onEvent: () => void = () => {};
  readonly failed = new Promise<string>(() => {});

  constructor(readonly stack: Stack, readonly runner: Runner, private readonly pcap: PcapWriter | null) {
    this.calls = stack; // Stack is the socket calls itself
    runner.onTick = () => this.onEvent();
  }

  get mac(): Uint8Array { return this.stack.mac; }
  kick(): void { this.runner.kick(); }
  ref(on: boolean): void { this.runner.ref(on); }
  async ourAddress(): Promise<{ ip: number; prefixLen: number }> { return { ip: this.stack.address(), prefixLen: this.stack.prefixLen() }; }
  async counters(): Promise<Record<string, number>> { return this.stack.stats(); }
  async closeAll(abort: boolean): Promise<number> {
    if (this.stopping) return 0;
    const open = this.stack.closeAll(abort);
    this.runner.kick();
    return open;
  }
  private stopping: Promise<void> | null = null;
  stop(): Promise<void> {
    return this.stopping ??= (async () => {
      await new Promise((r) => setImmediate(r)); // a kicked poll sends what the last calls queued
      this.runner.stop();
      await this.runner.link.close(); // the last FINs and RSTs reach the wire before we go
      this.pcap?.close();
    })();
  }
}

export async function openV8(o: EngineOptions): Promise<V8Engine> {
  const link = o.link ?? (o.tap ? await TapLink.open(o.tap, o.netns) : null);
  if (!link) throw new Error("tap or link is required");
  if (o.tap) compileOptimized(); // a real wire: every function optimized up front
  const pcap = o.pcap ? new PcapWriter(o.pcap) : null;
  let stack: Stack;
  try {
    stack = new Stack({
      ip: o.ip, prefixLen: o.prefixLen, gateway: o.gw, mac: o.mac, services: o.services, name: o.name,
      clock: o.clock, onLog: o.onLog, onSend: (f) => pcap?.write(f), layout: o.layout ?? PC_LAYOUT,
    });
  } catch (e) { link.close(); pcap?.close(); throw e; }
  if (o.msl) stack.setMsl(o.msl);
  const runner = new Runner(stack, link, { direct: !pcap });
  if (pcap) { const deliver = link.onFrame; link.onFrame = (f) => { pcap.write(f); deliver(f); }; }
  const e = new V8Engine(stack, runner, pcap);
  runner.start();
  return e;
}
