// The firmware on an emulated Xtensa core (boards/xtensa under QEMU), driven in lock step by a
// scripted peer over the board's frame channel: ARP, ICMP echo, handshakes, echo, discard,
// chargen and teardown, every reply asserted. The clock is the test's and the board's randomness
// is seeded, so the run is the same every time. Skips when the board or QEMU was not built.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { XtensaBoard, XtensaCore, CORES, QEMU, ESP32_SERVICES } from "../../host/engine/xtensa.js";
import { tcpFrame, arpFrame, SegSpec, PEER_IP, PEER_MAC, MODULE_IP, MODULE_MAC, describe } from "../../host/drill/peer.js";
import { parseTcpFrame, TcpSegment, flagNames, fixChecksums } from "../../host/link/wire.js";
import { chargenExpected } from "./chargen.js";

const haveQemu = (() => { try { execFileSync(QEMU, ["--version"], { stdio: "ignore" }); return true; } catch { return false; } })();
/** The scripted exchange on one core's build (test/xtensa/ runs it once per core, in two files side by side). */
export function scriptedExchange(core: XtensaCore): void {
  const { elf, build } = CORES[core];
  const skip = !existsSync(elf) ? `${elf} not built (${build})` : !haveQemu ? `${QEMU} not installed` : false;

  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  const macHex = (m: Uint8Array) => hex(m);

  /** Checksums as sent are right: recomputing them changes nothing. */
  function checksumsRight(f: Uint8Array): boolean {
    const copy = Uint8Array.from(f);
    fixChecksums(copy);
    return hex(copy) === hex(f);
  }

  function icmpEcho(id: number, seq: number, payload: Uint8Array): Uint8Array {
    const f = new Uint8Array(14 + 20 + 8 + payload.length);
    const v = new DataView(f.buffer);
    f.set(MODULE_MAC, 0); f.set(PEER_MAC, 6); v.setUint16(12, 0x0800);
    f[14] = 0x45; v.setUint16(16, 20 + 8 + payload.length); f[22] = 64; f[23] = 1;
    v.setUint32(26, PEER_IP); v.setUint32(30, MODULE_IP);
    f[34] = 8; v.setUint16(38, id); v.setUint16(40, seq); f.set(payload, 42);
    fixChecksums(f);
    return f;
  }


  let board: XtensaBoard;
  let now = 1_000_000;
  let next = 0;

  /** One frame to the board at the current time: the TCP segments it answered with (checked for checksums). */
  async function inject(f: Uint8Array): Promise<Uint8Array[]> {
    const r = await board.send("F", now, f);
    next = r.next;
    for (const out of r.frames) assert.ok(checksumsRight(out), `bad checksum in ${hex(out)}`);
    return r.frames;
  }
  async function tcp(o: SegSpec): Promise<TcpSegment[]> {
    const out = await inject(tcpFrame({ sport: 40000, ...o }));
    return out.map((f) => {
      const s = parseTcpFrame(f);
      assert.ok(s, `expected TCP, got ${hex(f)}`);
      assert.equal(s.srcMac, "02:00:00:00:00:02"); assert.equal(s.dstMac, "02:00:00:00:00:01");
      assert.equal(s.srcIp, "10.77.0.2"); assert.equal(s.dstIp, "10.77.0.1");
      return s;
    });
  }
  /** Let time pass: the board runs its timers at the new time; the segments they sent. */
  async function advance(ms: number): Promise<TcpSegment[]> {
    now += ms;
    const r = await board.send("T", now);
    next = r.next;
    return r.frames.map((f) => parseTcpFrame(f)!).filter(Boolean);
  }
  const one = (segs: TcpSegment[], what: string): TcpSegment => {
    assert.equal(segs.length, 1, `${what}: ${segs.map(describe).join(" | ") || "nothing"}`);
    return segs[0];
  };

  /** Handshake from port sport to the service at dport; returns the next sequence numbers both ways. */
  async function open(dport: number, sport: number, isn: number, wnd = 65535): Promise<{ snd: number; rcv: number; wnd: number; after: TcpSegment[] }> {
    const sa = one(await tcp({ sport, dport, seq: isn, flags: "S", mss: 1460, wnd }), "SYN answered");
    assert.equal(flagNames(sa.flags), "SYN,ACK");
    assert.equal(sa.ack, isn + 1);
    assert.equal(sa.mss, 1460);
    assert.equal(sa.srcPort, dport); assert.equal(sa.dstPort, sport);
    const after = await tcp({ sport, dport, seq: isn + 1, ack: sa.seq + 1, flags: "A", wnd });
    return { snd: isn + 1, rcv: (sa.seq + 1) >>> 0, wnd: sa.wnd, after };
  }

  before(async () => {
    if (skip) return;
    board = await XtensaBoard.start({ core, ip: MODULE_IP, prefixLen: 24, mac: MODULE_MAC, seed: 7, time: now, services: ESP32_SERVICES });
    assert.equal(board.boot.address, MODULE_IP);
    assert.equal(board.boot.prefixLen, 24);
  });
  after(async () => { await board?.stop(); });

  test(`xtensa ${core}: ARP request for our address is answered with our MAC`, { skip }, async () => {
    const out = await inject(arpFrame({ op: 1 }));
    assert.equal(out.length, 1);
    const f = out[0], v = new DataView(f.buffer, f.byteOffset, f.byteLength);
    assert.equal(hex(f.subarray(0, 6)), macHex(PEER_MAC));
    assert.equal(v.getUint16(12), 0x0806);
    assert.equal(v.getUint16(20), 2, "op reply");
    assert.equal(hex(f.subarray(22, 28)), macHex(MODULE_MAC));
    assert.equal(v.getUint32(28), MODULE_IP);
    assert.equal(hex(f.subarray(32, 38)), macHex(PEER_MAC));
    assert.equal(v.getUint32(38), PEER_IP);
  });

  test(`xtensa ${core}: ARP for another address is not answered`, { skip }, async () => {
    assert.deepEqual(await inject(arpFrame({ op: 1, target: 0x0a4d0063 })), []);
  });

  test(`xtensa ${core}: ICMP echo request gets its reply, payload intact`, { skip }, async () => {
    const payload = Uint8Array.from({ length: 56 }, (_, i) => (i * 7) & 255);
    const out = await inject(icmpEcho(0x1234, 1, payload));
    assert.equal(out.length, 1);
    const f = out[0], v = new DataView(f.buffer, f.byteOffset, f.byteLength);
    assert.equal(v.getUint16(12), 0x0800);
    assert.equal(f[23], 1);
    assert.equal(v.getUint32(26), MODULE_IP); assert.equal(v.getUint32(30), PEER_IP);
    assert.equal(f[34], 0, "echo reply");
    assert.equal(v.getUint16(38), 0x1234); assert.equal(v.getUint16(40), 1);
    assert.equal(hex(f.subarray(42)), hex(payload));
  });

  test(`xtensa ${core}: echo (7): handshake, data echoed, peer's FIN answered, teardown to CLOSED`, { skip }, async () => {
    const c = await open(7, 40001, 1000);
    assert.deepEqual(c.after, [], "nothing to say after the handshake");
    const text = "hello from the scripted peer to an lx106\n";
    let segs = await tcp({ sport: 40001, dport: 7, seq: c.snd, ack: c.rcv, flags: "PA", data: text });
    if (segs.length === 0) segs = await advance(Math.max(next, 1)); // a delayed echo
    const echoed = segs.filter((s) => s.data.length);
    assert.equal(Buffer.concat(echoed.map((s) => s.data)).toString(), text);
    assert.equal(echoed[0].seq, c.rcv);
    const last = segs[segs.length - 1];
    assert.equal(last.ack, c.snd + text.length, "our data acknowledged");
    c.snd += text.length; c.rcv += text.length;
    // The peer closes; echo closes its side too: FIN (with the ACK of ours), then our last ACK.
    segs = await tcp({ sport: 40001, dport: 7, seq: c.snd, ack: c.rcv, flags: "FA" });
    if (!segs.some((s) => s.flags & 1)) segs.push(...await advance(Math.max(next, 1)));
    const fin = segs.find((s) => s.flags & 1)!;
    assert.ok(fin, `no FIN: ${segs.map(describe).join(" | ")}`);
    assert.equal(fin.seq, c.rcv); assert.equal(fin.ack, c.snd + 1);
    assert.deepEqual(await tcp({ sport: 40001, dport: 7, seq: c.snd + 1, ack: c.rcv + 1, flags: "A" }), []);
    // Closed: a segment on the old connection now gets a RST.
    const rst = one(await tcp({ sport: 40001, dport: 7, seq: c.snd + 1, ack: c.rcv + 1, flags: "PA", data: "late" }), "late data");
    assert.equal(flagNames(rst.flags), "RST");
  });

  test(`xtensa ${core}: discard (9): 3 segments, each as large as the window offered, taken and acknowledged, nothing sent back`, { skip }, async () => {
    const c = await open(9, 40002, 5000);
    assert.deepEqual(c.after, [], "nothing to say after the handshake");
    const acks: TcpSegment[] = [];
    let seq = c.snd, wnd = c.wnd;
    for (let i = 0; i < 3; i++) {
      const n = Math.min(1460, wnd);
      assert.ok(n > 0, "a window to send into");
      let got = await tcp({ sport: 40002, dport: 9, seq, ack: c.rcv, flags: "A", data: new Uint8Array(n).fill(0x61) });
      seq += n;
      if (!got.length) got = await advance(Math.max(next, 1)); // the delayed ACK
      acks.push(...got);
      wnd = got[got.length - 1].ack + got[got.length - 1].wnd - seq;
    }
    assert.ok(acks.length >= 3);
    for (const a of acks) { assert.equal(a.data.length, 0); assert.equal(flagNames(a.flags), "ACK"); assert.equal(a.seq, c.rcv); }
    assert.equal(acks[acks.length - 1].ack, seq);
    const rstAnswer = await tcp({ sport: 40002, dport: 9, seq, flags: "R" });
    assert.deepEqual(rstAnswer, [], "a RST is never answered");
  });

  test(`xtensa ${core}: chargen (19): the RFC 864 pattern within the peer's window, more after its ACK`, { skip }, async () => {
    const wnd = 2920;
    const c = await open(19, 40003, 9000, wnd);
    let segs = c.after.length ? c.after : await advance(0); // chargen starts talking on the handshake's ACK
    let got = Buffer.concat(segs.map((s) => s.data));
    if (got.length === 0) { segs = await advance(Math.max(next, 1)); got = Buffer.concat(segs.map((s) => s.data)); }
    assert.ok(got.length > 0 && got.length <= wnd, `first flight ${got.length} bytes within the window ${wnd}`);
    assert.equal(segs[0].seq, c.rcv);
    const more = await tcp({ sport: 40003, dport: 19, seq: c.snd, ack: c.rcv + got.length, flags: "A", wnd });
    const all = Buffer.concat([got, ...more.map((s) => s.data)]);
    assert.ok(all.length > got.length, "more data after the window opened");
    assert.ok(all.equals(chargenExpected(all.length)), "pattern");
    const r = await tcp({ sport: 40003, dport: 19, seq: c.snd, flags: "R" });
    assert.deepEqual(r, []);
  });

  test(`xtensa ${core}: a SYN to a closed port is refused with RST,ACK`, { skip }, async () => {
    const r = one(await tcp({ sport: 40004, dport: 4444, seq: 77, flags: "S" }), "SYN to a closed port");
    assert.equal(flagNames(r.flags), "RST,ACK");
    assert.equal(r.ack, 78);
  });

  test(`xtensa ${core}: the board's own counters agree (frames in and out, no drops, heap and stack measured)`, { skip }, async () => {
    const r = await board.send("S", now);
    const s = r.stats!;
    if (process.env.SYNACK_XTENSA_STATS) console.log(JSON.stringify(s));
    assert.ok(s.frames_in >= 18, `frames in ${s.frames_in}`);
    assert.ok(s.frames_out >= 12, `frames out ${s.frames_out}`);
    assert.equal(s.chip_dropped, 0);
    assert.equal(s.driver_errors, 0, "the strict W5500 model saw no driver error");
    assert.equal(s.tx_timeouts, 0);
    assert.equal(s.code_resets, 0, "the default code budget holds this run's code");
    assert.ok(s.stack_peak > 1024 && s.stack_peak < s.stack_size, `stack peak ${s.stack_peak}`);
    assert.ok(s.heap_peak >= s.linear_memory, `heap peak ${s.heap_peak}`);
    assert.ok(s.linear_memory <= 65536, `the ESP32's default layout in one page (${s.linear_memory} bytes)`);
    assert.ok(s.step_ticks > s.step_model_ticks && s.step_model_ticks > 0);
    // CCOUNT against a loop of known length: the instructions-per-tick the measurements assume.
    assert.ok(Math.abs(s.calib_insns / s.calib_ticks - s.insns_per_tick) < 0.05, `${s.calib_insns} insns in ${s.calib_ticks} ticks`);
  });

  test(`xtensa ${core}: the report shows the code store: prepared at this boot, every function run from it, none in the heap, one runtime`, { skip }, async () => {
    const s = (await board.send("S", now)).stats!;
    assert.equal(s.store_prepared, 1, "the store starts blank at every boot");
    assert.ok(s.store_functions > 100 && s.store_wasm_bytes > 0, `${s.store_functions} functions from ${s.store_wasm_bytes} bytes of wasm`);
    assert.equal(s.compiled_functions, 0, "nothing compiled into the heap");
    assert.ok(s.store_bytes > 0 && s.store_bytes <= s.store_size, `store ${s.store_bytes} of ${s.store_size}`);
    assert.ok(s.store_insns > 0 && s.store_insns < s.start_ticks * s.insns_per_tick, `preparing took ${s.store_insns} of fw_start's instructions`);
    assert.ok(s.store_heap_peak > s.store_heap_before && s.store_heap_peak <= s.heap_peak, "the heap preparing borrowed is in the peak");
    assert.equal(s.runtimes, 1, "no move to a fresh runtime");
  });

  test(`xtensa ${core}: the default layout needs exactly its linear memory: one byte less as memory_limit is refused`, { skip }, async () => {
    const s = (await board.send("S", now)).stats!;
    const need = s.linear_memory as number;
    const ok = await XtensaBoard.start({ core, ip: MODULE_IP, prefixLen: 24, seed: 1, time: 0, services: ESP32_SERVICES, memoryLimit: need });
    try { assert.equal((await ok.send("S", 0)).stats!.linear_memory, need); } finally { await ok.stop(); }
    await assert.rejects(
      XtensaBoard.start({ core, ip: MODULE_IP, prefixLen: 24, seed: 1, time: 0, services: ESP32_SERVICES, memoryLimit: need - 1 }),
      /does not fit memory_limit/);
  });

  test(`xtensa ${core}: over its code budget the firmware moves to a fresh runtime, and an open echo connection goes on intact`, { skip }, async () => {
    const budget = 16384; // far below what echo compiles: a fresh runtime after most steps
    let t = 5_000;
    // The budget is for code compiled into the heap (--no-store); from the code store nothing is.
    const b = await XtensaBoard.start({ core, ip: MODULE_IP, prefixLen: 24, mac: MODULE_MAC, seed: 3, time: t, services: ESP32_SERVICES, codeBudget: budget, noStore: true });
    try {
      const segs = async (o: Omit<SegSpec, "dport">) => (await b.send("F", ++t, tcpFrame({ sport: 41000, dport: 7, ...o }))).frames
        .map((f) => parseTcpFrame(f)!).filter(Boolean);
      await b.send("F", ++t, arpFrame({ op: 1 })); // the board learns our MAC from our ARP request
      const sa = one(await segs({ seq: 500, flags: "S", mss: 1460 }), "SYN answered");
      assert.equal(flagNames(sa.flags), "SYN,ACK");
      let snd = 501, rcv = (sa.seq + 1) >>> 0;
      await segs({ seq: snd, ack: rcv, flags: "A" });
      const before = (await b.send("S", t)).stats!;
      for (let i = 0; i < 6; i++) {
        const text = `round ${i}: the same connection across fresh runtimes\n`;
        let out = await segs({ seq: snd, ack: rcv, flags: "PA", data: text });
        if (!out.some((s) => s.data.length)) out = (await b.send("T", t += 50)).frames.map((f) => parseTcpFrame(f)!).filter(Boolean);
        const echoed = Buffer.concat(out.filter((s) => s.data.length).map((s) => s.data)).toString();
        assert.equal(echoed, text, `round ${i}`);
        assert.equal(out.find((s) => s.data.length)!.seq, rcv, `round ${i}: in sequence`);
        snd += text.length; rcv += text.length;
      }
      const after = (await b.send("S", t)).stats!;
      assert.ok(after.code_resets > before.code_resets, `fresh runtimes: ${before.code_resets} -> ${after.code_resets}`);
      assert.ok(after.code_bytes <= budget, `code kept after a step: ${after.code_bytes}`);
    } finally { await b.stop(); }
  });
}
