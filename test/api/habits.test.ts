// Habits of node:net that programs bring along, on V8, the native board and the emulated one: listen(0), listen(),
// listen({ port, host }) with an ephemeral port; address(); getConnections; maxConnections ("drop");
// remoteFamily; errors with code, address and port; ref/unref letting a program end.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openStack, MemoryLink, NetStack, Server, Socket } from "../../host/index.js";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { isRoot, createNetns, Netns, LINUX_IP, STACK_IP, PREFIX } from "../../host/link/netns.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const once = <T>(e: NodeJS.EventEmitter, ev: string) => new Promise<T>((res) => e.once(ev, (x: T) => res(x)));
/** Accepted sockets whose peer resets at the end of a test: no uncaught "error". */
const quiet = (s: Socket) => { s.on("error", () => {}); };
const listening = (srv: Server) => Promise.race([once(srv, "listening"), once<Error>(srv, "error").then((e) => { throw e; })]);

/** The stack under test, and a peer that opens a connection to it (kept open until the returned close). */
interface Bench { net: NetStack; ours: string; peer: string; dial(port: number): Promise<{ closed: Promise<string>; close(): void }> }

function habits(name: string, setup: () => Promise<Bench & { done(): Promise<void> }>, skip: string | false = false) {
  describe(`node:net habits (${name})`, { skip }, () => {
    let b: Bench & { done(): Promise<void> };
    before(async () => { b = await setup(); });
    after(async () => { await b?.done(); });

    test("listen(0), listen() and listen({ port: 0, host }) take ephemeral ports; address() names them; a peer connects", async () => {
      const servers = [b.net.createServer(quiet).listen(0), b.net.createServer(quiet).listen(), b.net.createServer(quiet).listen({ port: 0, host: b.ours })];
      await Promise.all(servers.map(listening)); // their events came on the same tick
      const ports = servers.map((s) => s.address()!.port);
      for (const p of ports) assert.ok(p >= 49152 && p <= 65535, `ephemeral: ${p}`);
      assert.equal(new Set(ports).size, 3, "three different ports");
      assert.deepEqual(servers[2].address(), { address: b.ours, family: "IPv4", port: ports[2] });
      const accepted = once<Socket>(servers[0], "connection");
      const c = await b.dial(ports[0]);
      const s = await accepted;
      assert.equal(s.remoteAddress, b.peer);
      assert.equal(s.remoteFamily, "IPv4");
      assert.equal(s.localPort, ports[0]);
      c.close();
      for (const srv of servers) srv.close();
    });

    test("listen({ port, host }) and listen(port, host, cb); a host not ours: EADDRNOTAVAIL with address and port", async () => {
      const a = b.net.createServer().listen({ port: 7101, host: b.ours });
      await listening(a);
      assert.equal(a.address()!.port, 7101);
      const c = b.net.createServer();
      await new Promise<void>((r) => c.listen(7102, b.ours, () => r()));
      assert.equal(c.address()!.port, 7102);
      const bad = b.net.createServer().listen({ port: 7103, host: "10.9.9.9" });
      const err = await once<NodeJS.ErrnoException & { address: string; port: number }>(bad, "error");
      assert.equal(err.code, "EADDRNOTAVAIL");
      assert.equal(err.address, "10.9.9.9");
      assert.equal(err.port, 7103);
      assert.equal(bad.address(), null);
      const inUse = b.net.createServer().listen(7101);
      const e2 = await once<NodeJS.ErrnoException & { address: string; port: number }>(inUse, "error");
      assert.deepEqual([e2.code, e2.syscall, e2.address, e2.port], ["EADDRINUSE", "listen", b.ours, 7101]);
      a.close(); c.close();
    });

    test("getConnections counts open connections; maxConnections resets the one too many (\"drop\")", async () => {
      const srv = b.net.createServer(quiet);
      srv.maxConnections = 1;
      await listening(srv.listen(0));
      const port = srv.address()!.port;
      const first = once(srv, "connection");
      const c1 = await b.dial(port);
      await first;
      assert.equal(await new Promise((r) => srv.getConnections((_e, n) => r(n))), 1);
      const dropped = once<{ remoteAddress: string; remoteFamily: string; localPort: number }>(srv, "drop");
      const c2 = await b.dial(port);
      const d = await dropped;
      assert.deepEqual([d.remoteAddress, d.remoteFamily, d.localPort], [b.peer, "IPv4", port]);
      await c2.closed; // the peer's side ended at once
      assert.equal(await new Promise((r) => srv.getConnections((_e, n) => r(n))), 1);
      c1.close();
      srv.close();
    });

    test("connect to a closed port: ECONNREFUSED with address and port; remoteFamily on a client", async () => {
      const s = b.net.connect({ host: b.peer, port: 9 });
      assert.equal(s.remoteFamily, "IPv4");
      const err = await once<NodeJS.ErrnoException & { address: string; port: number }>(s, "error");
      assert.deepEqual([err.code, err.syscall, err.address, err.port], ["ECONNREFUSED", "connect", b.peer, 9]);
      assert.equal(err.message, `connect ECONNREFUSED ${b.peer}:9`);
    });
  });
}

habits("v8, in memory", async () => {
  const [la, lb] = MemoryLink.pair();
  const net = await openStack({ link: la, ip: "10.77.0.2/24" });
  const peer = await openStack({ link: lb, ip: "10.77.0.3/24" });
  return {
    net, ours: "10.77.0.2", peer: "10.77.0.3",
    dial: async (port) => {
      const c = peer.connect({ host: "10.77.0.2", port });
      await once(c, "connect");
      const closed = new Promise<string>((r) => { c.on("error", (e) => r(e.message)); c.on("close", () => r("closed")); });
      c.on("data", () => {});
      return { closed, close: () => { c.destroy(); } };
    },
    done: async () => { await net.close(); await peer.close(); },
  };
});

/** nc from Linux's side: connected once ss lists it, the outcome once nc exits. */
function linuxBench(board: "v8" | "native" | "xtensa"): () => Promise<Bench & { done(): Promise<void> }> {
  return async () => {
    const ns: Netns = createNetns(`h${board[0]}`);
    const net = await openStack({ board, tap: ns.tap, netns: ns.name, ip: `${STACK_IP}/${PREFIX}` });
    return {
      net, ours: STACK_IP, peer: LINUX_IP,
      dial: async (port) => {
        const estab = () => ns.execSync("ss", ["-tanH", "state", "established", "dst", `${STACK_IP}:${port}`]).split("\n").filter(Boolean).length;
        const before = estab();
        const nc = ns.spawn("sh", ["-c", `sleep 30 | nc -v ${STACK_IP} ${port}; echo "nc exit $?" >&2`], { stdio: ["ignore", "ignore", "pipe"], detached: true });
        let err = "", exited = false;
        nc.stderr!.on("data", (d) => { err += d; });
        nc.on("exit", () => { exited = true; });
        for (let t = 0; t < 5000 && !/succeeded|failed/.test(err) && !exited; t += 20) await sleep(20);
        return {
          // Ended once nc exits or Linux no longer has it established (after a RST nc waits for its stdin).
          get closed() { return (async () => { while (!exited && estab() > before) await sleep(50); return exited ? err : "gone from Linux"; })(); },
          close: () => { try { process.kill(-nc.pid!, "SIGKILL"); } catch { /* gone */ } },
        };
      },
      done: async () => { await net.close(); ns.destroy(); },
    };
  };
}
const rootSkip = isRoot() ? false : "needs root for a TAP";
habits("v8, TAP against Linux", linuxBench("v8"), rootSkip);
habits("native board, TAP against Linux", linuxBench("native"), rootSkip);
habits("emulated board (xtensa), TAP against Linux", linuxBench("xtensa"), rootSkip);

/** A program that listens (or binds a UDP port, as node:dgram) and unrefs (or not) its socket: whether it ends by itself. */
for (const [board, what] of [["v8", "server"], ["native", "server"], ["xtensa", "server"], ["v8", "udp"], ["native", "udp"], ["xtensa", "udp"]])
  test(`unref() on the only ${what === "udp" ? "bound UDP socket" : "server"} lets the program end (board ${board}); ref() keeps it`, { skip: rootSkip }, async () => {
  const ns = createNetns("hu");
  const dir = mkdtempSync(join(tmpdir(), "synack-unref-"));
  try {
    const prog = join(dir, "p.mjs");
    writeFileSync(prog, [
      `import { openStack } from ${JSON.stringify(resolve(PACKAGE_ROOT, "build/host/index.js"))};`,
      `const net = await openStack({ board: "${board}", tap: "${ns.tap}", netns: "${ns.name}", ip: "${STACK_IP}/${PREFIX}" });`,
      what === "udp" ? `const srv = net.createSocket("udp4").bind(0, () => console.log("listening " + srv.address().port));`
        : `const srv = net.createServer().listen(0, () => console.log("listening " + srv.address().port));`,
      `if (process.argv[2] === "unref") srv.unref();`,
    ].join("\n"));
    const run = (arg: string) => {
      const p = spawn(process.execPath, [prog, arg], { stdio: ["ignore", "pipe", "pipe"], detached: true });
      let out = "";
      p.stdout!.on("data", (d) => { out += d; });
      p.stderr!.on("data", (d) => { out += d; });
      return { p, out: () => out, exit: new Promise<number | null>((r) => p.on("exit", (c) => r(c))) };
    };
    const u = run("unref");
    const code = await Promise.race([u.exit, new Promise((r) => setTimeout(() => r("still running"), 15_000))]);
    if (code === "still running") try { process.kill(-u.p.pid!, "SIGKILL"); } catch { /* gone */ }
    assert.equal(code, 0, u.out());
    assert.match(u.out(), /listening \d+/);
    const r = run("ref");
    try {
      while (!/listening/.test(r.out()) && r.p.exitCode === null) await new Promise((res) => setTimeout(res, 50));
      await new Promise((res) => setTimeout(res, 1000));
      assert.equal(r.p.exitCode, null, `a ref()ed ${what} keeps the program: ${r.out()}`);
    } finally { try { process.kill(-r.p.pid!, "SIGKILL"); } catch { /* gone */ } }
  } finally { rmSync(dir, { recursive: true, force: true }); ns.destroy(); }
});
