// The node:net-like API: two synack stacks on an in-memory wire, real time, real module.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, createHash } from "node:crypto";
import { openStack, MemoryLink, NetStack, Socket } from "../../host/index.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const [la, lb] = MemoryLink.pair();
const A = await openStack({ link: la, ip: "10.77.0.2/24", msl: 200 });
const B = await openStack({ link: lb, ip: "10.77.0.3/24", msl: 200 });
after(() => { A.close(); B.close(); });

function collect(s: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on("data", (d: Buffer) => parts.push(d));
  return new Promise((res, rej) => { s.on("end", () => res(Buffer.concat(parts))); s.on("error", rej); });
}
const once = <T>(e: NodeJS.EventEmitter, ev: string) => new Promise<T>((res) => e.once(ev, (x: T) => res(x)));

test("echo server and client: 300 KB intact, write back-pressure and drain, end = FIN both ways", async () => {
  const srv = A.createServer((s) => s.pipe(s));
  await once(srv.listen(7007), "listening");
  const data = randomBytes(300_000);
  const c = B.connect({ host: "10.77.0.2", port: 7007 });
  await once(c, "connect");
  assert.equal(c.remoteAddress, "10.77.0.2");
  assert.equal(c.remotePort, 7007);
  assert.ok(c.localPort! >= 49152);
  const got = collect(c);
  const closed = once(c, "close");
  let sawFalse = false, drains = 0;
  c.on("drain", () => drains++);
  for (let off = 0; off < data.length; off += 10_000) {
    if (!c.write(data.subarray(off, off + 10_000))) { sawFalse = true; await once(c, "drain"); }
  }
  c.end();
  const back = await got;
  assert.equal(back.length, data.length);
  assert.equal(sha(back), sha(data));
  assert.ok(sawFalse && drains > 0, "write() returned false and drain followed");
  await closed;
  srv.close();
});

test("server sees the client's address; destroy() resets (the peer gets ECONNRESET)", async () => {
  let peer: Socket | null = null;
  const srv = A.createServer((s) => { peer = s; });
  await once(srv.listen(7008), "listening");
  const c = B.connect(7008, "10.77.0.2");
  await once(c, "connect");
  while (!peer) await new Promise((r) => setTimeout(r, 5));
  const p = peer as Socket;
  assert.equal(p.remoteAddress, "10.77.0.3");
  assert.equal(p.remotePort, c.localPort);
  assert.equal(p.tcpState, "ESTABLISHED");
  const err = new Promise<NodeJS.ErrnoException>((res) => p.on("error", res));
  p.resume();
  c.destroy();
  assert.equal((await err).code, "ECONNRESET");
  srv.close();
});

test("connect to a closed port: ECONNREFUSED; to a port in use: EADDRINUSE on listen", async () => {
  const c = B.connect({ host: "10.77.0.2", port: 7999 });
  const e = await once<NodeJS.ErrnoException>(c, "error");
  assert.equal(e.code, "ECONNREFUSED");
  const s1 = A.createServer(); await once(s1.listen(7009), "listening");
  const s2 = A.createServer();
  const e2 = await once<NodeJS.ErrnoException>(s2.listen(7009), "error");
  assert.equal(e2.code, "EADDRINUSE");
  s1.close();
});

test("half-close: allowHalfOpen server reads to end, then answers; setTimeout fires on idle", async () => {
  const srv = A.createServer({ allowHalfOpen: true }, (s) => {
    const parts: Buffer[] = [];
    s.on("data", (d: Buffer) => parts.push(d));
    s.on("end", () => s.end(`got ${Buffer.concat(parts).length}`));
  });
  await once(srv.listen(7010), "listening");
  const c = B.connect({ host: "10.77.0.2", port: 7010, allowHalfOpen: true });
  await once(c, "connect");
  c.setNoDelay(true).setKeepAlive(true, 60_000);
  const timedOut = once(c.setTimeout(50), "timeout");
  await timedOut;
  c.setTimeout(0);
  const got = collect(c);
  c.end("x".repeat(5000));
  assert.equal((await got).toString(), "got 5000");
  srv.close();
});

test("server.close(): stops accepting, \"close\" after the last connection", async () => {
  const srv = A.createServer((s) => { s.resume(); s.end("bye"); });
  await once(srv.listen(7011), "listening");
  const c = B.connect(7011, "10.77.0.2");
  const text = await collect(c);
  assert.equal(text.toString(), "bye");
  const closed = once(srv.close(), "close");
  await closed;
  const c2 = B.connect(7011, "10.77.0.2");
  assert.equal((await once<NodeJS.ErrnoException>(c2, "error")).code, "ECONNREFUSED");
});

test("openStack's default layout holds a program's connections: 12 at once, each echoed intact", async () => {
  assert.equal(A.stack.x.memory_used() > 12 * 2 * 16384, true, "16 slots of 16 KiB each way are laid out");
  const srv = A.createServer((s) => s.pipe(s));
  await once(srv.listen(7012), "listening");
  const clients = Array.from({ length: 12 }, (_, i) => {
    const c = B.connect({ host: "10.77.0.2", port: 7012 });
    const got = collect(c);
    c.end(Buffer.from(`client ${i}\n`));
    return got.then((b) => b.toString());
  });
  const answers = await Promise.all(clients);
  answers.forEach((a, i) => assert.equal(a, `client ${i}\n`));
  srv.close();
});
