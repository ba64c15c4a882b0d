// SACK with the real Linux TCP, over a TAP: both SYNs carry SACK-permitted whichever side opens,
// and when one data segment is lost (dropped between the TAP and the module, on purpose) the
// other side's SACK blocks repair it: Linux's blocks drive synack's RFC 6675 recovery, synack's
// blocks Linux's. Every byte arrives. (Goodput under random loss: lab/pathloss.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { isRoot, createNetns, STACK_IP, LINUX_IP, PREFIX, type Netns } from "../../host/link/netns.js";
import { Stack } from "../../host/engine/stack.js";
import { Runner } from "../../host/engine/runner.js";
import type { Link } from "../../host/link/link.js";
import { TapLink } from "../../host/link/tap.js";
import { parseTcpFrame, type TcpSegment } from "../../host/link/wire.js";
import { E } from "../../host/engine/abi.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The TAP, watched both ways, dropping the `dropNth`-th data segment in the direction `drop`
 * (out: synack to Linux, in: Linux to synack) once.
 */
class LossyLink implements Link {
  readonly out: TcpSegment[] = [];
  readonly in: TcpSegment[] = [];
  private seen = 0;
  dropped: TcpSegment | null = null;
  constructor(private readonly link: TapLink, private readonly drop: "in" | "out", private readonly dropNth: number) {}
  private lose(s: TcpSegment | null, dir: "in" | "out"): boolean {
    if (!s || dir !== this.drop || s.data.length === 0 || this.dropped) return false;
    if (++this.seen !== this.dropNth) return false;
    this.dropped = s;
    return true;
  }
  send(f: Uint8Array): void {
    const s = parseTcpFrame(f);
    if (s) this.out.push(s);
    if (!this.lose(s, "out")) this.link.send(f);
  }
  set onFrame(h: (f: Uint8Array) => void) {
    this.link.onFrame = (f) => {
      const s = parseTcpFrame(f);
      if (s) this.in.push(s);
      if (!this.lose(s, "in")) h(f);
    };
  }
  get onFrame(): (f: Uint8Array) => void { return this.link.onFrame; }
  close(): void { this.link.close(); }
}

async function running(ns: Netns, drop: "in" | "out", nth: number) {
  const link = new LossyLink(await TapLink.open(ns.tap, ns.name), drop, nth);
  const stack = new Stack({ ip: STACK_IP, prefixLen: PREFIX, layout: { conns: 4, rxRing: 16384, txRing: 32768 } }); // windows wide enough for duplicates
  const runner = new Runner(stack, link).start();
  return { link, stack, runner };
}

const synOf = (segs: TcpSegment[], ack: boolean) => segs.find((s) => (s.flags & 0x12) === (ack ? 0x12 : 0x02));

test("synack sends to Linux, one segment lost: Linux SACKs past it, synack's SACK recovery resends it", { skip }, async () => {
  const ns = createNetns("sa");
  let runner: Runner | null = null;
  try {
    const listener = ns.run("nc", ["-l", LINUX_IP, "9100"], "", 30_000);
    await sleep(300);
    const r = await running(ns, "out", 3);
    runner = r.runner;
    const id = r.stack.connect(LINUX_IP, 9100);
    for (let i = 0; i < 100 && r.stack.state(id) !== "ESTABLISHED"; i++) await sleep(20);
    assert.equal(r.stack.state(id), "ESTABLISHED");
    assert.equal(synOf(r.link.out, false)?.sackOk, true, "our SYN offers SACK");
    assert.equal(synOf(r.link.in, true)?.sackOk, true, "Linux's SYN,ACK agrees");
    const data = new Uint8Array(16_000).map((_, i) => i % 251);
    assert.equal(r.stack.send(id, data), data.length);
    r.stack.close(id); // the data, then our FIN
    r.runner.kick();
    const res = await listener;
    assert.ok(r.link.dropped, "a segment was dropped");
    assert.ok(r.link.in.some((s) => s.sack.length > 0), "Linux's ACKs carried SACK blocks");
    assert.ok(r.stack.stats().tcpSackRecoveries >= 1, "recovered by SACK, not by the timer");
    assert.deepEqual(new Uint8Array(res.stdout), data, "every byte arrived, in order");
  } finally {
    runner?.stop();
    ns.destroy();
  }
});

test("Linux sends to synack, one segment lost: synack's ACKs carry SACK blocks and Linux repairs the hole", { skip }, async () => {
  const ns = createNetns("sp");
  let runner: Runner | null = null;
  try {
    const r = await running(ns, "in", 3);
    runner = r.runner;
    const l = r.stack.listen(9101, 4);
    assert.ok(l >= 0);
    const data = Buffer.alloc(12_000, "x");
    const talker = ns.run("nc", ["-q", "1", STACK_IP, "9101"], data, 30_000);
    let id = -1;
    for (let i = 0; i < 200 && id < 0; i++) { id = r.stack.accept(l); if (id < 0) await sleep(10); }
    assert.ok(id >= 0, "accepted");
    assert.equal(synOf(r.link.in, false)?.sackOk, true, "Linux's SYN offers SACK");
    assert.equal(synOf(r.link.out, true)?.sackOk, true, "our SYN,ACK agrees");
    let got = 0;
    for (let i = 0; i < 500 && got < data.length; i++) {
      const x = r.stack.recv(id);
      if (x instanceof Uint8Array) { assert.ok(x.every((b) => b === 0x78)); got += x.length; }
      else if (x !== E.AGAIN) break;
      else await sleep(10);
    }
    assert.equal(got, data.length, "every byte arrived");
    assert.ok(r.link.dropped, "a segment was dropped");
    const blocks = r.link.out.filter((s) => s.sack.length > 0);
    assert.ok(blocks.length > 0, "our ACKs reported the held data");
    assert.ok(blocks.every((s) => s.sack.every(([a, b]) => (b - a) >>> 0 > 0 && (a - s.ack) >>> 0 < 1 << 30)), "blocks above the ACK, left < right");
    r.stack.close(id);
    r.runner.kick();
    await talker;
  } finally {
    runner?.stop();
    ns.destroy();
  }
});
