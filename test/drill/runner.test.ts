// synack drill on scripts written for other suites (issue 19): their syntax loads, what the runner
// cannot do is said as such, and packetdrill's outbound rule is an option beside the strict one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { runDrill } from "../../host/drill/run.js";
import { drillFiles } from "../../host/drill/report.js";
import { parseScript } from "../../host/drill/script.js";

const LISTEN = `--tolerance_usecs=4000
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  bind(3, ..., ...) = 0
+0  listen(3, 1) = 0
`;
const ESTABLISHED = LISTEN + `+0  < S 0:0(0) win 65535 <mss 1460>
+0  > S. 0:0(0) ack 1 <mss 1460>
+.1 < . 1:1(0) ack 1 win 65535
+0  accept(3, ..., ...) = 4
`;
const synack = (args: string[]) => spawnSync(process.execPath, [resolve(PACKAGE_ROOT, "bin/synack.js"), "drill", ...args], { encoding: "utf8" });

test("the suites' spellings load: '+ 0.00', 'write (3, ...)', a...b and +a...b times, a timeless backtick block", () => {
  const s = parseScript("`../common/defaults.sh\nsysctl -q x=1\n`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n" +
    "+ 0.00 write (3, ..., 10) = 10\n0.1...0.2 read(3, ..., 10) = 10\n+.01...0.011 connect(3, ..., ...) = 0\n+0...+0.5 accept(3, ..., ...) = 4\n");
  assert.deepEqual(s.events.map((e) => e.type), ["shell", "syscall", "syscall", "syscall", "syscall", "syscall"]);
  assert.equal(s.events[0].time.kind, "any");
  assert.deepEqual(s.events[2].time, { kind: "rel", ms: 0 });
  assert.equal((s.events[2] as unknown as { name: string }).name, "write");
  assert.deepEqual(s.events[3].time, { kind: "abs", ms: 100, returnMs: 200 });
  assert.deepEqual(s.events[4].time, { kind: "rel", ms: 10, returnMs: 11 });
  assert.deepEqual(s.events[5].time, { kind: "rel", ms: 0, returnMs: 500 });
});

test("a blocking call written a...b must return at b: data at 0.2 passes, data at 0.15 fails", () => {
  const script = (at: string) => ESTABLISHED + `0.1...0.2 read(4, ..., 10) = 10\n${at} < P. 1:11(10) ack 1 win 65535\n+.04 > . 1:1(0) ack 11\n`;
  const ok = runDrill(script("0.2"));
  assert.equal(ok.ok, true, JSON.stringify(ok.failure));
  const early = runDrill(script("0.15"));
  assert.equal(early.ok, false);
  assert.match(early.failure!.message, /read\(\) returned at 0\.150, expected at 0\.200/);
});

test("+a...b counts both from the previous event, as Linux's suite writes it (+0...0.100 after an event at 0.1)", () => {
  // accept() at 0.1; the read starts then and returns 0.1 s after it, when the data comes.
  const script = (delay: string) => ESTABLISHED + `+0...0.100 read(4, ..., 10) = 10\n${delay} < P. 1:11(10) ack 1 win 65535\n+.04 > . 1:1(0) ack 11\n`;
  const ok = runDrill(script("+.1"));
  assert.equal(ok.ok, true, JSON.stringify(ok.failure));
  assert.match(runDrill(script("+.2")).failure!.message, /read\(\) returned at 0\.300, expected at 0\.200/);
});

test("a blocking write returns once every byte is queued (the 4 KiB ring takes 6000 bytes after an ACK)", () => {
  const o = runDrill(ESTABLISHED + `+0 write(4, ..., 6000) = 6000
+0 > . 1:1461(1460) ack 1
+0 > . 1461:2921(1460) ack 1
+0 > P. 2921:4097(1176) ack 1
+.1 < . 1:1(0) ack 2921 win 65535
+0 > . 4097:5557(1460) ack 1
+.1 < . 1:1(0) ack 5557 win 65535
+0 > P. 5557:6001(444) ack 1
+.1 < . 1:1(0) ack 6001 win 65535
`);
  assert.equal(o.ok, true, JSON.stringify(o.failure));
  // Non-blocking, it returns what fitted.
  const nb = runDrill(ESTABLISHED + "+0 fcntl(4, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n+0 write(4, ..., 6000) = 4096\n", { outbound: "when-due" });
  assert.equal(nb.ok, true, JSON.stringify(nb.failure));
});

test("an unsupported call, socket option or TCP option is said as such, not as an errno", () => {
  const opt = runDrill(LISTEN + "+0 setsockopt(3, IPPROTO_TCP, TCP_NOOPT, [1], 4) = 0\n");
  assert.equal(opt.failure?.message, "unsupported: setsockopt TCP_NOOPT");
  const get = runDrill(LISTEN + "+0 getsockopt(3, IPPROTO_TCP, TCP_INFO, {tcpi_state=10}, [4]) = 0\n");
  assert.equal(get.failure?.message, "unsupported: getsockopt TCP_INFO");
  const call = runDrill(LISTEN + "+0 ioctl(3, SIOCINQ, [0]) = 0\n");
  assert.equal(call.failure?.message, "unsupported: ioctl()");
  const tcpOpt = runDrill(LISTEN + "+0 < S 0:0(0) win 65535 <mss 1460,FO abcd1234>\n");
  assert.equal(tcpOpt.failure?.message, "unsupported: TCP option FO abcd1234");
  const named = runDrill(LISTEN + "+0 < S 0:0(0) win 65535 <mss 1460>\n+0 > S. 0:0(0) ack 1 <mss MSS>\n");
  assert.equal(named.failure?.message, "unsupported: TCP option mss MSS");
});

test("--mtu=N in the header is reported when it is not the drill's 1500", () => {
  assert.ok(!runDrill("--mtu=1500\n" + LISTEN).notes.some((n) => /mtu/.test(n)));
  const o = runDrill("--mtu=1280\n" + LISTEN);
  assert.equal(o.ok, true);
  assert.ok(o.notes.some((n) => /^--mtu=1280 not honoured/.test(n)), o.notes.join("\n"));
});

test("packetdrill's outbound rule (--outbound-when-due) beside the strict default", () => {
  // The script never writes the SYN,ACK: strict fails at the next inbound line, when-due does not look.
  const script = LISTEN + "+0  < S 0:0(0) win 65535 <mss 1460>\n+.1 < . 1:1(0) ack 1 win 65535\n+0  accept(3, ..., ...) = 4\n";
  const strict = runDrill(script);
  assert.equal(strict.ok, false);
  assert.match(strict.failure!.message, /unexpected packet before line 6/);
  const due = runDrill(script, { outbound: "when-due" });
  assert.equal(due.ok, true, JSON.stringify(due.failure));
  // A segment after the last line: strict fails, when-due does not.
  const after = ESTABLISHED + "+0 write(4, ..., 10) = 10\n";
  assert.match(runDrill(after).failure!.message, /after the last line/);
  assert.equal(runDrill(after, { outbound: "when-due" }).ok, true);
  // An outbound line still compares, in either mode.
  assert.equal(runDrill(ESTABLISHED + "+0 write(4, ..., 10) = 10\n+0 > P. 1:9(8) ack 1\n", { outbound: "when-due" }).ok, false);
});

test("the SO_REUSEADDR note comes once per run, not with every failure", () => {
  const dir = mkdtempSync(join(tmpdir(), "drill-"));
  try {
    const files = [1, 2, 3].map((i) => {
      const f = join(dir, `bad${i}.pkt`);
      writeFileSync(f, LISTEN.replace("+0  bind", "+0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n+0  bind") + "+0 < S 0:0(0) win 65535\n+0 > S. 0:0(0) ack 9\n");
      return f;
    });
    const r = drillFiles(files);
    assert.equal(r.failed, 3);
    assert.equal(r.text.match(/SO_REUSEADDR accepted and ignored/g)?.length, 1, r.text);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("synack drill --help, and a missing file is a usage error (exit 2), not a failed script", () => {
  const help = synack(["--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage: synack drill .*--outbound-when-due/);
  const missing = synack(["/nonexistent/x.pkt"]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^synack: no such script: \/nonexistent\/x\.pkt/);
  assert.equal(missing.stdout, "");
});
