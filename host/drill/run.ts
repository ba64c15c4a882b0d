// Run one drill script against the module in memory, on a virtual clock: inbound packets are
// injected at their times, outbound ones must appear within the tolerance of theirs, system
// calls go to the module's socket ABI, and nothing else may be sent in between.
import { Stack, ManualClock } from "../engine/stack.js";
import { arpFrame, PEER_IP, MODULE_IP, MODULE_MAC, TEST_LAYOUT } from "./peer.js";
import { parseScript, ScriptError, type Event, type PacketEvent, type SyscallEvent, type ShellEvent } from "./script.js";
import { inboundFrame, readOutbound, mismatch, expectedText, seenText, knownOption, type Seen, type Tuple } from "./packet.js";
import { Sockets, ERRNO, DRILL_PORT, type CallResult } from "./syscalls.js";
import { STATES } from "../engine/abi.js";

export interface Failure { line: number; message: string; expected?: string; seen?: string }
export interface Outcome { ok: boolean; failure?: Failure; notes: string[] }
/**
 * outbound "strict" (the default): a segment the script does not expect fails it, also one sent
 * before an inbound line or after the last line; "when-due": as packetdrill, outbound segments are
 * only looked at when an outbound line is due (they are matched in order then).
 */
export interface DrillOptions { tolerant?: boolean; wasmPath?: string; outbound?: "strict" | "when-due" }

const START_MS = 1_000_000; // the module's clock at script time 0
const PEER_ISN = 0; // the scripted peer's sequence numbers are written as they go on the wire
const ANY_WAIT_MS = 600_000; // how long a "*" packet may take

// Linux's state names; FreeBSD's are the RFC's with TCPI_ (or the kernel's TCPS_) in front.
const TCPI: Record<string, string> = {
  TCP_CLOSE: "CLOSED", TCP_LISTEN: "LISTEN", TCP_SYN_SENT: "SYN-SENT", TCP_SYN_RECV: "SYN-RECEIVED",
  TCP_ESTABLISHED: "ESTABLISHED", TCP_FIN_WAIT1: "FIN-WAIT-1", TCP_FIN_WAIT2: "FIN-WAIT-2",
  TCP_CLOSE_WAIT: "CLOSE-WAIT", TCP_CLOSING: "CLOSING", TCP_LAST_ACK: "LAST-ACK", TCP_TIME_WAIT: "TIME-WAIT",
};
for (const st of ["CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "CLOSE-WAIT", "FIN-WAIT-1", "CLOSING",
  "LAST-ACK", "FIN-WAIT-2", "TIME-WAIT"]) {
  TCPI[`TCPI_${st.replace(/-/g, "_")}`] = st;
  TCPI[`TCPS_${st.replace(/-/g, "_")}`] = st;
}
// Linux's tcpi_state numbers.
const TCPI_NUM = ["", "ESTABLISHED", "SYN-SENT", "SYN-RECEIVED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED",
  "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING"];
/** Options of the header this runner takes; any other is noted as not honoured. */
const HEADER_OPTIONS = new Set(["ip_version", "tolerance_usecs", "mtu"]);
const LINK_MTU = 1500;

class Fail extends Error {
  constructor(readonly f: Failure) { super(f.message); }
}

interface Sent { at: number; seen: Seen }

export class DrillRun {
  private readonly clock = new ManualClock();
  private readonly stack: Stack;
  private readonly sockets: Sockets;
  private readonly out: Sent[] = [];
  private readonly tuple: Tuple = { modulePort: DRILL_PORT, peerPort: 40000, peerIsn: PEER_ISN, localIsn: 0 };
  private localIsnKnown = false;
  private arpAsked = false;
  private pending: { ev: SyscallEvent & Event; returnAt?: number } | null = null;
  readonly notes: string[] = [];
  private tolMs = 4;

  constructor(private readonly opts: DrillOptions = {}) {
    this.clock.t = START_MS;
    let seed = 0x5eed;
    this.stack = new Stack({
      ip: MODULE_IP, prefixLen: 24, mac: MODULE_MAC, clock: this.clock, wasmPath: opts.wasmPath,
      layout: TEST_LAYOUT, // ten slots, 4 KiB rings each way: the buffer sizes the scripts are written for
      onSend: (f) => this.onSend(f),
      random: () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed; },
    });
    this.sockets = new Sockets(this.stack, PEER_IP);
    this.stack.receive(arpFrame({ op: 1 })); // the module learns the peer's MAC
    this.out.length = 0;
  }

  /** Script time now, in ms. */
  private get now(): number { return this.clock.t - START_MS; }

  private onSend(f: Uint8Array): void {
    const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
    if (f.length >= 42 && v.getUint16(12) === 0x0806) { this.arpAsked = true; return; }
    const s = readOutbound(f, this.tuple);
    if (!s) return; // ICMP and the rest are not part of a TCP script
    if ((s.flags & 0x02) && !this.localIsnKnown) { // the module's SYN or SYN-ACK fixes its ISN
      this.tuple.localIsn = s.absSeq;
      this.localIsnKnown = true;
      s.seq = 0;
      if (!(s.flags & 0x10)) { this.tuple.modulePort = s.srcPort; this.tuple.peerPort = s.dstPort; }
    }
    this.out.push({ at: this.now, seen: s });
  }

  private settle(): void {
    this.stack.poll();
    while (this.arpAsked) { this.arpAsked = false; this.stack.receive(arpFrame({ op: 2 })); this.stack.poll(); }
    this.retryPending();
  }

  /** Let module time pass up to script time t (ms), stopping early once something is sent. */
  private advanceTo(t: number, stopOnOutput = false): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      if (stopOnOutput && this.out.length) return;
      const d = Math.max(1, this.stack.poll());
      if (stopOnOutput && this.out.length) return;
      if (this.now + d >= t) { if (t > this.now) this.clock.t = START_MS + t; this.settle(); return; }
      this.clock.t += d;
      this.settle();
    }
  }

  run(text: string): Outcome {
    try {
      const script = parseScript(text);
      if (script.options.ip_version && script.options.ip_version !== "ipv4") {
        throw new Fail({ line: 1, message: `--ip_version=${script.options.ip_version}: synack speaks IPv4 only` });
      }
      if (script.options.tolerance_usecs) this.tolMs = Number(script.options.tolerance_usecs) / 1000;
      const mtu = script.options.mtu;
      if (mtu !== undefined && Number(mtu) !== LINK_MTU) {
        this.notes.push(`--mtu=${mtu} not honoured: the drill's link MTU is ${LINK_MTU} (segments follow the peer's MSS)`);
      }
      for (const k of Object.keys(script.options)) if (!HEADER_OPTIONS.has(k)) this.notes.push(`--${k} not honoured`);
      if (this.opts.tolerant) this.notes.push("tolerant: outbound options other than MSS, windows and buffer sizes not checked");
      let last = 0;
      for (const ev of script.events) last = this.step(ev, last);
      this.settle();
      if (this.strict) this.noneSent(this.now + 1, "after the last line");
      if (this.pending) throw new Fail({ line: this.pending.ev.line, message: `${this.pending.ev.name}() never returned` });
      return { ok: true, notes: this.notes };
    } catch (e) {
      if (e instanceof Fail) return { ok: false, failure: e.f, notes: this.notes };
      if (e instanceof ScriptError) return { ok: false, failure: { line: e.line, message: e.message }, notes: this.notes };
      throw e;
    }
  }

  private get strict(): boolean { return this.opts.outbound !== "when-due"; }

  private noneSent(before: number, where: string, line = 0): void {
    const early = this.out.find((s) => s.at < before);
    if (early) {
      throw new Fail({ line, message: `unexpected packet ${where}`, expected: "nothing", seen: `${seenText(early.seen)} at ${secs(early.at)}` });
    }
  }

  /** One event; returns its time, which relative times of the next one count from. */
  private step(ev: Event, last: number): number {
    const t = ev.time.kind === "abs" ? ev.time.ms : ev.time.kind === "rel" ? last + ev.time.ms : this.now;
    const end = ev.time.endMs === undefined ? t : (ev.time.kind === "rel" ? last + ev.time.endMs : ev.time.endMs);
    if (ev.type === "packet" && ev.notTcp) throw new Fail({ line: ev.line, message: `unsupported: ${ev.notTcp} packets` });
    if (ev.type === "packet" && ev.dir === ">") { this.unknownOption(ev); return this.expectOut(ev, t, end); }
    if (ev.type === "shell" && ev.time.kind === "any") { // a script's set-up line (sysctls and such)
      this.shell(ev);
      return last;
    }
    if (ev.time.kind !== "any" && t > this.now) this.advanceTo(t);
    if (this.strict) this.noneSent(t - this.tolMs, `before line ${ev.line}`, ev.line);
    switch (ev.type) {
      case "packet": this.inject(ev); break;
      case "syscall": this.syscall(ev, ev.time.kind === "rel" ? last : 0); break;
      case "code": this.code(ev); break;
      case "shell": this.shell(ev); break;
    }
    return t;
  }

  /**
   * A shell line is ignored, with a note, except Linux's ECN switch (sysctl net.ipv4.tcp_ecn=N),
   * which the module has too (set_ecn: 0, 1 or 2).
   */
  private shell(ev: ShellEvent & Event): void {
    const ecn = /net\.ipv4\.tcp_ecn=(\d+)/.exec(ev.command);
    if (ecn && Number(ecn[1]) <= 2) this.stack.setEcn(Number(ecn[1]) as 0 | 1 | 2);
    const what = ecn && Number(ecn[1]) <= 2 ? `applied net.ipv4.tcp_ecn=${ecn[1]}, ignored the rest` : "ignored";
    this.notes.push(`line ${ev.line}: shell command ${what}: ${ev.command.replace(/\s*\n\s*/g, "; ")}`);
  }

  /** An option the runner cannot build or read (FO, md5, a value named outside the script). */
  private unknownOption(ev: PacketEvent & Event): void {
    const unknown = ev.options === "any" ? undefined : ev.options?.find((o) => !knownOption(o.kind));
    if (unknown) throw new Fail({ line: ev.line, message: `unsupported: TCP option ${unknown.kind}` });
  }

  private inject(ev: PacketEvent & Event): void {
    this.unknownOption(ev);
    this.stack.receive(inboundFrame(ev, this.tuple));
    this.settle();
  }

  private expectOut(ev: PacketEvent & Event, t: number, end: number): number {
    const anyTime = ev.time.kind === "any";
    const limit = anyTime ? this.now + ANY_WAIT_MS : end + this.tolMs;
    if (!this.out.length) this.advanceTo(limit, true);
    const s = this.out.shift();
    if (!s || s.at > limit) {
      if (s) this.out.unshift(s);
      throw new Fail({ line: ev.line, message: "expected packet not sent", expected: expectedText(ev), seen: s ? `${seenText(s.seen)} at ${secs(s.at)}` : "nothing" });
    }
    if (!anyTime && s.at < t - this.tolMs) {
      throw new Fail({ line: ev.line, message: `packet sent too early (at ${secs(s.at)}, expected ${secs(t)})`, expected: expectedText(ev), seen: seenText(s.seen) });
    }
    const why = mismatch(ev, s.seen, !!this.opts.tolerant);
    if (why) throw new Fail({ line: ev.line, message: why, expected: expectedText(ev), seen: `${seenText(s.seen)} at ${secs(s.at)}` });
    return s.at;
  }

  /** base: what the call's times count from (the previous event's time, or 0 when absolute). */
  private syscall(ev: SyscallEvent & Event, base: number): void {
    if (this.pending) throw new Fail({ line: ev.line, message: `line ${this.pending.ev.line}'s blocking ${this.pending.ev.name}() has not returned yet` });
    const returnAt = ev.time.returnMs === undefined ? undefined : base + ev.time.returnMs;
    const r = this.sockets.call(ev);
    if (r.block) { this.pending = { ev, returnAt }; this.settle(); return; }
    this.settle();
    this.returned(ev, returnAt);
    this.check(ev, r);
  }

  private retryPending(): void {
    const p = this.pending;
    if (!p) return;
    const r = this.sockets.call(p.ev);
    if (r.block) return;
    this.pending = null;
    this.returned(p.ev, p.returnAt);
    this.check(p.ev, r);
  }

  /** A call written a...b must return at b, within the tolerance. */
  private returned(ev: SyscallEvent & Event, returnAt: number | undefined): void {
    if (returnAt === undefined || Math.abs(this.now - returnAt) <= this.tolMs) return;
    throw new Fail({ line: ev.line, message: `${ev.name}() returned at ${secs(this.now)}, expected at ${secs(returnAt)}` });
  }

  private check(ev: SyscallEvent & Event, r: CallResult & { value?: number }): void {
    if (r.note) this.notes.push(`line ${ev.line}: ${r.note}`);
    if (r.unsupported) throw new Fail({ line: ev.line, message: `unsupported: ${r.unsupported}` });
    const got = r.errno ? `-1 ${r.errno}` : String(r.ret);
    const want = ev.ret === null ? null : ev.errno ? `${ev.ret} ${ev.errno}` : String(ev.ret);
    const same = want === null || want === got || (ev.errno && ["EAGAIN", "EWOULDBLOCK"].includes(ev.errno) && r.errno === "EAGAIN");
    if (!same) throw new Fail({ line: ev.line, message: `${ev.name}() returned ${got}`, expected: `= ${want}`, seen: `= ${got}` });
    if (r.value !== undefined && ev.name === "getsockopt") {
      const lit = (ev.args[3] ?? "").replace(/[[\]]/g, "").trim();
      const wantV = /^-?\d+$/.test(lit) ? Number(lit) : ERRNO[lit];
      const sizeOpt = /SO_(RCV|SND)BUF/.test(ev.args[2]);
      if (wantV !== undefined && wantV !== r.value && !(sizeOpt && this.opts.tolerant)) {
        throw new Fail({ line: ev.line, message: `${ev.args[2]} is ${r.value}`, expected: `[${lit}]`, seen: `[${r.value}]` });
      }
    }
  }

  private code(ev: { code: string; line: number }): void {
    const m = /^assert\s+tcpi_state\s*==\s*(\w+)\s*;?$/.exec(ev.code.trim());
    if (!m) { this.notes.push(`line ${ev.line}: %{ ${ev.code} }% not evaluated (only assert tcpi_state == ...)`); return; }
    const want = TCPI[m[1]] ?? TCPI_NUM[Number(m[1])];
    if (!want) throw new Fail({ line: ev.line, message: `unknown state ${m[1]}` });
    const id = this.sockets.lastId;
    // Before any connection: the socket's own state (a listener LISTEN, anything else CLOSED).
    let got = id >= 0 ? STATES[this.stack.x.sock_state(id)] : this.sockets.unconnectedState();
    // A connection closed by the script spends TIME-WAIT as a record, not in its socket's slot.
    if (got === "CLOSED" && id >= 0 && /\n -  TIME-WAIT /.test(this.stack.connsText())) got = "TIME-WAIT";
    if (got !== want) throw new Fail({ line: ev.line, message: `tcpi_state is ${got}`, expected: want, seen: got });
  }
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

/** Run one script's text. */
export function runDrill(text: string, opts: DrillOptions = {}): Outcome {
  return new DrillRun(opts).run(text);
}
