// UDP sockets: node:dgram-like between two stacks in memory, and against Linux (python3) over a TAP.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { openStack, MemoryLink, NetStack, RemoteInfo } from "../../host/index.js";
import { isRoot, createNetns, Netns, LINUX_IP, STACK_IP, PREFIX } from "../../host/link/netns.js";
import { pythonEchoRounds } from "../lib/udpecho.js";

const once = <T extends unknown[]>(e: NodeJS.EventEmitter, ev: string) => new Promise<T>((res) => e.once(ev, (...a: unknown[]) => res(a as T)));

test("in memory: bind, send, message with the sender's address and port; full queue counted", async () => {
  const [la, lb] = MemoryLink.pair();
  const A = await openStack({ link: la, ip: "10.77.0.2/24" });
  const B = await openStack({ link: lb, ip: "10.77.0.3/24" });
  try {
    const a = A.createSocket("udp4");
    await once(a.bind(5000), "listening");
    assert.equal(a.address().port, 5000);
    const b = B.createSocket("udp4");
    const got = once<[Buffer, RemoteInfo]>(a, "message");
    b.send("hello udp", 5000, "10.77.0.2");
    const [msg, rinfo] = await got;
    assert.equal(msg.toString(), "hello udp");
    assert.equal(rinfo.address, "10.77.0.3");
    assert.equal(rinfo.port, b.address().port);
    assert.ok(rinfo.port >= 49152);
    // Reply to the sender's port.
    const back = once<[Buffer, RemoteInfo]>(b, "message");
    a.send(Buffer.from([1, 2, 3]), rinfo.port, rinfo.address);
    assert.deepEqual([...(await back)[0]], [1, 2, 3]);
    // Nobody bound: counted as no port. A second bind of 5000: EADDRINUSE.
    const dup = A.createSocket("udp4");
    assert.equal((await once<[NodeJS.ErrnoException]>(dup.bind(5000), "error"))[0].code, "EADDRINUSE");
    const before = A.stack.stats().udpDropNoPort;
    b.send("x", 5999, "10.77.0.2");
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(A.stack.stats().udpDropNoPort, before + 1);
    // 1400-byte datagrams into a 2 KiB queue that nobody drains (closed listener on the JS side).
    a.removeAllListeners("message");
    A.removePoller(a);
    for (let i = 0; i < 5; i++) b.send(Buffer.alloc(1400, i), 5000, "10.77.0.2");
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(A.stack.stats().udpDropQueueFull >= 3, "datagrams beyond the queue are dropped and counted");
    a.close(); b.close();
  } finally { A.close(); B.close(); }
});

describe("UDP against Linux over a TAP", { skip: isRoot() ? false : "needs root" }, () => {
  let ns: Netns;
  let net: NetStack;
  before(async () => {
    ns = createNetns("udp");
    net = await openStack({ tap: ns.tap, netns: ns.name, ip: `${STACK_IP}/${PREFIX}` });
  });
  after(() => { net?.close(); ns?.destroy(); });

  test("python3 sends to a synack echo socket and gets its datagrams back with the right source", async () => {
    const s = net.createSocket("udp4", (msg, r) => s.send(Buffer.concat([Buffer.from("echo:"), msg]), r.port, r.address));
    await once(s.bind(7777), "listening");
    const r = await pythonEchoRounds(ns, 7777, ["b'one'", "b'two'", "bytes(range(256))*5"]);
    assert.equal(r.stdout.toString(), `True ${STACK_IP} 7777\n`.repeat(3), r.stderr);
    s.close();
  });

  test("synack sends to a python3 listener, which sees our address and port", async () => {
    const listener = ns.spawn("python3", ["-c", [
      "import socket", "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)", "s.settimeout(10)",
      `s.bind(("${LINUX_IP}", 40124)); print("up", flush=True)`,
      "d,a=s.recvfrom(2000); print(d.decode(), a[0], a[1], flush=True)",
    ].join("\n")], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    listener.stdout!.on("data", (d) => { out += d; });
    while (!out.includes("up")) await new Promise((r) => setTimeout(r, 20));
    const s = net.createSocket("udp4");
    await once(s.bind(6000), "listening");
    s.send("from synack", 40124, LINUX_IP);
    await new Promise((r) => listener.on("exit", r));
    assert.equal(out, `up\nfrom synack ${STACK_IP} 6000\n`);
    s.close();
  });
});
