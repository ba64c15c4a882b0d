// Bad input for the built-in HTTP and mDNS: mutated request heads and random DNS messages with a
// fixed seed. Nothing traps, every HTTP connection ends (answered or timed out), the table drains.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";
import { ALL_SERVICES } from "../../host/engine/abi.js";
import { fixChecksums } from "../../host/link/wire.js";

/** xorshift32: the same cases on every run. */
function rng(seed: number) { let s = seed >>> 0 || 1; return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; }; }

const SEEDS = [
  "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "HEAD /ladder HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
  "GET /status.json HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody",
];

function mutate(r: () => number, s: string): Buffer {
  const b = Buffer.from(s, "latin1");
  const out: number[] = [...b];
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (out.length + 1));
    const k = r();
    if (k < 0.3) out[at] = Math.floor(r() * 256);
    else if (k < 0.5) out.splice(at, 1);
    else if (k < 0.7) out.splice(at, 0, ...Buffer.from([":", " ", "\r", "\n", "\0", "/", "?"][Math.floor(r() * 7)]));
    else if (k < 0.85) out.splice(at, 0, ...Buffer.alloc(Math.floor(r() * 600), 0x41 + Math.floor(r() * 26)));
    else out.splice(at, 0, ...out.slice(0, Math.floor(r() * out.length))); // a second (pipelined) copy
  }
  return Buffer.from(out.slice(0, 1400));
}

for (const [txRing, cases] of [[4096, 400], [1024, 150]] as const) test(`HTTP (${txRing}-byte send rings): ${cases} mutated requests, each answered with a well-formed status line or timed out, no trap`, () => {
  const r = rng(20261124 + txRing);
  const p = new Peer({ msl: 100, layout: { conns: 10, rxRing: 4096, txRing } });
  let answered = 0;
  for (let i = 0; i < cases; i++) {
    p.sport = 20000 + i;
    p.tcp({ dport: 80, seq: 1000, flags: "S", mss: 1460 });
    const sa = p.expect("SA");
    p.tcp({ dport: 80, seq: 1001, ack: sa.seq + 1, flags: "A" });
    const data = mutate(r, SEEDS[i % SEEDS.length]);
    p.tcp({ dport: 80, seq: 1001, ack: sa.seq + 1, flags: "PA", data });
    let text = "", rcv = (sa.seq + 1) >>> 0, fin = false, rst = false;
    const drain = () => { for (let s = p.next(); s; s = p.next()) { text += Buffer.from(s.data).toString("latin1"); rcv = (s.seq + s.data.length + (s.flags & 1)) >>> 0; if (s.flags & 1) fin = true; if (s.flags & 4) rst = true; } };
    drain();
    p.tcp({ dport: 80, seq: 1001 + data.length, ack: rcv, flags: "A" });
    p.advance(11_000); // past the request and keep-alive timeouts
    drain();
    if (text) {
      answered++;
      assert.match(text, /^HTTP\/1\.1 (200|400|404|405|408|414|431) /, `case ${i}: ${JSON.stringify(data.toString("latin1").slice(0, 80))}`);
    }
    assert.ok(fin || rst, `case ${i}: the connection ends`);
    p.tcp({ dport: 80, seq: 1001 + data.length, ack: rcv, flags: "FA" });
    p.advance(300); // TIME-WAIT (2 x 100 ms) runs out
    drain();
  }
  assert.ok(answered > cases * 0.75, `answered ${answered}`);
  assert.doesNotMatch(p.stack.connsText(), /ESTABLISHED|CLOSE-WAIT|FIN-WAIT|LAST-ACK/, "every connection gone");
});

test("mDNS: 2000 random and mutated DNS messages to 5353: no trap, the responder still answers", () => {
  const r = rng(42);
  const p = new Peer({ services: ALL_SERVICES });
  const run = (ms: number) => { for (let t = 0; t < ms; t += 50) p.advance(50); };
  run(4000); // probed and announced
  const query = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 6, ...Buffer.from("synack"), 5, ...Buffer.from("local"), 0, 0, 1, 0, 1];
  const send = (body: number[], sport = 5353) => {
    const f = new Uint8Array(42 + body.length);
    const v = new DataView(f.buffer);
    f.set([1, 0, 0x5e, 0, 0, 0xfb], 0); f.set([2, 0, 0, 0, 0, 1], 6); v.setUint16(12, 0x0800);
    f[14] = 0x45; v.setUint16(16, 28 + body.length); f[22] = 255; f[23] = 17;
    v.setUint32(26, 0x0a4d0001); v.setUint32(30, 0xe00000fb);
    v.setUint16(34, sport); v.setUint16(36, 5353); v.setUint16(38, 8 + body.length);
    f.set(body, 42);
    fixChecksums(f);
    p.frame(f);
  };
  for (let i = 0; i < 2000; i++) {
    const body = r() < 0.5 ? Array.from({ length: Math.floor(r() * 80) }, () => Math.floor(r() * 256)) : [...query];
    for (let k = 0; k < 4; k++) body[Math.floor(r() * body.length)] = r() < 0.3 ? 0xc0 | Math.floor(r() * 64) : Math.floor(r() * 256);
    send(body.slice(0, 1400));
  }
  run(5000); // any rename's probing and announcing is over
  p.out.length = 0;
  // Random messages may claim our name (a conflict renames us): ask for the name announced last.
  const last = p.logs.filter((l) => l.startsWith("mdns announced ")).pop()!;
  const host = last.split(" ")[2].replace(/\.local$/, "");
  send([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, host.length, ...Buffer.from(host), 5, ...Buffer.from("local"), 0, 0, 1, 0, 1], 40000);
  const answer = p.out.find((f) => f.length > 42 && f[23] === 17 && ((f[36] << 8) | f[37]) === 40000);
  assert.ok(answer, "still answering");
});
