// The C socket API (boards/common/synack.h) on the native board: the example C service
// (example_service.c) answers Linux over TCP 7000 and UDP 7001.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { isRoot, STACK_IP, LINUX_IP } from "../../host/link/netns.js";
import { serveInNetns, Served } from "../lib/served.js";

describe("C API on the native board", { skip: isRoot() ? false : "needs root" }, () => {
  let s: Served;
  before(async () => { s = await serveInNetns("native"); });
  after(async () => { await s?.stop(); });

  test("TCP 7000: lines come back in upper case; quit makes the board close", async () => {
    const r = await s.ns.run("sh", ["-c", `(printf 'hello synack\\n'; sleep 0.3; printf 'quit\\n'; sleep 2) | nc ${STACK_IP} 7000`], undefined, 15_000);
    assert.equal(r.stdout.toString(), "HELLO SYNACK\nbye\n");
  });

  test("TCP 7000: 20 KB through the C API intact (upper-cased)", async () => {
    const data = Array.from({ length: 400 }, (_, i) => `line ${i} abcdefghijklmnopqrstuvwxyz0123456789\n`).join("");
    const r = await s.ns.run("nc", ["-N", STACK_IP, "7000"], data, 20_000);
    assert.equal(r.stdout.toString(), data.toUpperCase());
  });

  test("UDP 7001: python3's datagrams answered to their source", async () => {
    const r = await s.ns.run("python3", ["-c", [
      "import socket", "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)", "s.settimeout(5)",
      `s.bind(("${LINUX_IP}", 40200))`,
      "for m in [b'ping', b'x'*500]:",
      `  s.sendto(m, ("${STACK_IP}", 7001)); d,a=s.recvfrom(2000); print(d==b'synack: '+m, a[1])`,
    ].join("\n")], undefined, 20_000);
    assert.equal(r.stdout.toString(), "True 7001\nTrue 7001\n", r.stderr);
  });
});
