// The ladder diagram: one connection's segments as arrows between the peer and synack, with real
// flags, seq and ack numbers, and both sides' states. synack's states are the ones the module logs;
// the peer's are inferred from the segments by RFC 9293's rules (marked as such).
import { TcpSegment, flagNames, TCP_FLAGS } from "../link/wire.js";

export type TraceEvent =
  | { kind: "in" | "out"; seg: TcpSegment } // in: peer -> synack, out: synack -> peer
  | { kind: "state"; from: string; to: string; port: number; remote: string };

interface Row { dir: "in" | "out"; seg: TcpSegment; peer: string; board: string }

const { SYN, ACK, FIN, RST } = TCP_FLAGS;
const seqAfter = (a: number, b: number) => ((a - b) | 0) > 0;

/** RFC 9293 transitions as the peer sees them. */
class PeerModel {
  state = "CLOSED";
  finSeq: number | null = null;
  constructor(passive: boolean) { if (passive) this.state = "LISTEN"; }

  sent(seg: TcpSegment): void {
    if (seg.flags & RST) { this.state = "CLOSED"; return; }
    if ((seg.flags & SYN) && !(seg.flags & ACK)) this.state = "SYN-SENT";
    if (seg.flags & FIN) {
      this.finSeq = (seg.seq + seg.data.length + ((seg.flags & SYN) ? 1 : 0)) >>> 0;
      if (this.state === "ESTABLISHED") this.state = "FIN-WAIT-1";
      else if (this.state === "CLOSE-WAIT") this.state = "LAST-ACK";
    }
  }

  received(seg: TcpSegment): void {
    const f = seg.flags;
    if (f & RST) { this.state = "CLOSED"; return; }
    if ((f & SYN) && (f & ACK) && this.state === "SYN-SENT") { this.state = "ESTABLISHED"; return; }
    if ((f & SYN) && !(f & ACK)) { this.state = this.state === "SYN-SENT" ? "SYN-RECEIVED" : "SYN-RECEIVED"; return; }
    const finAcked = this.finSeq !== null && (f & ACK) !== 0 && seqAfter(seg.ack, this.finSeq);
    if ((f & ACK) && this.state === "SYN-RECEIVED") this.state = "ESTABLISHED";
    if (finAcked) {
      if (this.state === "FIN-WAIT-1") this.state = "FIN-WAIT-2";
      else if (this.state === "CLOSING") this.state = "TIME-WAIT";
      else if (this.state === "LAST-ACK") this.state = "CLOSED";
    }
    if (f & FIN) {
      if (this.state === "ESTABLISHED") this.state = "CLOSE-WAIT";
      else if (this.state === "FIN-WAIT-1") this.state = "CLOSING";
      else if (this.state === "FIN-WAIT-2") this.state = "TIME-WAIT";
    }
  }
}

export interface LadderOptions {
  peerLabel: string;   // e.g. "10.77.0.1:40312 (Linux nc)"
  boardLabel: string;  // e.g. "10.77.0.2:7 (synack)"
  /** Collapse runs of data segments longer than this (default 8). */
  maxDataRows?: number;
}

/** Render the events of ONE connection (already filtered) as lines of text. */
export function renderLadder(events: TraceEvent[], opts: LadderOptions): string[] {
  const firstSeg = events.find((e) => e.kind !== "state") as { kind: "in" | "out"; seg: TcpSegment } | undefined;
  if (!firstSeg) return ["(no segments)"];
  const peer = new PeerModel(firstSeg.kind === "out");
  let boardState = "CLOSED";
  let peerIsn: number | null = null;
  let boardIsn: number | null = null;
  const rows: Row[] = [];
  let pending: string[] = []; // board transitions waiting for the row they belong to
  let lastWasIn = false;

  for (const e of events) {
    if (e.kind === "state") {
      if (boardState === "CLOSED" && rows.length === 0 && pending.length === 0) boardState = e.from;
      if (lastWasIn && rows.length > 0) {
        const r = rows[rows.length - 1];
        r.board = r.board.includes("→") ? `${r.board} → ${e.to}` : `${e.from} → ${e.to}`;
      } else pending.push(`${e.from} → ${e.to}`);
      boardState = e.to;
      continue;
    }
    const seg = e.seg;
    if (seg.flags & SYN) {
      if (e.kind === "in" && peerIsn === null) peerIsn = seg.seq;
      if (e.kind === "out" && boardIsn === null) boardIsn = seg.seq;
    }
    if (e.kind === "in") peer.sent(seg); else peer.received(seg);
    let board = boardState;
    if (pending.length) {
      board = pending.map((p, i) => (i === 0 ? p : p.split(" → ")[1])).join(" → ");
      pending = [];
    }
    rows.push({ dir: e.kind, seg, peer: peer.state, board });
    lastWasIn = e.kind === "in";
  }

  const rel = (v: number, isn: number | null, name: string) => {
    if (isn === null) return `${v >>> 0}`;
    const d = (v - isn) >>> 0;
    return d < 1_000_000 ? `${v >>> 0} (${name}${d ? "+" + d : ""})` : `${v >>> 0}`;
  };
  const label = (r: Row) => {
    const s = r.seg;
    const mine = r.dir === "in" ? [peerIsn, "X"] as const : [boardIsn, "Y"] as const;
    const theirs = r.dir === "in" ? [boardIsn, "Y"] as const : [peerIsn, "X"] as const;
    let t = `${flagNames(s.flags)} seq=${rel(s.seq, mine[0], mine[1])}`;
    if (s.flags & ACK) t += ` ack=${rel(s.ack, theirs[0], theirs[1])}`;
    if (s.data.length) t += ` len=${s.data.length}`;
    return t;
  };

  const W = 64;
  const arrow = (r: Row) => {
    const text = ` ${label(r)} `;
    const fill = Math.max(2, W - text.length - 2);
    const left = Math.floor(fill / 4);
    return r.dir === "in"
      ? "─".repeat(left) + text + "─".repeat(fill - left) + "▶"
      : "◀" + "─".repeat(left) + text + "─".repeat(fill - left);
  };
  const out: string[] = [];
  out.push(`${opts.peerLabel.padEnd(16 + W / 2)}${opts.boardLabel}`);
  out.push(`${"state (inferred)".padEnd(16)}${" ".repeat(W + 2)}state (logged by the module)`);
  const maxData = opts.maxDataRows ?? 8;
  let dataRun: Row[] = [];
  const flush = () => {
    const show = dataRun.length > maxData ? [...dataRun.slice(0, 2), null, ...dataRun.slice(-2)] : dataRun;
    for (const r of show) {
      if (r === null) {
        const bytes = dataRun.slice(2, -2).reduce((n, x) => n + x.seg.data.length, 0);
        out.push(`${"".padEnd(16)}   … ${dataRun.length - 4} more segments, ${bytes} bytes of data …`);
      } else out.push(`${r.peer.padEnd(16)}${arrow(r)}  ${r.board}`);
    }
    dataRun = [];
  };
  for (const r of rows) {
    const plain = !(r.seg.flags & (SYN | FIN | RST)) && !r.board.includes("→");
    if (plain) { dataRun.push(r); continue; }
    flush();
    out.push(`${r.peer.padEnd(16)}${arrow(r)}  ${r.board}`);
  }
  flush();
  if (peerIsn !== null || boardIsn !== null) {
    out.push("");
    out.push(`X = ${peerIsn ?? "?"} is the peer's ISN, Y = ${boardIsn ?? "?"} is synack's (RFC 6528).`);
  }
  return out;
}
