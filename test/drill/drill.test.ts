// synack drill: every script in test/drill passes, and the runner can fail (wrong segment,
// unexpected segment, wrong time, wrong call result), with the line, expected and seen segments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { runDrill } from "../../host/drill/run.js";
import { drillFiles } from "../../host/drill/report.js";
import { parseScript } from "../../host/drill/script.js";

const DIR = resolve(PACKAGE_ROOT, "test/drill");
const scripts = (readdirSync(DIR, { recursive: true }) as string[]).filter((f) => f.endsWith(".pkt")).sort().map((f) => join(DIR, f));

test(`all ${scripts.length} scripts in test/drill pass (the RFC 9293 table and the scenarios)`, () => {
  assert.ok(scripts.length >= 290, `${scripts.length} scripts`);
  const r = drillFiles(scripts);
  assert.equal(r.failed, 0, r.text.split("\n").filter((l) => !l.startsWith("ok")).join("\n"));
  assert.match(r.text, new RegExp(`\\n${scripts.length} passed, 0 failed\\n$`));
});

test("the RFC 9293 table's TIME-WAIT cells, the socket closed: the same answers from a TIME-WAIT record", () => {
  const cells = scripts.filter((f) => f.includes("/table/time-wait/"));
  assert.equal(cells.length, 32);
  for (const f of cells) {
    const text = readFileSync(f, "utf8");
    assert.match(text, /shutdown\(4, SHUT_WR\)/);
    // close() instead of shutdown(): no user holds the connection, so TIME-WAIT is a record.
    const o = runDrill(text.replace("shutdown(4, SHUT_WR)", "close(4)").replace(/^.*tcpi_state.*$/gm, ""));
    assert.equal(o.ok, true, `${f}: ${JSON.stringify(o.failure)}`);
  }
});

const HANDSHAKE = `--tolerance_usecs=4000
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  bind(3, ..., ...) = 0
+0  listen(3, 1) = 0
+0  < S 0:0(0) win 65535 <mss 1460>
`;

test("a wrong expectation fails with its line, the segment expected and the one seen", () => {
  const o = runDrill(HANDSHAKE + "+0  > S. 0:0(0) ack 2 <mss 1460>\n");
  assert.equal(o.ok, false);
  assert.equal(o.failure!.line, 6);
  assert.match(o.failure!.message, /ack 1, expected 2/);
  assert.equal(o.failure!.expected, "> S. 0:0(0) ack 2 <mss 1460>");
  assert.match(o.failure!.seen!, /^> S\. 0:0\(0\) ack 1 win 4096 <mss 1460> at 0\.000$/);
});

test("a segment the script did not expect fails the script", () => {
  const o = runDrill(HANDSHAKE + "+.1 %{ assert tcpi_state == TCP_LISTEN }%\n");
  assert.equal(o.ok, false);
  assert.match(o.failure!.message, /unexpected packet/);
  assert.match(o.failure!.seen!, /^> S\. /);
});

test("a segment at the wrong time fails: too early, and too late", () => {
  const early = runDrill(HANDSHAKE + "+.5 > S. 0:0(0) ack 1 <mss 1460>\n");
  assert.equal(early.ok, false);
  assert.match(early.failure!.message, /too early/);
  // The SYN-ACK's first retransmission comes after 1 s, not 0.5 s.
  const late = runDrill(HANDSHAKE + "+0 > S. 0:0(0) ack 1 <mss 1460>\n+.5 > S. 0:0(0) ack 1 <mss 1460>\n");
  assert.equal(late.ok, false);
  assert.match(late.failure!.message, /too early|not sent/);
  const right = runDrill(HANDSHAKE + "+0 > S. 0:0(0) ack 1 <mss 1460>\n+1 > S. 0:0(0) ack 1 <mss 1460>\n");
  assert.equal(right.ok, true, JSON.stringify(right.failure));
});

test("a call with the wrong result fails", () => {
  const o = runDrill(HANDSHAKE + "+0 > S. 0:0(0) ack 1 <mss 1460>\n+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n+0 accept(3, ..., ...) = 4\n");
  assert.equal(o.ok, false);
  assert.match(o.failure!.message, /accept\(\) returned -1 EAGAIN/);
});

test("--tolerant ignores other stacks' options and windows in outbound segments, and says so", () => {
  const linuxish = HANDSHAKE + "+0  > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>\n" +
    "+0  getsockopt(3, SOL_SOCKET, SO_RCVBUF, [131072], [4]) = 0\n";
  assert.equal(runDrill(linuxish).ok, false);
  const o = runDrill(linuxish, { tolerant: true });
  assert.equal(o.ok, true, JSON.stringify(o.failure));
  assert.ok(o.notes.some((n) => /tolerant/.test(n)));
  // The MSS is still checked.
  assert.equal(runDrill(HANDSHAKE + "+0 > S. 0:0(0) ack 1 <mss 536,sackOK>\n", { tolerant: true }).ok, false);
});

test("the language: header options, #ifdef STANDARD, comments, times, backtick lines, %{ }%", () => {
  const s = parseScript(`--ip_version=ipv4
--tolerance_usecs=75000
// a comment
 0.00 \`sysctl -w x=1\`
#ifdef STANDARD
+0.1 < S. 0:0(0) ack 1 win 32767 <mss 1460,sackOK,eol,eol> // trailing comment
#else
+0.1 < R 0:0(0) win 0
#endif
#ifndef STANDARD
+0 close(3) = 0
#endif
* > . 1:1(0) ack 1 <...>
0.5~0.7 read(4, ..., 10) = -1 ECONNRESET (Connection reset by peer)
+0 %{
assert tcpi_state == TCP_CLOSE
}%
`);
  assert.deepEqual(s.options, { ip_version: "ipv4", tolerance_usecs: "75000" });
  assert.deepEqual(s.events.map((e) => e.type), ["shell", "packet", "packet", "syscall", "code"]);
  const syn = s.events[1] as unknown as { flags: string; time: { kind: string; ms: number }; options: { kind: string }[] };
  assert.equal(syn.flags, "S.");
  assert.deepEqual(syn.time, { kind: "rel", ms: 100 });
  assert.deepEqual(syn.options.map((o) => o.kind), ["mss", "sackOK", "eol", "eol"]);
  assert.equal((s.events[2] as unknown as { options: string }).options, "any");
  assert.deepEqual(s.events[3].time, { kind: "abs", ms: 500, endMs: 700 });
  assert.equal((s.events[3] as unknown as { errno: string }).errno, "ECONNRESET");
  assert.equal((s.events[4] as unknown as { code: string }).code, "assert tcpi_state == TCP_CLOSE");
});

test("synack drill FILE...: a failing script's report and the last line, exit 1", () => {
  const dir = mkdtempSync(join(tmpdir(), "drill-"));
  try {
    const bad = join(dir, "bad.pkt");
    writeFileSync(bad, HANDSHAKE + "+0  > S. 0:0(0) ack 1 win 1 <mss 1460>\n");
    const r = spawnSync(process.execPath, [resolve(PACKAGE_ROOT, "bin/synack.js"), "drill", scripts[0], bad], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /FAIL {2}.*bad\.pkt:6: window 4096, expected 1/);
    assert.match(r.stdout, /expected: > S\. 0:0\(0\) ack 1 win 1 <mss 1460>/);
    assert.match(r.stdout, /1 passed, 1 failed\n$/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
