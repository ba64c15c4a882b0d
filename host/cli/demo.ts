// npm start: boot synack in a namespace of its own, run real nc sessions against it, and draw
// their handshakes and teardowns as ladders from the frames that crossed the TAP.
import { Stack } from "../engine/stack.js";
import { Runner } from "../engine/runner.js";
import { TapLink } from "../link/tap.js";
import { createNetns, isRoot, LINUX_IP, STACK_IP, PREFIX, Netns } from "../link/netns.js";
import { parseTcpFrame } from "../link/wire.js";
import { renderLadder, labelConnsRow, TraceEvent } from "./ladder.js";

const STATE_LINE = /^tcp \d+ (\d+) ([\d.]+):(\d+) (\S+) -> (\S+)$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Segments and state changes seen by the host, for the ladders. */
class Recorder {
  events: TraceEvent[] = [];
  inFrame(f: Uint8Array): void { const seg = parseTcpFrame(f); if (seg) this.events.push({ kind: "in", seg }); }
  outFrame(f: Uint8Array): void { const seg = parseTcpFrame(f); if (seg) this.events.push({ kind: "out", seg }); }
  log(line: string): void {
    const m = STATE_LINE.exec(line);
    if (m) this.events.push({ kind: "state", port: Number(m[1]), remote: `${m[2]}:${m[3]}`, from: m[4], to: m[5] });
  }
  /** The events of the connection between synack's port and the peer's port. */
  connection(port: number, peerPort: number): TraceEvent[] {
    return this.events.filter((e) => e.kind === "state"
      ? e.port === port && e.remote.endsWith(`:${peerPort}`)
      : (e.kind === "in" ? e.seg.dstPort === port && e.seg.srcPort === peerPort
                         : e.seg.srcPort === port && e.seg.dstPort === peerPort));
  }
  /** The peer port of the latest connection to synack's port. */
  lastPeerPort(port: number): number | null {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.kind === "in" && e.seg.dstPort === port) return e.seg.srcPort;
    }
    return null;
  }
}

function show(title: string, rec: Recorder, port: number, peer: string): void {
  const peerPort = rec.lastPeerPort(port);
  console.log(`\n── ${title} ──\n`);
  if (peerPort === null) { console.log("(no segments seen)"); return; }
  const lines = renderLadder(rec.connection(port, peerPort), {
    peerLabel: `${LINUX_IP}:${peerPort} (${peer})`,
    boardLabel: `${STACK_IP}:${port} (synack)`,
  });
  for (const l of lines) console.log(l);
}

/** Words into lines of at most width columns. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const w of text.split(" ")) {
    if (cur && cur.length + 1 + w.length > width) { lines.push(cur); cur = w; } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** Interrupted by the user (Ctrl-C reached a command the demo was running): exit quietly. */
export class Interrupted extends Error {}

/** Linux's TIME-WAIT sockets as ss lists them; a Ctrl-C that kills ss is an interruption, not an error. */
export function timeWaitView(ns: Pick<Netns, "execSync">): string {
  let tw: string;
  try { tw = ns.execSync("ss", ["-tanH", "state", "time-wait"]).trim(); }
  catch (e) {
    if ((e as { signal?: string }).signal || (e as { status?: number }).status === 130) throw new Interrupted("interrupted");
    return "(ss is not available)";
  }
  return tw ? tw.replace(/\s+/g, " ") : "(none)";
}

async function sessions(ns: Netns, stack: Stack, rec: Recorder): Promise<boolean> {
  let ok = true;
  // 1. Echo: the PC's nc sends a line and closes first (-N), as the article's client does.
  const msg = "Hello, synack! 你好 TCP\n";
  const echo = await ns.run("nc", ["-N", "-w", "5", STACK_IP, "7"], msg, 15_000);
  await sleep(300);
  const back = echo.stdout.toString();
  show("echo (port 7): three-way handshake, data, the PC closes first", rec, 7, "Linux nc");
  console.log(`\n  sent ${JSON.stringify(msg)}, got back ${JSON.stringify(back)}: ${back === msg ? "identical" : "DIFFERENT"}`);
  console.log(`  Linux's own view (ss, state time-wait): ${timeWaitView(ns)}`);
  ok &&= back === msg;

  // 2. Console: `quit` makes synack close first, so its side goes through FIN-WAIT and TIME-WAIT.
  const con = await ns.run("nc", ["-w", "5", STACK_IP, "23"], "quit\n", 15_000);
  await sleep(300);
  show("console (port 23): `quit`, synack closes first", rec, 23, "Linux nc");
  const table = stack.connsText().split("\n");
  const mine = table.filter((l) => l.includes("TIME-WAIT")).map((l) => labelConnsRow(table[0], l));
  console.log(`\n  console said: ${JSON.stringify(con.stdout.toString().trim().split("\n").pop())}`);
  console.log(`  synack's own view (conns):`);
  for (const l of wrap(mine.length ? mine[0] : "(no TIME-WAIT)", 94)) console.log(`    ${l}`);
  ok &&= mine.length > 0;
  return ok;
}

export async function demo(): Promise<number> {
  if (!isRoot()) throw new Error("npm start needs root: it creates a network namespace and a TAP device");
  const ns = createNetns("demo");
  let runner: Runner | null = null;
  try {
    const rec = new Recorder();
    const link = await TapLink.open(ns.tap, ns.name);
    const stack = new Stack({ ip: STACK_IP, prefixLen: PREFIX, onLog: (l) => rec.log(l), onSend: (f) => rec.outFrame(f) });
    runner = new Runner(stack, link);
    const deliver = link.onFrame;
    link.onFrame = (f) => { rec.inFrame(f); deliver(f); };
    runner.start();
    console.log(`synack demo: namespace ${ns.name}: Linux ${LINUX_IP} on ${ns.tap} <-> synack ${STACK_IP}`);
    console.log(`(the same synack.wasm the board runs)`);
    const ok = await sessions(ns, stack, rec);
    if (process.stdout.isTTY && process.stdin.isTTY) {
      console.log(`\nsynack keeps serving. In another terminal, as root:`);
      console.log(`  ip netns exec ${ns.name} nc ${STACK_IP} 7     # echo; 9 discard, 19 chargen, 23 console`);
      console.log(`Ctrl-C removes the namespace and everything in it.`);
      await new Promise<void>((res) => { process.once("SIGINT", () => res()); process.once("SIGTERM", () => res()); });
    }
    return ok ? 0 : 1;
  } finally {
    runner?.stop();
    ns.destroy();
  }
}
