// The run-time memory layout: configure() chooses connection slots and ring sizes, init lays them
// out once. The board default fits one 64 KiB page; a PC layout is as large as asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Peer } from "../lib/harness.js";
import { DEFAULT_WASM, Stack, LayoutError } from "../../host/engine/stack.js";
import { E, SynackExports } from "../../host/engine/abi.js";

/** A bare instance, before init, so the test can call configure itself. */
function bare(): SynackExports {
  const mod = new WebAssembly.Module(readFileSync(DEFAULT_WASM));
  const env = { send_frame() {}, random_u32: () => 7, log() {}, checksum: () => 0 };
  const x = new WebAssembly.Instance(mod, { env }).exports as unknown as SynackExports;
  x._start();
  return x;
}
const init = (x: SynackExports) => x.init(0x0253, 0x4b000002, 0x0a4d0002, 24, 0, 0);

/** Handshake from the given port; the SYN-ACK (or null when nothing answered). */
function syn(p: Peer, dport: number, sport: number) {
  p.sport = sport;
  p.tcp({ dport, seq: 1000, flags: "S", mss: 1460 });
  return p.next();
}

/** The board's services (boards/esp32 menuconfig defaults): echo, discard, chargen, console, HTTP, mDNS. */
const BOARD_SERVICES = 1 | 2 | 4 | 8 | 16 | 32;
/**
 * A board connection's first receive buffer: what every slot can count on at once from the
 * shared pool while one connection may still grow to its 7 KiB ring (layout.ts rcvBufferFor).
 */
const BOARD_FLOOR = 512;

test("the board default: 18 slots, rings of up to 7 KiB receive and 2 KiB send from one shared pool, and the board's services in one 64 KiB page", () => {
  const x = bare();
  x.select_services(BOARD_SERVICES);
  const need = x.configure(0, 0, 0, 0);
  assert.ok(need > 0 && need <= 65536, `needs ${need}`);
  assert.equal(init(x), 0);
  assert.equal(x.memory.buffer.byteLength, 65536, "memory never grew past its first page");
  assert.ok(x.memory_used() <= need, `uses ${x.memory_used()}, promised at most ${need}`);
  for (let p = 1; p <= 8; p++) x.udp_bind(5000 + p); // UDP queues are reserved on bind: inside the promise too
  assert.ok(x.memory_used() <= need, `with every UDP socket bound: uses ${x.memory_used()}, promised ${need}`);
  assert.ok(need - x.memory_used() < 2048, "the promise is close to what is used");
});

test("every service and every UDP socket stays inside the promise; with HTTP too the layout fits one page", () => {
  const x = bare();
  const need = x.configure(0, 0, 0, 0);
  assert.equal(init(x), 0);
  assert.ok(need <= 65536, `with HTTP and the default UDP sockets the layout needs ${need}: more than one page`);
  for (let p = 1; p <= 8; p++) x.udp_bind(5000 + p);
  assert.ok(x.memory_used() <= need, `uses ${x.memory_used()}, promised at most ${need}`);
});

test("the board default holds 18 connections (17 for anyone: 16 clients and a page; one kept for the console); one more is dropped and counted", () => {
  const p = new Peer({ layout: {} });
  for (let i = 0; i < 17; i++) {
    const sa = syn(p, 9, 42000 + i);
    assert.ok(sa && sa.flags === 0x12, `SYN-ACK for connection ${i}`);
    assert.equal(sa!.wnd, BOARD_FLOOR, "each starts with the pool's floor");
    p.tcp({ dport: 9, seq: 1001, ack: (sa!.seq + 1) >>> 0, flags: "A" });
  }
  const sa = syn(p, 23, 42020);
  assert.ok(sa && sa.flags === 0x12, "the console gets the slot kept for it");
  p.tcp({ dport: 23, seq: 1001, ack: (sa!.seq + 1) >>> 0, flags: "A" });
  assert.equal((p.stack.connsText().match(/ESTABLISHED/g) ?? []).length, 18);
  while (p.next()); // the console's greeting
  // One more has no connection record: its SYN is dropped and counted, no handshake begins.
  assert.equal(syn(p, 9, 42030), null);
  assert.equal(p.stack.stats().tcpDropNoSlot, 1);
  assert.equal((p.stack.connsText().match(/ESTABLISHED|SYN-RECEIVED/g) ?? []).length, 18);
});

test("the board default: one connection alone grows its window from the floor to the firmware's 7 KiB ring", () => {
  const p = new Peer({ layout: {} });
  const c = p.established(5000, 1000, 1460, 65535);
  let seq = c.snd, wnd = BOARD_FLOOR;
  const seen: number[] = [];
  for (let i = 0; i < 24; i++) {
    let sent = 0; // the sender fills the window, the application reads it all
    for (let n = Math.min(wnd, 1460); sent < wnd; sent += n, n = Math.min(wnd - sent, 1460)) {
      p.tcp({ dport: 5000, seq: seq + sent, ack: c.rcv, flags: "PA", data: new Uint8Array(n).fill(i) });
    }
    seq += sent;
    const parts: Uint8Array[] = [];
    for (let r = p.stack.recv(c.id, 8192); r instanceof Uint8Array && r.length > 0; r = p.stack.recv(c.id, 8192)) parts.push(r);
    const got = Buffer.concat(parts);
    assert.equal(got.length, sent);
    assert.ok(got.every((x) => x === i), "intact");
    p.advance(50);
    let last = null;
    for (let s = p.next(); s; s = p.next()) last = s;
    assert.ok(last && last.ack === (seq >>> 0), "acknowledged");
    assert.ok(last!.wnd <= 7168, `never past the ring: ${last!.wnd}`);
    wnd = last!.wnd;
    seen.push(wnd);
  }
  assert.ok(Math.max(...seen) > 7168 - 128, `up to the ring (less a block's offset): ${seen.join(" ")}`);
});

test("the board default: a Linux sender's half-window segments, read as they come, grow the window too (1 MiB at 384-byte segments took 710 ms, 118 ms once grown)", () => {
  const p = new Peer({ layout: {} });
  const c = p.established(5000, 1000, 1460, 65535);
  let seq = c.snd, wnd = BOARD_FLOOR, maxWnd = BOARD_FLOOR;
  for (let i = 0; i < 40; i++) {
    const n = Math.min(1448, maxWnd / 2, wnd); // tcp_bound_to_half_wnd, inside the window
    p.tcp({ dport: 5000, seq, ack: c.rcv, flags: "PA", data: new Uint8Array(n).fill(i) });
    seq += n;
    assert.equal((p.stack.recv(c.id, 8192) as Uint8Array).length, n, "read as it comes");
    p.advance(50);
    for (let s = p.next(); s; s = p.next()) { wnd = s.wnd; maxWnd = Math.max(maxWnd, s.wnd); }
  }
  assert.ok(maxWnd >= 6144, `grown most of the way to the 7 KiB ring: ${maxWnd}`);
});

test("each slot's book-keeping (TCB, rings, out-of-order ranges, SACK scoreboard) stays inside what configure promises for it", () => {
  const at = (n: number) => {
    const x = bare();
    x.select_services(0);
    x.configure_pool(16384); // one pool for any number of slots: the difference is book-keeping only
    const need = x.configure(n, 1024, 1024, 0);
    assert.equal(init(x), 0);
    return { need, used: x.memory_used() };
  };
  const a = at(8), b = at(24);
  const usedPerSlot = (b.used - a.used) / 16, promisedPerSlot = (b.need - a.need) / 16;
  assert.ok(usedPerSlot <= promisedPerSlot, `a slot uses ${usedPerSlot} bytes, SLOT_BYTES promises ${promisedPerSlot}`);
  assert.ok(promisedPerSlot - usedPerSlot < 16, `and the promise is close: ${promisedPerSlot} for ${usedPerSlot}`);
  // Issue 16's small connection records: at most 400 bytes a slot besides its two TIME-WAIT
  // records (2 x 36 bytes): SLOT_BYTES is 372.
  assert.ok(promisedPerSlot - 72 <= 400, `a slot's book-keeping is ${promisedPerSlot - 72} bytes and two TIME-WAIT records`);
});

test("configure: numbers out of bounds, a call after init, and a layout over the cap are refused", () => {
  const x = bare();
  assert.equal(x.configure(2000, 0, 0, 0), E.INVAL, "more than 1024 slots");
  assert.equal(x.configure(0, 512, 0, 0), E.INVAL, "receive ring under 1024");
  assert.equal(x.configure(0, 65536, 0, 0), E.INVAL, "receive ring over a 16-bit window");
  assert.equal(x.configure(0, 0, (1 << 20) + 1, 0), E.INVAL, "send ring over 1 MiB");
  assert.equal(x.configure(10, 4096, 4096, 65536), E.NOBUFS, "ten slots of 8 KiB do not fit 64 KiB");
  const need = x.configure(2, 1024, 1024, 65536);
  assert.ok(need > 0 && need <= 65536, `needs ${need}`);
  assert.equal(init(x), 0);
  assert.ok(x.memory_used() <= need);
  assert.equal(x.configure(3, 0, 0, 0), E.INVAL, "too late: memory is laid out");
  assert.throws(() => new Stack({ ip: "10.77.0.2", prefixLen: 24, layout: { conns: 10, memoryLimit: 32768 } }), LayoutError);
});

test("a PC layout: 64 slots of 64 KiB each way, memory grown once, every slot usable", () => {
  const p = new Peer({ layout: { conns: 64, rxRing: 65535, txRing: 65536 } });
  const need = p.stack.memoryBytes();
  assert.ok(p.stack.memoryUsed() <= need && need >= 64 * 128 * 1024);
  for (let i = 0; i < 64; i++) {
    const sa = syn(p, i < 63 ? 7 : 23, 43000 + i); // the last slot is kept for the console
    assert.ok(sa && sa.flags === 0x12, `SYN-ACK ${i}`);
    assert.equal(sa!.wnd, 65535, "the whole ring is offered");
    p.tcp({ dport: i < 63 ? 7 : 23, seq: 1001, ack: (sa!.seq + 1) >>> 0, flags: "A" });
  }
  assert.equal((p.stack.connsText().match(/ESTABLISHED/g) ?? []).length, 64);
  assert.equal(p.stack.memoryBytes(), need, "no growth after init");
});

test("HTTP with 2 KiB send rings: a page larger than the ring starts at once (chunked), never left waiting", () => {
  const p = new Peer({ layout: { conns: 6, txRing: 2048 } });
  const rcv = p.handshake(80, 42100);
  const req = "GET /stats HTTP/1.1\r\nHost: a\r\n\r\n";
  p.tcp({ dport: 80, seq: 1001, ack: rcv, flags: "PA", data: req });
  let text = "";
  for (let s = p.next(); s; s = p.next()) text += Buffer.from(s.data).toString();
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*Transfer-Encoding: chunked\r\n\r\n[0-9a-f]+\r\nethInFrames/, "answered, not stuck behind a send ring it can never fit");
  const small = new Peer({ layout: { conns: 6, txRing: 2048 } });
  const sbRcv = small.handshake(80, 42101);
  small.tcp({ dport: 80, seq: 1001, ack: sbRcv, flags: "PA", data: "GET /nothing-here HTTP/1.1\r\nHost: a\r\n\r\n" });
  let t2 = "";
  for (let s = small.next(); s; s = small.next()) t2 += Buffer.from(s.data).toString();
  assert.match(t2, /^HTTP\/1\.1 404 /, "a page that fits is served as usual");
});

test("UDP sockets are a layout choice: each one is promised its queue, and one more bind than chosen is refused", () => {
  const x = bare();
  x.select_services(0);
  const one = (x.configure_udp(1), x.configure(0, 0, 0, 0));
  assert.equal(x.configure_udp(3), 0);
  const three = x.configure(0, 0, 0, 0);
  assert.ok(three - one >= 2 * 1536, `two more sockets promise ${three - one} bytes more`);
  assert.equal(x.configure_udp(17), E.INVAL, "at most 16");
  assert.equal(init(x), 0);
  assert.equal(x.configure_udp(2), E.INVAL, "not after init");
  const ids = [1, 2, 3].map((p) => x.udp_bind(6000 + p));
  assert.ok(ids.every((id) => id >= 0), `three binds: ${ids}`);
  assert.equal(x.udp_bind(6004), E.NOBUFS, "a fourth is refused");
  assert.ok(x.memory_used() <= three, `uses ${x.memory_used()}, promised ${three}`);
  x.udp_close(ids[0]);
  assert.ok(x.udp_bind(6005) >= 0, "a closed socket's place is taken again");
});
