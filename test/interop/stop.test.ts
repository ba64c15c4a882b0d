// Stopping synack serve and the flags a user meets first, over a real TAP against Linux:
// SIGTERM closes connections so Linux is not left hanging, DHCP without a server says so, and
// --pcap works with --board native.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { tmpdir } from "node:os";
import { readFileSync, rmSync } from "node:fs";
import { isRoot, createNetns, STACK_IP } from "../../host/link/netns.js";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { serveInNetns, ENGINES } from "../lib/served.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const engine of ENGINES) test(`SIGTERM on serve (${engine}): Linux's connections are closed (FIN, then RST), none left hanging`, { skip }, async () => {
  const s = await serveInNetns(engine);
  const kids: { kill(sig: NodeJS.Signals): void; pid?: number }[] = [];
  try {
    // An idle echo session and a client streaming into discard, both open when synack stops.
    const echo = s.ns.spawn("nc", [STACK_IP, "7"], { stdio: ["pipe", "pipe", "ignore"] });
    kids.push(echo);
    echo.stdin!.write("hello\n");
    const flood = s.ns.spawn("sh", ["-c", `head -c 4000000 /dev/zero | nc ${STACK_IP} 9`], { stdio: "ignore", detached: true });
    kids.push({ kill: (sig) => { try { process.kill(-flood.pid!, sig); } catch { /* gone */ } } });
    // Both connected (a first SYN can be lost on a busy machine: Linux retries after 1 s).
    let before = "";
    for (let t = 0; t < 8000 && (before.match(/ESTAB/g) ?? []).length < 2; t += 100) {
      await sleep(100);
      before = s.ns.execSync("ss", ["-tanH", "dst", STACK_IP]);
    }
    assert.equal((before.match(/ESTAB/g) ?? []).length, 2, before);
    const gone = new Promise((r) => s.child.once("exit", r));
    s.child.kill("SIGTERM");
    await Promise.race([gone, sleep(5000)]);
    assert.notEqual(s.child.exitCode, null, "serve exited");
    await sleep(300);
    const after = s.ns.execSync("ss", ["-tanH", "dst", STACK_IP]);
    assert.doesNotMatch(after, /ESTAB|FIN-WAIT-1|CLOSE-WAIT|LAST-ACK|SYN/, `Linux still waiting on synack:\n${after}`);
  } finally {
    for (const k of kids) k.kill("SIGKILL");
    await s.stop();
  }
});

test("serve --dhcp with no DHCP server says that it is asking, and keeps the MAC for the TAP", { skip }, async () => {
  const ns = createNetns("q");
  const serve = ns.spawn(process.execPath, [resolve(PACKAGE_ROOT, "bin/synack.js"), "serve", "--tap", ns.tap, "--dhcp"],
    { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const err = await new Promise<string>((res, rej) => {
      let e = "";
      const timer = setTimeout(() => rej(new Error(`nothing said: ${e}`)), 5000);
      serve.stderr!.on("data", (d) => { e += d; if (/asking for a DHCP lease/.test(e)) { clearTimeout(timer); res(e); } });
    });
    assert.match(err, /asking for a DHCP lease on tap0 \(mac 02:53:4b:/);
  } finally {
    serve.kill("SIGKILL");
    ns.destroy();
  }
});

test("--pcap with --board native writes the frames of the session", { skip }, async () => {
  const file = resolve(tmpdir(), `synack-native-${process.pid}.pcap`);
  const s = await serveInNetns("native", ["--pcap", file]);
  try {
    const r = await s.ns.run("nc", ["-N", STACK_IP, "7"], "captured\n", 15_000);
    assert.equal(r.stdout.toString(), "captured\n");
    await sleep(300);
  } finally { await s.stop(); }
  try {
    const b = readFileSync(file);
    assert.equal(b.readUInt32LE(0) === 0xa1b2c3d4 || b.readUInt32LE(0) === 0xa1b23c4d, true, "a pcap file");
    assert.ok(b.includes(Buffer.from("captured\n")), "the echoed bytes are in the capture");
  } finally { rmSync(file, { force: true }); }
});
