// examples/ run as a user runs them: the package imported by name ("synack"), also from another
// directory that installed it by path; the TAP examples against Linux nc, curl and python3.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { isRoot, createNetns, Netns, LINUX_IP, STACK_IP, PREFIX } from "../../host/link/netns.js";
import { stopHolding, linuxSockets } from "../lib/signals.js";

const EX = resolve(PACKAGE_ROOT, "examples");
const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";

test("in-memory example: two stacks in one process greet each other", () => {
  const out = execFileSync(process.execPath, [join(EX, "in-memory.mjs")], { encoding: "utf8", timeout: 20_000 });
  assert.equal(out, "hello 10.0.0.2\n");
});

test("installed by path in another project: import { openStack } from \"synack\", with types", () => {
  const dir = mkdtempSync(join(tmpdir(), "synack-user-"));
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "user", version: "1.0.0", type: "module", private: true }));
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", PACKAGE_ROOT], { cwd: dir, stdio: "pipe", timeout: 60_000 });
    writeFileSync(join(dir, "main.ts"), [
      'import { openStack, MemoryLink, type Socket } from "synack";',
      "const [a, b] = MemoryLink.pair();",
      'const s1 = await openStack({ link: a, ip: "10.1.0.1/24" });',
      'const s2 = await openStack({ link: b, ip: "10.1.0.2/24" });',
      's1.createServer((s: Socket) => s.end("typed")).listen(99);',
      'const c = s2.connect({ host: "10.1.0.1", port: 99 });',
      'c.on("data", (d: Buffer) => process.stdout.write(d));',
      'c.on("close", () => { s1.close(); s2.close(); });',
      "export {};",
    ].join("\n"));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true, types: ["node"], typeRoots: [resolve(PACKAGE_ROOT, "node_modules/@types")] } }));
    execFileSync(process.execPath, [resolve(PACKAGE_ROOT, "node_modules/typescript/bin/tsc"), "-p", dir], { cwd: dir, stdio: "pipe" });
    const out = execFileSync(process.execPath, [join(dir, "main.js")], { cwd: dir, encoding: "utf8", timeout: 20_000 });
    assert.equal(out, "typed");
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

/** Start an example against the namespace's TAP; resolves when it prints its ready line. */
function startExample(ns: Netns, board: string, file: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(EX, file), ns.tap, `${STACK_IP}/${PREFIX}`, ...args],
    { env: { ...process.env, SYNACK_NETNS: ns.name, SYNACK_BOARD: board }, stdio: ["pipe", "pipe", "pipe"], detached: true });
  return new Promise((res, rej) => {
    let out = "";
    const t = setTimeout(() => rej(new Error(`${file}: no ready line: ${out}`)), 15_000);
    child.stdout!.on("data", (d) => { out += d; if (ready.test(out)) { clearTimeout(t); res(child); } });
    child.stderr!.on("data", (d) => { out += d; });
    child.on("exit", (c) => { clearTimeout(t); rej(new Error(`${file} exited ${c}: ${out}`)); });
  });
}
function stop(c: ChildProcess | undefined): void { if (c?.pid && c.exitCode === null) try { process.kill(-c.pid, "SIGKILL"); } catch { /* gone */ } }

// The same programs with the module in V8, in the native board's firmware (SYNACK_BOARD=native),
// and (echo, client, Ctrl-C: QEMU is slower) on the emulated board.
for (const board of ["v8", "native", "xtensa"]) describe(`examples over a TAP against Linux (board ${board})`, { skip }, () => {
  let ns: Netns;
  before(() => { ns = createNetns("ex"); });
  after(() => ns?.destroy());

  test("echo-server.mjs answers nc byte for byte", async () => {
    const child = await startExample(ns, board, "echo-server.mjs", ["7007"], /listening/);
    try {
      const data = "x".repeat(20000) + "end\n";
      const r = await ns.run("nc", ["-N", STACK_IP, "7007"], data, 20_000);
      assert.equal(r.stdout.toString(), data);
    } finally { stop(child); }
  });

  if (board !== "xtensa") test("http-server.mjs: curl gets two pages over one keep-alive connection", async () => {
    const child = await startExample(ns, board, "http-server.mjs", ["8080"], /listening/);
    try {
      const url = `http://${STACK_IP}:8080/`;
      const r = await ns.run("curl", ["-sS", "-v", url, url], undefined, 20_000);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.toString(), /request 1 on port 8080\n.*request 2 on port 8080/s);
      assert.match(r.stderr, /Re-using existing connection|Reusing existing/);
    } finally { stop(child); }
  });

  test("echo-server.mjs: Ctrl-C sends the open connection a FIN, resets it after the grace, and the program exits 0", async () => {
    const child = await startExample(ns, board, "echo-server.mjs", ["7008"], /listening/);
    try {
      const r = await stopHolding(ns, child, 7008, ["SIGINT"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.afterFirst, /CLOSE-WAIT/, "Linux got a FIN first");
      assert.match(r.err, /reset 1 connection\(s\) still closing after 2000 ms/);
      assert.equal(linuxSockets(ns, 7008).trim(), "");
    } finally { stop(child); }
  });

  if (board !== "xtensa") test("http-server.mjs: SIGTERM twice resets the open connection at once and the program exits 0", async () => {
    const child = await startExample(ns, board, "http-server.mjs", ["8081"], /listening/);
    try {
      const r = await stopHolding(ns, child, 8081, ["SIGTERM", "SIGTERM"], "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /SIGTERM: closing connections/);
      assert.match(r.err, /reset 1 connection\(s\) at once, as asked/);
      assert.equal(linuxSockets(ns, 8081).trim(), "");
    } finally { stop(child); }
  });

  if (board !== "xtensa") test("udp-echo.mjs sends python3's datagrams back, from its own port", async () => {
    const child = await startExample(ns, board, "udp-echo.mjs", ["7777"], /listening/);
    try {
      const r = await ns.run("python3", ["-c", [
        "import socket", "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)", "s.settimeout(5)",
        "for m in [b'ping', bytes(range(256))*4]:",
        `  s.sendto(m, ("${STACK_IP}", 7777)); d,a=s.recvfrom(2000); print(d==m, a[0], a[1])`,
      ].join("\n")], undefined, 20_000);
      assert.equal(r.stdout.toString(), `True ${STACK_IP} 7777\n`.repeat(2), r.stderr);
    } finally { stop(child); }
  });

  test("client.mjs talks to a Linux server and prints its answer", async () => {
    const server = ns.spawn("python3", ["-c", [
      "import socket", "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
      `s.bind(("${LINUX_IP}", 8000)); s.listen(1); print("up", flush=True)`,
      "c,_=s.accept(); d=b''",
      "while not d.endswith(b'\\n'): d+=c.recv(100)",
      "c.sendall(b'pong: '+d); c.close()",
    ].join("\n")], { stdio: ["ignore", "pipe", "inherit"], detached: true });
    try {
      await new Promise((r) => server.stdout!.once("data", r));
      const child = spawn(process.execPath, [join(EX, "client.mjs"), ns.tap, `${STACK_IP}/${PREFIX}`, LINUX_IP, "8000"],
        { env: { ...process.env, SYNACK_NETNS: ns.name, SYNACK_BOARD: board }, stdio: ["pipe", "pipe", "inherit"], detached: true });
      let out = "";
      child.stdout!.on("data", (d) => { out += d; });
      child.stdin!.end("ping\n");
      const code = await new Promise((r) => { const t = setTimeout(() => { stop(child); r("timeout"); }, 20_000); child.on("exit", (c) => { clearTimeout(t); r(c); }); });
      assert.equal(code, 0);
      assert.equal(out, "pong: ping\n");
    } finally { stop(server); }
  });
});
