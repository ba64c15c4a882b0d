// Every Node example in docs/api.md runs as written (inside a namespace holding tap0, as the docs
// assume), and does what it shows: the echo servers echo, the UDP echo answers, the in-memory
// stacks come up. A block that uses `net` without making it gets the first block's line first;
// one without an import gets the docs' import.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { PACKAGE_ROOT } from "../../host/root.js";
import { isRoot, createNetns, STACK_IP, LINUX_IP } from "../../host/link/netns.js";

const doc = readFileSync(resolve(PACKAGE_ROOT, "docs/api.md"), "utf8");
const blocks = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("docs/api.md has its Node examples (a change that drops them fails here)", () => {
  assert.ok(blocks.length >= 4, `${blocks.length} js blocks`);
});

blocks.forEach((code, i) => test(`docs/api.md example ${i + 1} runs: ${code.split("\n").find((l) => /\S/.test(l) && !l.startsWith("import"))!.trim().slice(0, 70)}`,
  { skip: isRoot() ? false : "needs root for the namespace and TAP the examples assume" }, async () => {
  // Inside the package, so `import ... from "synack"` resolves to this checkout (as the examples do).
  const dir = resolve(PACKAGE_ROOT, "build/docs-examples");
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `example-${i + 1}.mjs`);
  let prog = code;
  if (/\bnet\./.test(prog) && !/const net =/.test(prog)) prog = `const net = await openStack({ tap: "tap0", ip: "10.77.0.2/24" });\n${prog}`;
  if (!/^import /m.test(prog)) prog = `import { openStack, MemoryLink } from "synack";\n${prog}`;
  writeFileSync(file, prog);
  const ns = createNetns("doc");
  const child = ns.spawn(process.execPath, [file], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let err = "";
  child.stderr!.on("data", (d) => { err += d; });
  child.stdout!.on("data", () => {});
  try {
    await sleep(1500); // attached by now (or failed)
    assert.equal(child.exitCode, null, `example ${i + 1} stopped: ${err}\n${prog}`);
    const tcp = /\.listen\((\d+)\)/.exec(prog), udp = /\.bind\((\d+)\)/.exec(prog);
    if (tcp) {
      const r = await ns.run("nc", ["-N", STACK_IP, tcp[1]], "as the docs say\n", 20_000);
      assert.equal(r.stdout.toString(), "as the docs say\n", `echo on ${tcp[1]}: ${r.stderr} ${err}`);
    }
    if (udp) {
      const r = await ns.run("python3", ["-c", [
        "import socket", "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)", "s.settimeout(5)",
        `s.bind(("${LINUX_IP}", 40124)); s.sendto(b"ping", ("${STACK_IP}", ${udp[1]})); print(s.recvfrom(100)[0])`,
      ].join("\n")], undefined, 20_000);
      assert.equal(r.stdout.toString(), "b'ping'\n", r.stderr + err);
    }
    assert.equal(err, "", "nothing on stderr");
  } finally {
    const gone = child.exitCode !== null || child.signalCode !== null ? null : new Promise((r) => child.once("exit", r));
    try { process.kill(-child.pid!, "SIGKILL"); } catch { /* gone */ }
    await gone;
    ns.destroy();
    rmSync(file, { force: true });
  }
}));
