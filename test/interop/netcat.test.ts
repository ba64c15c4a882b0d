// Interop with the Linux kernel's TCP and real netcat, over a TAP in a namespace of our own.
// Needs root (namespaces, TAP); skips otherwise.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, createHash } from "node:crypto";
import { isRoot, STACK_IP } from "../../host/link/netns.js";
import { serveInNetns, Served, ENGINES, WINDOWED_ENGINES } from "../lib/served.js";
import { chargenExpected } from "../lib/chargen.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");


for (const engine of [...ENGINES, ...WINDOWED_ENGINES]) {
  describe(`netcat against synack (${engine})`, { skip }, () => {
    let s: Served;
    before(async () => { s = await serveInNetns(engine); });
    after(async () => { await s?.stop(); });

    test("ping: ICMP echo replies", async () => {
      const r = await s.ns.run("ping", ["-c", "3", "-i", "0.2", "-W", "2", STACK_IP]);
      assert.equal(r.code, 0, r.stdout.toString());
      assert.match(r.stdout.toString(), /3 received/);
    });

    test("echo: 1 MiB through nc comes back identical", async () => {
      const data = randomBytes(1 << 20);
      const r = await s.ns.run("nc", ["-N", STACK_IP, "7"], data, 120_000);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.length, data.length);
      assert.equal(sha(r.stdout), sha(data));
    });

    test("echo: 8 concurrent connections, each intact", async () => {
      const inputs = Array.from({ length: 8 }, () => randomBytes(128 * 1024));
      const results = await Promise.all(inputs.map((d) => s.ns.run("nc", ["-N", STACK_IP, "7"], d, 120_000)));
      results.forEach((r, i) => {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(sha(r.stdout), sha(inputs[i]), `connection ${i}`);
      });
    });

    test("discard: 8 MiB are taken and the connection closes cleanly", async () => {
      const data = randomBytes(8 << 20);
      const r = await s.ns.run("nc", ["-N", STACK_IP, "9"], data, 180_000);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.length, 0);
    });

    test("chargen: the RFC 864 pattern, byte for byte", async () => {
      const n = 200_000;
      const r = await s.ns.run("sh", ["-c", `nc ${STACK_IP} 19 | head -c ${n}`], undefined, 60_000);
      assert.equal(r.stdout.length, n);
      assert.ok(r.stdout.equals(chargenExpected(n)), "pattern");
    });

    test("half-close: the peer sends everything and its FIN first, then reads all the echo", async () => {
      const script = `
        const net = require("net");
        const data = Buffer.alloc(300000, 0).map((_, i) => (i * 31) & 255);
        const sock = net.connect({ host: "${STACK_IP}", port: 7, allowHalfOpen: true });
        const got = [];
        sock.on("connect", () => sock.end(data));
        sock.on("data", (d) => got.push(d));
        sock.on("end", () => { const b = Buffer.concat(got); console.log(b.equals(data) ? "same " + b.length : "DIFFERENT " + b.length); });
      `;
      const r = await s.ns.run(process.execPath, ["-e", script], undefined, 60_000);
      assert.equal(r.stdout.toString().trim(), "same 300000", r.stderr);
    });

    test("console: `quit` makes synack close first; its side is then in TIME-WAIT", async () => {
      const q = await s.ns.run("nc", [STACK_IP, "23"], "quit\n", 20_000);
      assert.match(q.stdout.toString(), /bye/);
      const c = await s.ns.run("nc", ["-N", STACK_IP, "23"], "conns\nquit\n", 20_000);
      const lines = c.stdout.toString().split("\n").filter((l) => /TIME-WAIT\s+10\.77\.0\.2:23/.test(l));
      assert.ok(lines.length >= 1, c.stdout.toString());
      const st = await s.ns.run("nc", ["-N", STACK_IP, "23"], "stats\nquit\n", 20_000);
      assert.match(st.stdout.toString(), /tcpPassiveOpens\s+\d+/);
    });
  });
}
