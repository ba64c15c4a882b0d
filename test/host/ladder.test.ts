// The demo's pictures: the ladder (crossing segments, width, A/C labels) and the labelled conns line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderLadder, labelConnsRow, LADDER_COLUMNS, type TraceEvent } from "../../host/cli/ladder.js";
import { timeWaitView, Interrupted } from "../../host/cli/demo.js";
import type { TcpSegment } from "../../host/link/wire.js";

const X = 1_000_000, Y = 3_000_000_000;
const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 };
function seg(seq: number, ack: number, flags: number, len = 0): TcpSegment {
  return { srcMac: "", dstMac: "", srcIp: "", dstIp: "", srcPort: 0, dstPort: 0, seq: seq >>> 0, ack: ack >>> 0,
    flags, ecn: 0, wnd: 0, mss: 0, wscale: -1, ts: null, sackOk: false, sack: [], optionKinds: [], data: new Uint8Array(len) };
}
const inn = (s: TcpSegment): TraceEvent => ({ kind: "in", seg: s });
const out = (s: TcpSegment): TraceEvent => ({ kind: "out", seg: s });
const st = (from: string, to: string): TraceEvent => ({ kind: "state", from, to, port: 7, remote: "10.77.0.1:40000" });

// The echo session: the PC sends 27 bytes and closes; synack echoes and closes; the PC's ACK of
// the echoed data was sent before synack's FIN reached it (the segments crossed).
const echo: TraceEvent[] = [
  inn(seg(X, 0, F.SYN)), st("LISTEN", "SYN-RECEIVED"), out(seg(Y, X + 1, F.SYN | F.ACK)),
  inn(seg(X + 1, Y + 1, F.ACK)), st("SYN-RECEIVED", "ESTABLISHED"),
  inn(seg(X + 1, Y + 1, F.PSH | F.ACK, 27)), out(seg(Y + 1, X + 28, F.ACK)),
  inn(seg(X + 28, Y + 1, F.FIN | F.ACK)), st("ESTABLISHED", "CLOSE-WAIT"), out(seg(Y + 1, X + 29, F.ACK)),
  out(seg(Y + 1, X + 29, F.PSH | F.ACK, 27)), st("CLOSE-WAIT", "LAST-ACK"), out(seg(Y + 28, X + 29, F.FIN | F.ACK)),
  inn(seg(X + 29, Y + 28, F.ACK)), // sent before our FIN arrived
  inn(seg(X + 29, Y + 29, F.ACK)), st("LAST-ACK", "CLOSED"),
];
const opts = { peerLabel: "10.77.0.1:40000 (Linux nc)", boardLabel: "10.77.0.2:7 (synack)" };

test("ladder: a peer segment that crossed our FIN is drawn in the state the peer was in", () => {
  const lines = renderLadder(echo, opts);
  const crossing = lines.find((l) => l.includes("ACK seq=A+1 ack=Y+28"))!;
  assert.ok(crossing, lines.join("\n"));
  assert.match(crossing, /^FIN-WAIT-2 /, crossing);
  const last = lines.find((l) => l.includes("ack=C+1"))!;
  assert.match(last, /^TIME-WAIT /, last);
});

test("ladder: every line within 100 columns, even with long transition chains", () => {
  const long = [...echo.slice(0, 3), inn(seg(X + 1, Y + 1, F.FIN | F.ACK)),
    st("SYN-RECEIVED", "ESTABLISHED"), st("ESTABLISHED", "CLOSE-WAIT"), st("CLOSE-WAIT", "LAST-ACK")];
  for (const ev of [echo, long]) {
    for (const l of renderLadder(ev, opts)) assert.ok([...l].length <= LADDER_COLUMNS, `${[...l].length}: ${l}`);
  }
});

test("ladder: the teardown's FINs are labelled A and C, the handshake's ISNs X and Y", () => {
  const lines = renderLadder(echo, opts).join("\n");
  assert.match(lines, /FIN,ACK seq=A ack=Y\+1/);
  assert.match(lines, /FIN,ACK seq=C ack=A\+1/);
  assert.match(lines, /ACK seq=A\+1 ack=C\+1/);
  assert.match(lines, /SYN seq=X\b/);
  assert.match(lines, /A = 1000028 is the first FIN's seq \(the peer's\), C = 3000000028 the second's \(synack's\)/);
  assert.match(lines, /ACK seq=Y\+1 ack=X\+28 /, "an ack of data before the FIN keeps its X name");
});

test("the conns line names its numbers", () => {
  const header = "id  state         local                  remote                    snd.una    snd.nxt    rcv.nxt  snd.wnd  rcv.wnd    rto";
  const row = " 3  TIME-WAIT     10.77.0.2:23           10.77.0.1:40000             100        101         55    64240     4096   1000";
  assert.equal(labelConnsRow(header, row),
    "id=3 state=TIME-WAIT local=10.77.0.2:23 remote=10.77.0.1:40000 snd.una=100 snd.nxt=101 rcv.nxt=55 snd.wnd=64240 rcv.wnd=4096 rto=1000");
});

test("demo: ss killed by Ctrl-C is an interruption, not a printed error", () => {
  const killed = { execSync: () => { throw Object.assign(new Error("Command failed: ip netns exec x ss"), { signal: "SIGINT" }); } };
  assert.throws(() => timeWaitView(killed), Interrupted);
  const missing = { execSync: () => { throw Object.assign(new Error("Command failed"), { status: 1 }); } };
  assert.equal(timeWaitView(missing), "(ss is not available)");
  assert.equal(timeWaitView({ execSync: () => "" }), "(none)");
});
