// The packetdrill language, read into events: header options (--name=value), // comments,
// #ifdef/#ifndef/#else/#endif (STANDARD is defined), and one event per line: a time
// (absolute, +relative or "+ 0.1", * for any, a~b for a range, a...b for a blocking call that
// starts at a and returns at b, both counted from the previous event when written +a...b), then a packet (< in, > out), a system call, a %{ ... }% block, or
// a `shell` line. A `shell` line without a time (the first line of Linux's and google/packetdrill's
// scripts, which may span lines) is an event at any time, which the runner notes and ignores.

export interface TimeSpec {
  kind: "abs" | "rel" | "any"; ms: number; endMs?: number;
  /** a...b: when the blocking call must return; b counts from where a does (+a...b: the previous event). */
  returnMs?: number;
}

export interface TcpOption { kind: string; values: number[] }

export interface PacketEvent {
  type: "packet"; dir: "<" | ">"; flags: string;
  /** A packet that is not TCP (icmp, udp, ...): its protocol; the runner does not script these. */
  notTcp?: string;
  /** The IP ECN field written as [noecn], [ect1], [ect0] or [ce] (RFC 3168): 0, 1, 2 or 3. */
  ecn?: number;
  seq?: { start: number; end: number; len: number };
  ack?: number; win?: number; urg?: number;
  /** undefined: none written; "any": <...> */
  options?: TcpOption[] | "any";
}
export interface SyscallEvent {
  type: "syscall"; name: string; args: string[];
  /** The expected result: a number, or null for "..." (anything). */
  ret: number | null; errno?: string;
}
export interface AssertEvent { type: "code"; code: string }
export interface ShellEvent { type: "shell"; command: string }
export type Event = (PacketEvent | SyscallEvent | AssertEvent | ShellEvent) & { line: number; time: TimeSpec; text: string };

export interface Script { options: Record<string, string>; events: Event[] }

export class ScriptError extends Error {
  constructor(readonly line: number, message: string) { super(message); }
}

/** Seconds as written ("0.100", "+.1", "1e-3") to milliseconds (rounded: the module ticks in ms). */
function seconds(s: string, line: number): number {
  const v = Number(s);
  if (s === "" || !Number.isFinite(v)) throw new ScriptError(line, `bad time: ${s}`);
  return Math.round(v * 1000 * 1000) / 1000;
}

function parseTime(tok: string, line: number): TimeSpec {
  if (tok === "*") return { kind: "any", ms: 0 };
  const dots = tok.indexOf("...");
  if (dots > 0) {
    const spec = parseTime(tok.slice(0, dots), line);
    const end = tok.slice(dots + 3);
    spec.returnMs = seconds(end.startsWith("+") ? end.slice(1) : end, line);
    return spec;
  }
  const [a, b] = tok.split("~");
  const rel = a.startsWith("+");
  const ms = seconds(rel ? a.slice(1) : a, line);
  const spec: TimeSpec = { kind: rel ? "rel" : "abs", ms };
  if (b !== undefined) spec.endMs = seconds(b.startsWith("+") ? b.slice(1) : b, line);
  return spec;
}

/** Split at top-level commas (brackets, braces and parentheses nest). */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = "";
  for (const c of s) {
    if ("([{".includes(c)) depth++;
    if (")]}".includes(c)) depth--;
    if (c === "," && depth === 0) { out.push(cur.trim()); cur = ""; continue; }
    cur += c;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

function parseOptions(body: string, line: number): TcpOption[] | "any" {
  if (body.trim() === "...") return "any";
  const out: TcpOption[] = [];
  for (const part of splitArgs(body)) {
    const w = part.split(/\s+/);
    switch (w[0]) {
      case "nop": case "eol": case "sackOK": out.push({ kind: w[0], values: [] }); break;
      case "mss": case "wscale": // a symbolic value (mss MSS, defined outside the script) is kept as written
        out.push(Number.isFinite(Number(w[1])) ? { kind: w[0], values: [num(w[1], line)] } : { kind: part, values: [] });
        break;
      case "TS": // TS val X ecr Y
        if (w[1] !== "val" || w[3] !== "ecr") throw new ScriptError(line, `bad TS option: ${part}`);
        out.push({ kind: "TS", values: [num(w[2], line), num(w[4], line)] });
        break;
      case "sack": // sack a:b c:d ...
        out.push({ kind: "sack", values: w.slice(1).flatMap((r) => r.split(":").map((x) => num(x, line))) });
        break;
      // Options synack does not know (FO, md5, exp, ...) are kept as written: an inbound one
      // cannot be built (the runner says so), an outbound one never matches.
      default: out.push({ kind: part, values: [] });
    }
  }
  return out;
}

function num(s: string | undefined, line: number): number {
  const v = s === undefined ? NaN : Number(s);
  if (!Number.isFinite(v)) throw new ScriptError(line, `expected a number, got ${s ?? "nothing"}`);
  return v;
}

const FLAG_CHARS = /^([SFRP.UEW]+|-)$/;

function parsePacket(rest: string, line: number): PacketEvent {
  const dir = rest[0] as "<" | ">";
  let body = rest.slice(1).trim();
  let options: TcpOption[] | "any" | undefined;
  const lt = body.indexOf("<");
  if (lt >= 0) {
    const gt = body.lastIndexOf(">");
    if (gt < lt) throw new ScriptError(line, "unterminated <options>");
    options = parseOptions(body.slice(lt + 1, gt), line);
    body = body.slice(0, lt) + body.slice(gt + 1);
  }
  const ecnMark = /\[(noecn|ect1|ect0|ce)\]/.exec(body);
  body = body.replace(/\[[^\]]*\]/g, " "); // the ECN field is kept below; other IP annotations are not modelled
  const w = body.trim().split(/\s+/);
  const flags = w.shift() ?? "";
  if (/^(icmp|udp|udplite|gre|mpls|encap)$/.test(flags)) return { type: "packet", dir, flags: "", notTcp: flags === "encap" ? "encapsulated" : flags };
  if (!FLAG_CHARS.test(flags)) throw new ScriptError(line, `bad TCP flags: ${flags}`);
  const ev: PacketEvent = { type: "packet", dir, flags: flags === "-" ? "" : flags, options };
  if (ecnMark) ev.ecn = ["noecn", "ect1", "ect0", "ce"].indexOf(ecnMark[1]);
  if (w.length && /^\d+:\d+\(\d+\)$/.test(w[0])) {
    const m = /^(\d+):(\d+)\((\d+)\)$/.exec(w.shift()!)!;
    ev.seq = { start: Number(m[1]), end: Number(m[2]), len: Number(m[3]) };
    if (((ev.seq.end - ev.seq.start) >>> 0) !== ev.seq.len) throw new ScriptError(line, `sequence range and length disagree: ${m[0]}`);
  }
  while (w.length) {
    const k = w.shift()!;
    if (k === "ack") ev.ack = num(w.shift(), line);
    else if (k === "win") ev.win = num(w.shift(), line);
    else if (k === "urg") ev.urg = num(w.shift(), line);
    else throw new ScriptError(line, `unexpected in a packet line: ${k}`);
  }
  return ev;
}

function parseSyscall(rest: string, line: number): SyscallEvent {
  const m = /^([a-z_0-9]+)\s*\((.*)\)\s*=\s*(.*)$/.exec(rest);
  if (!m) throw new ScriptError(line, `cannot read this line: ${rest}`);
  const [, name, args, result] = m;
  const r = /^(-?(?:0x[0-9a-fA-F]+|\d+)|\.\.\.)\s*([A-Z][A-Z0-9_]*)?/.exec(result.trim());
  if (!r) throw new ScriptError(line, `bad result: ${result}`);
  return { type: "syscall", name, args: splitArgs(args), ret: r[1] === "..." ? null : Number(r[1]), errno: r[2] };
}

/** Brackets opened and not closed in s (outside string literals). */
function depth(s: string): number {
  let d = 0, quoted = false;
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (c === "\\" && quoted) { k++; continue; }
    if (c === '"') quoted = !quoted;
    else if (!quoted && "([{".includes(c)) d++;
    else if (!quoted && ")]}".includes(c)) d--;
  }
  return d;
}

/** A line without its // comment (one inside a backtick command stays). */
function uncommented(s: string): string {
  const tick = s.indexOf("`");
  const comment = s.indexOf("//");
  return comment >= 0 && (tick < 0 || comment < tick) ? s.slice(0, comment) : s;
}

export function parseScript(text: string, defined: ReadonlySet<string> = new Set(["STANDARD"])): Script {
  const options: Record<string, string> = {};
  const events: Event[] = [];
  const lines = text.split("\n");
  const active: boolean[] = []; // #if nesting: is each level taken?
  const live = () => active.every(Boolean);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let s = lines[i];
    const pre = /^\s*#\s*(ifdef|ifndef|else|endif)\b\s*(\w*)/.exec(s);
    if (pre) {
      if (pre[1] === "ifdef") active.push(defined.has(pre[2]));
      else if (pre[1] === "ifndef") active.push(!defined.has(pre[2]));
      else if (pre[1] === "else") { if (!active.length) throw new ScriptError(lineNo, "#else without #if"); active.push(!active.pop()); }
      else { if (!active.length) throw new ScriptError(lineNo, "#endif without #if"); active.pop(); }
      continue;
    }
    if (!live()) continue;
    s = uncommented(s).trim();
    if (s === "") continue;
    const opt = /^--([a-z_]+)(?:=(.*))?$/.exec(s);
    if (opt) { options[opt[1]] = opt[2] ?? "true"; continue; }
    if (s.startsWith("`")) { // a shell line with no time, up to its closing backtick
      let command = s.slice(1);
      while (!command.includes("`") && i + 1 < lines.length) command += "\n" + lines[++i];
      if (!command.includes("`")) throw new ScriptError(lineNo, "unterminated `");
      events.push({ line: lineNo, time: { kind: "any", ms: 0 }, text: s, type: "shell", command: command.slice(0, command.indexOf("`")).trim() });
      continue;
    }
    s = s.replace(/^\+\s+(?=[\d.])/, "+"); // "+ 0.00"
    s = s.replace(/^(\S+)\s+\.\.\.\s*(?=[+\d.])/, "$1..."); // "+0 ...0.010", "+.002 ... 0.004"
    const sp = s.search(/\s/);
    if (sp < 0) throw new ScriptError(lineNo, `an event needs a time and an action: ${s}`);
    const time = parseTime(s.slice(0, sp), lineNo);
    let rest = s.slice(sp).trim();
    const base = { line: lineNo, time, text: s };
    if (rest.startsWith("%{")) {
      while (!rest.includes("}%") && i + 1 < lines.length) rest += "\n" + lines[++i];
      const end = rest.indexOf("}%");
      if (end < 0) throw new ScriptError(lineNo, "unterminated %{");
      events.push({ ...base, type: "code", code: rest.slice(2, end).trim() });
    } else if (rest.startsWith("`")) {
      while (!rest.slice(1).includes("`") && i + 1 < lines.length) rest += "\n" + lines[++i];
      const close = rest.indexOf("`", 1);
      events.push({ ...base, type: "shell", command: rest.slice(1, close < 0 ? undefined : close).trim() });
    } else if (rest[0] === "<" || rest[0] === ">") {
      events.push({ ...base, ...parsePacket(rest, lineNo) });
    } else {
      // A call's arguments may go on over several lines, until its brackets close.
      while (depth(rest) > 0 && i + 1 < lines.length) rest += " " + uncommented(lines[++i]).trim();
      events.push({ ...base, ...parseSyscall(rest, lineNo) });
    }
  }
  if (active.length) throw new ScriptError(lines.length, "#if without #endif");
  return { options, events };
}
