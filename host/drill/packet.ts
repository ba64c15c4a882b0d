// Packets of a drill script: inbound segments built as frames from the scripted peer, outbound
// frames read back into the script's terms (sequence numbers relative to each side's ISN), and
// the comparison of what the script expects with what the module sent.
import { tcpFrame } from "./peer.js";
import { fixChecksums, parseTcpFrame } from "../link/wire.js";
import type { PacketEvent, TcpOption } from "./script.js";

const BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, ".": 0x10, U: 0x20, E: 0x40, W: 0x80 };

export function flagBits(f: string): number {
  let b = 0;
  for (const c of f) b |= BITS[c];
  return b;
}

/** Flags as packetdrill writes them: S, S., F., P., R., ., SF ... and - for none. */
export function flagText(b: number): string {
  let s = "";
  for (const c of ["S", "F", "R", "P", "U", "E", "W"]) if (b & BITS[c]) s += c;
  if (b & 0x10) s += ".";
  return s || "-";
}

const KNOWN_OPTIONS = new Set(["nop", "eol", "mss", "wscale", "sackOK", "TS", "sack"]);
/** Whether an inbound segment can carry this option (the runner builds only these). */
export function knownOption(kind: string): boolean { return KNOWN_OPTIONS.has(kind); }

export function optionBytes(opts: TcpOption[], localIsn: number): number[] {
  const out: number[] = [];
  for (const o of opts) {
    switch (o.kind) {
      case "nop": out.push(1); break;
      case "eol": out.push(0); break;
      case "mss": out.push(2, 4, (o.values[0] >> 8) & 255, o.values[0] & 255); break;
      case "wscale": out.push(3, 3, o.values[0] & 255); break;
      case "sackOK": out.push(4, 2); break;
      case "TS": out.push(8, 10, ...be32(o.values[0]), ...be32(o.values[1])); break;
      case "sack": {
        out.push(5, 2 + 4 * o.values.length);
        for (const v of o.values) out.push(...be32(v + localIsn));
        break;
      }
    }
  }
  while (out.length % 4) out.push(0);
  return out;
}

const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

export interface Tuple { modulePort: number; peerPort: number; peerIsn: number; localIsn: number }

/** The frame for an inbound packet line. */
export function inboundFrame(ev: PacketEvent, t: Tuple): Uint8Array {
  const seq = ev.seq ?? { start: 0, end: 0, len: 0 };
  const f = tcpFrame({
    sport: t.peerPort, dport: t.modulePort, seq: (t.peerIsn + seq.start) >>> 0,
    ack: ev.ack !== undefined ? (t.localIsn + ev.ack) >>> 0 : 0, flags: "", wnd: ev.win ?? 65535,
    data: new Uint8Array(seq.len),
    options: ev.options === undefined || ev.options === "any" ? [] : optionBytes(ev.options, t.localIsn),
  });
  const tcp = 14 + 20;
  f[tcp + 13] = flagBits(ev.flags) | (ev.urg !== undefined ? 0x20 : 0);
  if (ev.urg !== undefined) { f[tcp + 18] = (ev.urg >> 8) & 255; f[tcp + 19] = ev.urg & 255; }
  f[15] = ev.ecn ?? 0; // the IP ECN field
  fixChecksums(f); // tcpFrame summed the packet with its own flags and field
  return f;
}

/** An outbound segment in the script's terms. */
export interface Seen {
  flags: number; seq: number; len: number; ack: number; win: number; options: TcpOption[];
  /** The IP ECN field. */
  ecn: number;
  srcPort: number; dstPort: number; absSeq: number; absAck: number;
}

/** Read the TCP segment of an outbound frame (null for anything but IPv4/TCP). */
export function readOutbound(f: Uint8Array, t: Tuple): Seen | null {
  const s = parseTcpFrame(f);
  if (!s) return null;
  const options = s.optionKinds.map((k): TcpOption => {
    switch (k) {
      case 0: return { kind: "eol", values: [] };
      case 1: return { kind: "nop", values: [] };
      case 2: return { kind: "mss", values: [s.mss] };
      case 3: return { kind: "wscale", values: [s.wscale] };
      case 4: return { kind: "sackOK", values: [] };
      case 8: return { kind: "TS", values: s.ts ? [...s.ts] : [] };
      // blocks of the peer's sequence numbers, relative to its ISN as the script writes them
      case 5: return { kind: "sack", values: s.sack.flat().map((x) => (x - t.peerIsn) >>> 0) };
      default: return { kind: `kind${k}`, values: [] };
    }
  });
  return {
    flags: s.flags, absSeq: s.seq, absAck: s.ack, ecn: s.ecn,
    seq: (s.seq - t.localIsn) >>> 0, len: s.data.length, ack: (s.ack - t.peerIsn) >>> 0,
    win: s.wnd, options, srcPort: s.srcPort, dstPort: s.dstPort,
  };
}

export function optionsText(opts: TcpOption[]): string {
  return opts.map((o) => {
    if (o.kind === "TS") return `TS val ${o.values[0]} ecr ${o.values[1]}`;
    if (o.kind === "sack") return `sack ${o.values.map((x, i) => i % 2 ? `:${x}` : (i ? ` ${x}` : `${x}`)).join("")}`;
    return [o.kind, ...o.values].join(" ");
  }).join(",");
}

/** A packet line as the script would write it. */
export function expectedText(ev: PacketEvent): string {
  let s = `${ev.dir} ${ev.ecn !== undefined ? `[${ECN_NAMES[ev.ecn]}] ` : ""}${ev.flags || "-"}`;
  if (ev.seq) s += ` ${ev.seq.start}:${ev.seq.end}(${ev.seq.len})`;
  if (ev.ack !== undefined) s += ` ack ${ev.ack}`;
  if (ev.win !== undefined) s += ` win ${ev.win}`;
  if (ev.options === "any") s += " <...>";
  else if (ev.options) s += ` <${optionsText(ev.options)}>`;
  return s;
}

const ECN_NAMES = ["noecn", "ect1", "ect0", "ce"];

export function seenText(s: Seen): string {
  let out = `> ${s.ecn ? `[${ECN_NAMES[s.ecn]}] ` : ""}${flagText(s.flags)} ${s.seq}:${(s.seq + s.len) >>> 0}(${s.len})`;
  if (s.flags & 0x10) out += ` ack ${s.ack}`;
  out += ` win ${s.win}`;
  if (s.options.length) out += ` <${optionsText(s.options)}>`;
  return out;
}

/**
 * Why the seen segment does not match the expected one, or null when it does. Tolerant mode
 * compares only MSS among the options and ignores the advertised window.
 */
export function mismatch(ev: PacketEvent, s: Seen, tolerant: boolean): string | null {
  const want = flagBits(ev.flags);
  if (want !== s.flags) return `flags ${flagText(s.flags)}, expected ${ev.flags || "-"}`;
  if (ev.seq) {
    if (s.seq !== ev.seq.start >>> 0) return `sequence number ${s.seq}, expected ${ev.seq.start}`;
    if (s.len !== ev.seq.len) return `payload length ${s.len}, expected ${ev.seq.len}`;
  }
  if (ev.ack !== undefined && s.ack !== ev.ack >>> 0) return `ack ${s.ack}, expected ${ev.ack}`;
  if (!tolerant && ev.win !== undefined && s.win !== ev.win) return `window ${s.win}, expected ${ev.win}`;
  if (ev.ecn !== undefined && s.ecn !== ev.ecn) return `ECN field ${ECN_NAMES[s.ecn]}, expected ${ECN_NAMES[ev.ecn]}`;
  if (ev.options !== "any") {
    const keep = (o: TcpOption[]) => tolerant ? o.filter((x) => x.kind === "mss") : o.filter((x) => x.kind !== "eol" || !tolerant);
    const a = optionsText(keep(ev.options ?? [])), b = optionsText(keep(s.options));
    if (a !== b) return `options <${b}>, expected <${a}>`;
  }
  return null;
}
