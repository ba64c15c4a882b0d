// openStack({ board: "native" }): the same sockets, with the module running in the native board's
// firmware (C, wasm3, the W5500 driver and model) on a TAP, driven through synack.h. Against Linux:
// nc, python3; and the one-line errors for what a board cannot do.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTcpFrame, TCP_FLAGS } from "../../host/link/wire.js";
import { readPcap } from "../lib/pcapread.js";
import { pythonEchoRounds } from "../lib/udpecho.js";
import { openStack, NetStack, Socket, RemoteInfo } from "../../host/index.js";
import { NATIVE_BOARD } from "../../host/engine/board.js";
import { isRoot, createNetns, Netns, LINUX_IP, STACK_IP, PREFIX } from "../../host/link/netns.js";

const once = <T extends unknown[]>(e: NodeJS.EventEmitter, ev: string) => new Promise<T>((res) => e.once(ev, (...a: unknown[]) => res(a as T)));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

test("board: an unknown board, or one without its TAP, says so in one line", async () => {
  await assert.rejects(openStack({ board: "esp8266" as "native", tap: "tap0", ip: "10.77.0.2/24" }), /^Error: board "esp8266" is none of v8, native, xtensa, lx6, lx6-esp32$/);
  await assert.rejects(openStack({ board: "xtensa", ip: "10.77.0.2/24" }), /board "xtensa" needs tap/);
  await assert.rejects(openStack({ board: "native", ip: "10.77.0.2/24" }), /board "native" needs tap/);
});

describe("openStack({ board: \"native\" }) against Linux over a TAP", { skip: isRoot() ? false : "needs root" }, () => {
  let ns: Netns;
  let net: NetStack;
  const logs: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "synack-nb-"));
  const pcap = join(dir, "board.pcap");
  before(async () => {
    ns = createNetns("nb");
    net = await openStack({ board: "native", tap: ns.tap, netns: ns.name, ip: `${STACK_IP}/${PREFIX}`, pcap, onLog: (l) => logs.push(l) });
  });
  after(async () => { await net?.close(); ns?.destroy(); rmSync(dir, { recursive: true, force: true }); });

  test("the module runs in the board's process (build/synack-native in the namespace), not in V8", () => {
    assert.equal(net.board, "native");
    const pids = ns.execSync("ip", ["netns", "pids", ns.name]).trim().split("\n").filter(Boolean);
    const exes = pids.map((p) => { try { return readlinkSync(`/proc/${p}/exe`); } catch { return ""; } });
    assert.ok(exes.includes(NATIVE_BOARD), `a synack-native process in ${ns.name}: ${exes.join(", ")}`);
    assert.throws(() => net.stack, /net\.stack is the module in this process; with board "native"/);
    assert.equal(net.address, STACK_IP);
  });

  test("a server in Node on the board: nc sends 200 KB, the echo comes back intact; state and counters", async () => {
    const conns: Socket[] = [];
    const srv = net.createServer((s) => { conns.push(s); s.pipe(s); });
    await once(srv.listen(7007), "listening");
    const data = randomBytes(200_000);
    const r = await ns.run("nc", ["-N", "-w", "10", STACK_IP, "7007"], data, 60_000);
    assert.equal(r.stdout.length, data.length, r.stderr);
    assert.equal(sha(r.stdout), sha(data));
    assert.equal(conns.length, 1);
    assert.equal(conns[0].remoteAddress, LINUX_IP);
    assert.equal(conns[0].localPort, 7007);
    assert.ok(conns[0].bytesRead === data.length && conns[0].bytesWritten === data.length);
    assert.match(net.statsText(), /tcpPassiveOpens\s+1\n/);
    assert.ok(logs.some((l) => /ESTABLISHED/.test(l)), "the board's log lines reach onLog");
    await new Promise<void>((res) => srv.close(() => res()));
  });

  test("a client on the board: connect to a python3 server, half-close, its reply, then TIME-WAIT on our side", async () => {
    const server = ns.spawn("python3", ["-c", [
      "import socket", "l=socket.socket()", "l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
      `l.bind(("${LINUX_IP}", 40555)); l.listen(1); print("up", flush=True)`,
      "c,a=l.accept(); d=b''", "while True:", "  x=c.recv(4096)", "  if not x: break", "  d+=x",
      "c.sendall(b'got %d bytes' % len(d)); c.close()",
    ].join("\n")], { stdio: ["ignore", "pipe", "inherit"] });
    let up = "";
    server.stdout!.on("data", (d) => { up += d; });
    while (!up.includes("up")) await new Promise((r) => setTimeout(r, 20));
    const c = net.connect({ host: LINUX_IP, port: 40555, allowHalfOpen: true });
    await once(c, "connect");
    assert.equal(c.tcpState, "ESTABLISHED");
    c.end(Buffer.alloc(30_000, 7));
    let reply = "";
    c.on("data", (d: Buffer) => { reply += d; });
    await once(c, "end");
    assert.equal(reply, "got 30000 bytes");
    await new Promise((r) => setTimeout(r, 100));
    assert.match(net.connsText(), new RegExp(`TIME-WAIT +${STACK_IP.replace(/\./g, "\\.")}:\\d+ +${LINUX_IP.replace(/\./g, "\\.")}:40555`));
    c.destroy();
  });

  test("connect to a closed port: ECONNREFUSED", async () => {
    const c = net.connect(40999, LINUX_IP);
    const [e] = await once<[NodeJS.ErrnoException]>(c, "error");
    assert.equal(e.code, "ECONNREFUSED");
  });

  test("UDP on the board: python3's datagrams echoed with the right source", async () => {
    const s = net.createSocket("udp4", (msg, r: RemoteInfo) => s.send(Buffer.concat([Buffer.from("echo:"), msg]), r.port, r.address));
    await once(s.bind(7777), "listening");
    assert.equal(s.address().port, 7777);
    const r = await pythonEchoRounds(ns, 7777, ["b'one'", "bytes(range(256))*5"]);
    assert.equal(r.stdout.toString(), `True ${STACK_IP} 7777\n`.repeat(2), r.stderr);
    s.close();
  });

  test("close(): the board's process is gone, and the pcap (tcpdump on the TAP) holds the echo's handshake", async () => {
    await net.close();
    const pids = ns.execSync("ip", ["netns", "pids", ns.name]).trim().split("\n").filter(Boolean);
    assert.ok(!pids.some((p) => existsSync(`/proc/${p}/exe`) && readlinkSync(`/proc/${p}/exe`) === NATIVE_BOARD), "no synack-native left");
    const segs = readPcap(readFileSync(pcap)).map(parseTcpFrame).filter((g) => g !== null);
    const synAck = segs.find((g) => g.srcPort === 7007 && (g.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === (TCP_FLAGS.SYN | TCP_FLAGS.ACK));
    assert.ok(synAck && synAck.srcIp === STACK_IP, `our SYN-ACK from port 7007 in ${segs.length} segments`);
    // Not every frame: tcpdump may drop some under load (it says so in its own count).
    assert.ok(segs.some((g) => g.srcPort === 7007 && g.data.length > 0), "echoed data segments from port 7007");
  });
});

test("board native with dhcp: true: leased from dnsmasq, then a Node server answers at that address", { skip: isRoot() ? false : "needs root" }, async () => {
  const ns = createNetns("nbd");
  const lease = join(tmpdir(), `synack-nbd-${process.pid}.leases`);
  const dnsmasq = ns.spawn("dnsmasq", ["--no-daemon", "--conf-file=/dev/null", "--interface=tap0", "--bind-interfaces",
    "--port=0", "--dhcp-range=10.77.0.50,10.77.0.99,255.255.255.0,1h", `--dhcp-leasefile=${lease}`,
    "--dhcp-authoritative", "--user=root"], { stdio: ["ignore", "ignore", "pipe"] });
  let net: NetStack | undefined;
  try {
    net = await openStack({ board: "native", tap: ns.tap, netns: ns.name, dhcp: true, dhcpTimeout: 20_000 });
    const n = Number(/^10\.77\.0\.(\d+)$/.exec(net.address)?.[1]);
    assert.ok(n >= 50 && n <= 99, `leased from the pool: ${net.address}`);
    net.createServer((s) => s.pipe(s)).listen(7);
    const r = await ns.run("nc", ["-N", net.address, "7"], "leased on the board\n", 20_000);
    assert.equal(r.stdout.toString(), "leased on the board\n");
  } finally {
    await net?.close();
    dnsmasq.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    ns.destroy();
    rmSync(lease, { force: true });
  }
});

test("the board's process killed under an open connection: the socket errors (EBADF), nothing hangs", { skip: isRoot() ? false : "needs root" }, async () => {
  const ns = createNetns("nbk");
  const native = await openStack({ board: "native", tap: ns.tap, netns: ns.name, ip: "10.77.0.3/24" });
  try {
    const srv = native.createServer((s) => s.pipe(s));
    await once(srv.listen(7100), "listening");
    const nc = ns.spawn("nc", ["10.77.0.3", "7100"], { stdio: ["pipe", "pipe", "ignore"] });
    nc.stdin!.write("hello\n");
    const conn = await once<[Socket]>(srv, "connection").then(([s]) => s);
    await once(nc.stdout!, "data");
    const pids = ns.execSync("ip", ["netns", "pids", ns.name]).trim().split("\n");
    const board = pids.find((p) => existsSync(`/proc/${p}/exe`) && readlinkSync(`/proc/${p}/exe`) === NATIVE_BOARD);
    assert.ok(board, "the board's process");
    process.kill(Number(board), "SIGKILL");
    const [e] = await once<[NodeJS.ErrnoException]>(conn, "error");
    assert.equal(e.code, "EBADF");
    const late = native.connect(7, LINUX_IP); // calls answer at once now, with EBADF
    assert.equal((await once<[NodeJS.ErrnoException]>(late, "error"))[0].code, "EBADF");
    nc.kill();
  } finally { await native.close(); ns.destroy(); }
});
