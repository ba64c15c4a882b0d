// The module's resolver: A queries to a scripted DNS server (answers, aliases, NXDOMAIN, retries
// and timeouts, the cache), names it answers itself (localhost, dotted quads, its own .local),
// and .local names by mDNS one-shot queries between two synacks on one wire.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Stack, ManualClock } from "../../host/engine/stack.js";
import { E, SERVICES } from "../../host/engine/abi.js";
import { fixChecksums } from "../../host/link/wire.js";
import { arpFrame, PEER_IP, PEER_MAC, MODULE_MAC, MODULE_IP } from "../lib/harness.js";

const labels = (n: string) => [...n.split(".").flatMap((l) => [l.length, ...Buffer.from(l)]), 0];

interface Query { id: number; flags: number; name: string; type: number; dst: number; dport: number; sport: number }

/** A DNS query the module sent (UDP to port 53 or 5353), or null. */
function parseQuery(f: Uint8Array): Query | null {
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  if (f.length < 54 || v.getUint16(12) !== 0x0800 || f[23] !== 17) return null;
  const dport = v.getUint16(36);
  if (dport !== 53 && dport !== 5353) return null;
  const d = 42;
  if (v.getUint16(d + 4) !== 1 || (v.getUint16(d + 2) & 0x8000) !== 0) return null;
  const parts: string[] = [];
  let o = d + 12;
  while (f[o] !== 0) { parts.push(Buffer.from(f.subarray(o + 1, o + 1 + f[o])).toString()); o += 1 + f[o]; }
  return { id: v.getUint16(d), flags: v.getUint16(d + 2), name: parts.join("."), type: v.getUint16(o + 1),
    dst: v.getUint32(30), dport, sport: v.getUint16(34) };
}

/** The server's answer to q: rcode, and records (A, or CNAME to a name) in order. */
function answerFrame(q: Query, o: { rcode?: number; records?: { name: string; a?: number; cname?: string; ttl?: number }[]; src?: number; sport?: number; id?: number }): Uint8Array {
  const body = [(o.id ?? q.id) >> 8, (o.id ?? q.id) & 255, 0x81, 0x80 | (o.rcode ?? 0), 0, 1, 0, (o.records ?? []).length, 0, 0, 0, 0,
    ...labels(q.name), 0, 1, 0, 1];
  for (const r of o.records ?? []) {
    const ttl = r.ttl ?? 60;
    const ttlBytes = [ttl >>> 24, (ttl >> 16) & 255, (ttl >> 8) & 255, ttl & 255];
    if (r.cname) { const t = labels(r.cname); body.push(...labels(r.name), 0, 5, 0, 1, ...ttlBytes, 0, t.length, ...t); }
    else body.push(...labels(r.name), 0, 1, 0, 1, ...ttlBytes, 0, 4, r.a! >>> 24, (r.a! >> 16) & 255, (r.a! >> 8) & 255, r.a! & 255);
  }
  const f = new Uint8Array(42 + body.length);
  const v = new DataView(f.buffer);
  f.set(MODULE_MAC, 0); f.set(PEER_MAC, 6); v.setUint16(12, 0x0800);
  f[14] = 0x45; v.setUint16(16, 28 + body.length); f[22] = 64; f[23] = 17;
  v.setUint32(26, o.src ?? PEER_IP); v.setUint32(30, MODULE_IP);
  v.setUint16(34, o.sport ?? 53); v.setUint16(36, q.sport); v.setUint16(38, 8 + body.length);
  f.set(body, 42);
  fixChecksums(f);
  return f;
}

/** A module at 10.77.0.2 that asks the peer (10.77.0.1) as its DNS server. */
function client() {
  const clock = new ManualClock();
  clock.t = 50_000;
  const out: Uint8Array[] = [];
  const logs: string[] = [];
  const s = new Stack({ ip: MODULE_IP, prefixLen: 24, mac: MODULE_MAC, clock, services: 0, layout: { udpSockets: 2 },
    onSend: (f) => out.push(f), onLog: (l) => logs.push(l) });
  s.receive(arpFrame({ op: 1 })); // the module learns the peer's MAC
  s.dnsServers(PEER_IP);
  const queries = () => { const r: Query[] = []; for (let f = out.shift(); f; f = out.shift()) { const q = parseQuery(f); if (q) r.push(q); } return r; };
  const run = (ms: number, step = 100) => { for (let t = 0; t < ms; t += step) { clock.advance(step); s.poll(); } };
  return { s, clock, queries, run, logs };
}

test("an A query to the configured server; its answer resolves the name and is logged", () => {
  const c = client();
  const h = c.s.resolve("Peer.Test");
  assert.ok(h >= 0, `handle ${h}`);
  assert.equal(c.s.resolveResult(h).r, E.AGAIN);
  const [q, ...more] = c.queries();
  assert.equal(more.length, 0);
  assert.deepEqual([q.dst, q.dport, q.name, q.type, q.flags], [PEER_IP, 53, "Peer.Test", 1, 0x0100], "recursion desired");
  c.s.receive(answerFrame(q, { records: [{ name: "peer.test", a: 0x0a4d0001 }] }));
  c.s.poll();
  assert.deepEqual(c.s.resolveResult(h), { r: 0, ip: 0x0a4d0001 });
  assert.ok(c.logs.includes("resolve Peer.Test is 10.77.0.1"), c.logs.join("\n"));
});

test("the cache: the same name again is answered without a query until its TTL runs out", () => {
  const c = client();
  const h = c.s.resolve("peer.test");
  const [q] = c.queries();
  c.s.receive(answerFrame(q, { records: [{ name: "peer.test", a: 0x0a4d0007, ttl: 5 }] }));
  c.s.poll();
  const again = c.s.resolve("PEER.test");
  assert.equal(again, h);
  assert.deepEqual(c.s.resolveResult(again), { r: 0, ip: 0x0a4d0007 });
  assert.equal(c.queries().length, 0, "no query for a cached name");
  c.run(5000);
  const fresh = c.s.resolve("peer.test");
  assert.notEqual(fresh, h, "a new lookup after the TTL");
  assert.equal(c.s.resolveResult(h).r, E.INVAL, "the old handle is stale");
  assert.equal(c.queries().length, 1);
});

test("an alias: the A record of the CNAME's target counts; NXDOMAIN is ENOTFOUND", () => {
  const c = client();
  const h = c.s.resolve("www.test");
  const [q] = c.queries();
  c.s.receive(answerFrame(q, { records: [{ name: "www.test", cname: "host.test" }, { name: "host.test", a: 0x0a4d0005 }] }));
  c.s.poll();
  assert.deepEqual(c.s.resolveResult(h), { r: 0, ip: 0x0a4d0005 });
  const h2 = c.s.resolve("nobody.test");
  const [q2] = c.queries();
  c.s.receive(answerFrame(q2, { rcode: 3 }));
  c.s.poll();
  assert.equal(c.s.resolveResult(h2).r, E.NOTFOUND);
  const h3 = c.s.resolve("refused.test");
  const [q3] = c.queries();
  c.s.receive(answerFrame(q3, { rcode: 5 }));
  c.s.poll();
  assert.equal(c.s.resolveResult(h3).r, E.TIMEDOUT, "REFUSED by the only server: no usable answer, at once");
});

test("answers that are not ours are ignored: wrong ID, wrong source port or address, another name's A", () => {
  const c = client();
  const h = c.s.resolve("peer.test");
  const [q] = c.queries();
  c.s.receive(answerFrame(q, { id: (q.id + 1) & 0xffff, records: [{ name: "peer.test", a: 1 }] }));
  c.s.receive(answerFrame(q, { sport: 5300, records: [{ name: "peer.test", a: 2 }] }));
  c.s.receive(answerFrame(q, { src: 0x0a4d0063, records: [{ name: "peer.test", a: 3 }] }));
  c.s.poll();
  assert.equal(c.s.resolveResult(h).r, E.AGAIN);
  c.s.receive(answerFrame(q, { records: [{ name: "other.test", a: 4 }] }));
  c.s.poll();
  assert.equal(c.s.resolveResult(h).r, E.NOTFOUND, "the name exists without an address of its own");
});

test("no answer: three tries two seconds apart, then ETIMEDOUT; the socket is given back", () => {
  const c = client();
  const h = c.s.resolve("silent.test");
  c.run(5900);
  assert.equal(c.queries().length, 3);
  assert.equal(c.s.resolveResult(h).r, E.AGAIN);
  c.run(200);
  assert.equal(c.s.resolveResult(h).r, E.TIMEDOUT);
  assert.ok(c.logs.includes("resolve silent.test no answer"));
  assert.ok(c.s.x.udp_bind(0) >= 0 && c.s.x.udp_bind(0) >= 0, "both UDP sockets free again");
});

test("names answered at once: localhost, dotted quads; malformed names and no server", () => {
  const c = client();
  assert.deepEqual(c.s.resolveResult(c.s.resolve("localhost")), { r: 0, ip: 0x7f000001 });
  assert.deepEqual(c.s.resolveResult(c.s.resolve("db.localhost.")), { r: 0, ip: 0x7f000001 });
  assert.deepEqual(c.s.resolveResult(c.s.resolve("10.77.0.200")), { r: 0, ip: 0x0a4d00c8 });
  assert.equal(c.s.resolve("a..b"), E.INVAL);
  assert.equal(c.s.resolve(""), E.INVAL);
  assert.equal(c.s.resolve("x".repeat(64) + ".test"), E.INVAL);
  c.s.dnsServers(0, 0);
  assert.equal(c.s.resolveResult(c.s.resolve("peer.test")).r, E.NOTFOUND, "no server to ask");
  assert.equal(c.queries().length, 0);
});

/** Two synacks with mDNS responders on one wire (frames cross after each call returns). */
function pair() {
  const clock = new ManualClock();
  clock.t = 10_000;
  const wire: [number, Uint8Array][] = [];
  const mk = (n: number, name: string) => new Stack({ ip: 0x0a4d0000 + n, prefixLen: 24, mac: Uint8Array.from([2, 0, 0, 0, 0, n]), clock,
    services: SERVICES.mdns, name, layout: { udpSockets: 2 }, onSend: (f) => wire.push([n, f]) });
  const a = mk(2, "alpha");
  const b = mk(3, "bravo");
  const flush = () => { for (let x = wire.shift(); x; x = wire.shift()) (x[0] === 2 ? b : a).receive(x[1]); };
  const run = (ms: number, step = 10) => { for (let t = 0; t < ms; t += step) { clock.advance(step); a.poll(); flush(); b.poll(); flush(); } };
  return { a, b, run };
}

test("NAME.local by an mDNS one-shot query: answered by the other synack's responder", () => {
  const p = pair();
  p.run(3000); // both probed and announced
  const h = p.a.resolve("bravo.local");
  assert.ok(h >= 0);
  p.run(100);
  assert.deepEqual(p.a.resolveResult(h), { r: 0, ip: 0x0a4d0003 });
  assert.deepEqual(p.a.resolveResult(p.a.resolve("alpha.local")), { r: 0, ip: 0x0a4d0002 }, "our own name, without asking");
  const none = p.b.resolve("charlie.local");
  p.run(2900);
  assert.equal(p.b.resolveResult(none).r, E.AGAIN);
  p.run(200);
  assert.equal(p.b.resolveResult(none).r, E.NOTFOUND, "nobody answers for it within three tries");
});
