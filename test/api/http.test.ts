// HTTP/1.1 on port 80 inside the module: keep-alive, pipelining, errors and timeouts against
// curl and raw sockets in a namespace; the idle close (our FIN first) on the scripted peer.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";
import { isRoot, STACK_IP } from "../../host/link/netns.js";
import { serveInNetns, Served, ENGINES } from "../lib/served.js";

function open(p: Peer, sport: number): { snd: number; rcv: number } {
  p.sport = sport;
  p.tcp({ dport: 80, seq: 1000, flags: "S", mss: 1460 });
  const sa = p.expect("SA");
  p.tcp({ dport: 80, seq: 1001, ack: sa.seq + 1, flags: "A" });
  return { snd: 1001, rcv: (sa.seq + 1) >>> 0 };
}

test("idle keep-alive connection: after 5 s synack closes first (FIN-WAIT-2, then TIME-WAIT)", () => {
  const p = new Peer();
  const c = open(p, 42000);
  const req = "GET /ladder HTTP/1.1\r\nHost: a\r\n\r\n";
  p.tcp({ dport: 80, seq: c.snd, ack: c.rcv, flags: "PA", data: req });
  let text = "";
  const whole = () => { const m = /Content-Length: (\d+)\r\n/.exec(text); return m !== null && text.length >= text.indexOf("\r\n\r\n") + 4 + Number(m[1]); };
  for (let i = 0; i < 4 && !whole(); i++) { // the page is two segments: Nagle holds the second until the first is acknowledged
    for (let s = p.next(); s; s = p.next()) text += Buffer.from(s.data).toString();
    p.tcp({ dport: 80, seq: c.snd + req.length, ack: (c.rcv + Buffer.byteLength(text)) >>> 0, flags: "A" });
  }
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(text, /Connection: close/);
  assert.match(text, /your ISN 1000, synack's ISN \d+\./);
  assert.match(text, />SYN seq=0</);
  assert.match(text, new RegExp(`>PSH,ACK seq=1 ack=1 len=${req.length} GET /ladder<`));
  const rcv = (c.rcv + Buffer.byteLength(text)) >>> 0;
  p.tcp({ dport: 80, seq: c.snd + req.length, ack: rcv, flags: "A" });
  p.advance(4000);
  assert.equal(p.next(), null, "still open after 4 s");
  p.advance(1500);
  p.expect("FA", { seq: rcv });
  assert.match(p.stack.connsText(), /FIN-WAIT-1/);
  p.tcp({ dport: 80, seq: c.snd + req.length, ack: rcv + 1, flags: "A" });
  assert.match(p.stack.connsText(), /FIN-WAIT-2/);
  p.tcp({ dport: 80, seq: c.snd + req.length, ack: rcv + 1, flags: "FA" });
  p.expect("A", { ack: c.snd + req.length + 1 });
  assert.match(p.stack.connsText(), /TIME-WAIT/);
});

test("a partial request times out with 408 and a close", () => {
  const p = new Peer();
  const c = open(p, 42001);
  p.tcp({ dport: 80, seq: c.snd, ack: c.rcv, flags: "PA", data: "GET / HTTP/1.1\r\nHo" });
  p.advance(10_500);
  let text = "";
  for (let s = p.next(); s; s = p.next()) text += Buffer.from(s.data).toString();
  assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n[^]*Connection: close/);
});

const skip = isRoot() ? false : "needs root";
for (const engine of ENGINES) {
  describe(`HTTP/1.1 against curl (${engine})`, { skip }, () => {
    let s: Served;
    before(async () => { s = await serveInNetns(engine); });
    after(async () => { await s?.stop(); });
    const url = (path = "/") => `http://${STACK_IP}${path}`;
    const passiveOpens = async () => {
      const r = await s.ns.run("curl", ["-sS", url("/status.json")], undefined, 10_000);
      return JSON.parse(r.stdout.toString()).counters.tcpPassiveOpens as number;
    };
    /** Raw bytes in, everything until the server closes out. */
    const raw = async (input: string) => (await s.ns.run("nc", [STACK_IP, "80"], input, 15_000)).stdout.toString();

    test("curl http://A/ http://A/: one connection (one SYN); --http1.0 twice: two", async () => {
      const base = await passiveOpens();
      const r = await s.ns.run("curl", ["-sS", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\\n", url(), url()], undefined, 15_000);
      assert.equal(r.stdout.toString(), "200 1\n200 0\n", r.stderr);
      assert.equal(await passiveOpens(), base + 2); // the pair, then this status fetch
      const r10 = await s.ns.run("curl", ["-sS", "--http1.0", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\\n", url(), url()], undefined, 15_000);
      assert.equal(r10.stdout.toString(), "200 1\n200 1\n", r10.stderr);
      assert.equal(await passiveOpens(), base + 2 + 2 + 1);
    });

    test("100 requests on one keep-alive connection; the ladder page counts them", async () => {
      const urls = [...Array.from({ length: 99 }, () => url("/stats")), url("/ladder")];
      const r = await s.ns.run("curl", ["-sS", "-w", "%{num_connects}\\n", ...urls], undefined, 60_000);
      const out = r.stdout.toString();
      assert.equal((out.match(/^1$/gm) ?? []).length, 1, "one connect");
      assert.equal((out.match(/^0$/gm) ?? []).length, 99, "99 reuses");
      assert.match(out, /100 requests on this connection so far/);
      assert.match(out, /your ISN \d+, synack's ISN \d+/);
      assert.match(out, /\(92 earlier requests\)/);
      assert.match(out, /len=\d+ GET \/stats<[^]*len=\d+ GET \/ladder<[^]* this response</, "the last requests' arrows, this one's last");
    });

    test("pipelining: three requests in one write, answered in order", async () => {
      const out = await raw("GET /stats HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /status.json HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
      const codes = [...out.matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((m) => m[1]);
      assert.deepEqual(codes, ["200", "200", "200"]);
      const i1 = out.indexOf("tcpInSegs"), i2 = out.indexOf("text/html"), i3 = out.indexOf("\"counters\"");
      assert.ok(i1 > 0 && i2 > i1 && i3 > i2, "stats, then the HEAD (no body), then JSON");
      assert.doesNotMatch(out.slice(i2, i3), /<html/, "HEAD carries no body");
    });

    test("HTTP/1.0 closes after the response unless it asks for keep-alive", async () => {
      const out = await raw("GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n");
      assert.equal((out.match(/^HTTP\/1\.1 200/gm) ?? []).length, 1);
      assert.match(out, /Connection: close/);
      const ka = await raw("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /stats HTTP/1.0\r\n\r\n");
      assert.equal((ka.match(/^HTTP\/1\.1 200/gm) ?? []).length, 2);
      assert.match(ka, /Connection: keep-alive/);
    });

    test("bad requests: 400, 404, 405, 414, 431, each a clean answer", async () => {
      assert.match(await raw("NONSENSE\r\n\r\n"), /^HTTP\/1\.1 400 /);
      assert.match(await raw("GET / HTTP/1.1\r\n\r\n"), /^HTTP\/1\.1 400 /); // no Host
      assert.match(await raw("GET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), /^HTTP\/1\.1 404 /);
      assert.match(await raw("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"), /^HTTP\/1\.1 405 [^]*Allow: GET, HEAD/);
      assert.match(await raw(`GET /${"a".repeat(400)} HTTP/1.1\r\nHost: a\r\n\r\n`), /^HTTP\/1\.1 414 /);
      assert.match(await raw(`GET / HTTP/1.1\r\nHost: a\r\n${"X-Filler: " + "b".repeat(60) + "\r\n"}`.repeat(1) + "X-More: c\r\n".repeat(100) + "\r\n"), /^HTTP\/1\.1 431 /);
    });

    test("more clients than sessions and connection slots: each answered or refused, none hangs", async () => {
      const r = await s.ns.run("python3", ["-c", [
        "import socket, time",
        "res=[]; socks=[]",
        "for i in range(16):",
        "  c=socket.socket(); c.settimeout(8)",
        "  try:",
        `    c.connect(("${STACK_IP}", 80)); c.sendall(b"GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n"); socks.append(c)`,
        "  except Exception as e: res.append(type(e).__name__)",
        "for c in socks:",
        "  try:",
        "    d=c.recv(100); res.append(d[9:12].decode() if d else 'closed')",
        "  except Exception as e: res.append(type(e).__name__)",
        "print(' '.join(sorted(res)))",
      ].join("\n")], undefined, 60_000);
      const res = r.stdout.toString().trim().split(" ");
      assert.equal(res.length, 16, r.stderr);
      assert.ok(res.includes("200"), res.join(" "));
      assert.ok(!res.includes("timeout") && !res.includes("TimeoutError"), `no hang: ${res.join(" ")}`);
    });
  });
}

/** Read everything the module sends on one connection, ACKing as a client would, until quiet. */
function readAll(p: Peer, snd: number, rcv: number): { text: string; rcv: number; fin: boolean } {
  let text = "", fin = false;
  for (let round = 0; round < 200; round++) {
    let got = false;
    for (let s = p.next(); s; s = p.next()) {
      got = true;
      text += Buffer.from(s.data).toString("latin1");
      rcv = (s.seq + s.data.length + (s.flags & 1)) >>> 0;
      if (s.flags & 1) fin = true;
    }
    p.tcp({ dport: 80, seq: snd, ack: rcv, flags: "A", wnd: 65535 });
    if (!got) { p.advance(50); if (!p.out.length) break; }
  }
  return { text, rcv, fin };
}

function dechunk(body: string): string {
  let out = "", at = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", at);
    const n = parseInt(body.slice(at, eol), 16);
    assert.ok(Number.isInteger(n), `chunk size at ${at}: ${JSON.stringify(body.slice(at, at + 10))}`);
    if (n === 0) { assert.equal(body.slice(eol, eol + 4), "\r\n\r\n"); return out; }
    out += body.slice(eol + 2, eol + 2 + n);
    assert.equal(body.slice(eol + 2 + n, eol + 4 + n), "\r\n");
    at = eol + 4 + n;
  }
}

test("small send rings (1 KiB): a page larger than the ring is sent in chunks, and the ladder's numbers stay exact", () => {
  const p = new Peer({ layout: { conns: 4, rxRing: 4096, txRing: 1024 } });
  const c = open(p, 42002);
  const req1 = "GET /stats HTTP/1.1\r\nHost: a\r\n\r\n";
  p.tcp({ dport: 80, seq: c.snd, ack: c.rcv, flags: "PA", data: req1 });
  const r1 = readAll(p, c.snd + req1.length, c.rcv);
  const [head, body] = [r1.text.slice(0, r1.text.indexOf("\r\n\r\n") + 4), r1.text.slice(r1.text.indexOf("\r\n\r\n") + 4)];
  assert.match(head, /^HTTP\/1\.1 200 OK\r\n[^]*Transfer-Encoding: chunked\r\n/);
  assert.doesNotMatch(head, /Content-Length/);
  const stats = dechunk(body);
  assert.ok(stats.length > 2000, `stats ${stats.length} bytes`);
  assert.match(stats, /^ethInFrames +\d+\n[^]*tcpPassiveOpens +1\n/);
  // The same connection carries on: the ladder counts the streamed response's bytes exactly.
  const req2 = "GET /ladder HTTP/1.1\r\nHost: a\r\n\r\n";
  p.tcp({ dport: 80, seq: c.snd + req1.length, ack: r1.rcv, flags: "PA", data: req2 });
  const r2 = readAll(p, c.snd + req1.length + req2.length, r1.rcv);
  const ladder = dechunk(r2.text.slice(r2.text.indexOf("\r\n\r\n") + 4)); // larger than the ring too
  const rel1 = (r1.rcv - c.rcv + 1) >>> 0; // response 2's relative seq: 1 + response 1's bytes
  assert.match(ladder, new RegExp(`>PSH,ACK seq=${1 + req1.length} ack=${rel1} len=${req2.length} GET /ladder<`));
  assert.match(ladder, new RegExp(`>PSH,ACK seq=${rel1} ack=${1 + req1.length + req2.length} this response<`), "response 2 starts where response 1 ended");
});

test("the board default with a full table: the status page, longer than the io buffer, is written in pieces as the ring drains, whole", () => {
  const p = new Peer({ layout: {} });
  for (let i = 0; i < 16; i++) { // sixteen echo clients, each holding a connection
    p.sport = 43000 + i;
    p.tcp({ dport: 7, seq: 5000, flags: "S", mss: 1460 });
    const sa = p.expect("SA");
    p.tcp({ dport: 7, seq: 5001, ack: sa.seq + 1, flags: "A" });
  }
  const c = open(p, 42004);
  const req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  p.tcp({ dport: 80, seq: c.snd, ack: c.rcv, flags: "PA", data: req });
  const r = readAll(p, c.snd + req.length, c.rcv);
  const head = r.text.slice(0, r.text.indexOf("\r\n\r\n") + 4);
  assert.match(head, /^HTTP\/1\.1 200 OK\r\n[^]*Transfer-Encoding: chunked\r\n/);
  const page = dechunk(r.text.slice(head.length));
  assert.ok(page.length > 4096 - 256, `longer than the io buffer holds after the head's room: ${page.length} bytes`);
  assert.match(page, /^<!doctype html>[^]*<\/html>\n$/, "whole, to its end");
  assert.equal((page.match(/<td>echo<td>ESTABLISHED<td>/g) ?? []).length, 16, "every echo connection listed once");
  assert.match(page, /<td>tcpDropNoSlot<td class=n>0<\/tr>/);
});

test("small send rings, HTTP/1.0: the large page ends with the connection", () => {
  const p = new Peer({ layout: { conns: 4, rxRing: 4096, txRing: 1024 } });
  const c = open(p, 42003);
  const req = "GET /stats HTTP/1.0\r\n\r\n";
  p.tcp({ dport: 80, seq: c.snd, ack: c.rcv, flags: "PA", data: req });
  const r = readAll(p, c.snd + req.length, c.rcv);
  assert.ok(r.fin, "closed after the body");
  const body = r.text.slice(r.text.indexOf("\r\n\r\n") + 4);
  assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n/);
  assert.match(body, /^ethInFrames +\d+\n[^]*tcpSynCookiesBad +\d+\n[^]*\n$/);
  assert.equal(body.split("\n").length, p.stack.statsText().split("\n").length, "every counter, whole lines");
});
