// The ladder diagram: one connection's segments as arrows between the peer and synack, with real
// flags, seq and ack numbers, and both sides' states. synack's states are the ones the module logs;
// the peer's are inferred from the segments by RFC 9293's rules (marked as such). Segments cross
// in flight: one of ours changes the peer's state only once the peer shows it has it (acknowledges
// it), so a peer segment sent before ours arrived is drawn in the state the peer was really in.
import { TcpSegment, flagNames, TCP_FLAGS } from "../link/wire.js";

export type TraceEvent =
  | { kind: "in" | "out"; seg: TcpSegment } // in: peer -> synack, out: synack -> peer
  | { kind: "state"; from: string; to: string; port: number; remote: string };

interface Row { dir: "in" | "out"; seg: TcpSegment; peer: string; board: string }

const { SYN, ACK, FIN, RST } = TCP_FLAGS;
const seqAfter = (a: number, b: number) => ((a - b) | 0) > 0;
const seqLe = (a: number, b: number) => ((a - b) | 0) <= 0;
/** The sequence number just past a segment (SYN and FIN count one each). */
const segEnd = (s: TcpSegment) => (s.seq + s.data.length + ((s.flags & SYN) ? 1 : 0) + ((s.flags & FIN) ? 1 : 0)) >>> 0;

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
    if ((f & SYN) && !(f & ACK)) { this.state = "SYN-RECEIVED"; return; }
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

/** Lines are kept within this many columns. */
export const LADDER_COLUMNS = 100;
const PEER_COL = 13;
const ARROW = 46;

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
  const inFlight: Row[] = []; // our segments the peer has not yet shown it received

  const deliver = (upTo: number | null) => {
    while (inFlight.length && (upTo === null || seqLe(segEnd(inFlight[0].seg), upTo))) {
      const r = inFlight.shift()!;
      peer.received(r.seg);
      r.peer = peer.state;
    }
  };

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
    let board = boardState;
    if (pending.length) {
      board = pending.map((p, i) => (i === 0 ? p : p.split(" → ")[1])).join(" → ");
      pending = [];
    }
    const row: Row = { dir: e.kind, seg, peer: "", board };
    if (e.kind === "in") {
      // What the peer acknowledges had reached it before it sent this; the rest is still crossing.
      if (seg.flags & RST) deliver(null); else if (seg.flags & ACK) deliver(seg.ack);
      peer.sent(seg);
      row.peer = peer.state;
    } else inFlight.push(row);
    rows.push(row);
    lastWasIn = e.kind === "in";
  }
  deliver(null); // whatever is still in flight arrives in the end

  // Names for numbers: X and Y are the ISNs; A and C the sequence numbers of the first and the
  // second FIN, as teardown diagrams label them.
  const fins = rows.filter((r) => r.seg.flags & FIN);
  const firstFin = fins[0];
  const secondFin = fins.find((r) => firstFin && r.dir !== firstFin.dir);
  const finA = firstFin ? (firstFin.seg.seq + firstFin.seg.data.length) >>> 0 : null;
  const finC = secondFin ? (secondFin.seg.seq + secondFin.seg.data.length) >>> 0 : null;
  const name = (v: number, isn: number | null, base: string, fin: number | null, finName: string, isAck: boolean) => {
    if (fin !== null) {
      const d = (v - fin) >>> 0;
      if (d === 1 || (d === 0 && !isAck)) return `${finName}${d ? "+1" : ""}`;
    }
    if (isn === null) return `${v >>> 0}`;
    const d = (v - isn) >>> 0;
    return d < 1_000_000 ? `${base}${d ? "+" + d : ""}` : `${v >>> 0}`;
  };
  const finOf = (dir: "in" | "out"): [number | null, string] => {
    if (firstFin?.dir === dir) return [finA, "A"];
    if (secondFin?.dir === dir) return [finC, "C"];
    return [null, ""];
  };
  const label = (r: Row) => {
    const s = r.seg;
    const other = r.dir === "in" ? "out" : "in";
    const [mf, mfn] = finOf(r.dir);
    const [tf, tfn] = finOf(other);
    const mine = r.dir === "in" ? peerIsn : boardIsn, mineName = r.dir === "in" ? "X" : "Y";
    const theirs = r.dir === "in" ? boardIsn : peerIsn, theirsName = r.dir === "in" ? "Y" : "X";
    let t = `${flagNames(s.flags)} seq=${name(s.seq, mine, mineName, mf, mfn, false)}`;
    if (s.flags & ACK) t += ` ack=${name(s.ack, theirs, theirsName, tf, tfn, true)}`;
    if (s.data.length) t += ` len=${s.data.length}`;
    return t;
  };

  const arrow = (r: Row) => {
    const text = ` ${label(r)} `;
    const fill = Math.max(2, ARROW - text.length - 1);
    const left = Math.floor(fill / 4);
    return r.dir === "in"
      ? "─".repeat(left) + text + "─".repeat(fill - left) + "▶"
      : "◀" + "─".repeat(left) + text + "─".repeat(fill - left);
  };
  const out: string[] = [];
  const line = (peerState: string, middle: string, board: string) => {
    const head = `${peerState.padEnd(PEER_COL)}${middle}  `;
    if (head.length + board.length <= LADDER_COLUMNS) { out.push(head + board); return; }
    // A long chain of transitions continues under itself.
    const parts = board.split(" → ");
    let cur = parts[0];
    let lead = head;
    for (const p of parts.slice(1)) {
      if (head.length + cur.length + 3 + p.length + 2 > LADDER_COLUMNS) { // room for a trailing " →"
        out.push(lead + cur + " →");
        lead = " ".repeat(head.length);
        cur = p;
      } else cur += ` → ${p}`;
    }
    out.push(lead + cur);
  };
  out.push(`${opts.peerLabel.padEnd(PEER_COL + ARROW / 2)}${opts.boardLabel}`.slice(0, LADDER_COLUMNS));
  out.push(`${"peer (inferred)".padEnd(PEER_COL + ARROW + 2)}synack (logged)`);
  const maxData = opts.maxDataRows ?? 8;
  let dataRun: Row[] = [];
  const flush = () => {
    const show = dataRun.length > maxData ? [...dataRun.slice(0, 2), null, ...dataRun.slice(-2)] : dataRun;
    for (const r of show) {
      if (r === null) {
        const bytes = dataRun.slice(2, -2).reduce((n, x) => n + x.seg.data.length, 0);
        out.push(`${"".padEnd(PEER_COL)}   … ${dataRun.length - 4} more segments, ${bytes} bytes of data …`);
      } else line(r.peer, arrow(r), r.board);
    }
    dataRun = [];
  };
  for (const r of rows) {
    const plain = !(r.seg.flags & (SYN | FIN | RST)) && !r.board.includes("→");
    if (plain) { dataRun.push(r); continue; }
    flush();
    line(r.peer, arrow(r), r.board);
  }
  flush();
  if (peerIsn !== null || boardIsn !== null) {
    out.push("");
    out.push(`X = ${peerIsn ?? "?"} is the peer's ISN, Y = ${boardIsn ?? "?"} is synack's (RFC 6528).`);
  }
  if (finA !== null) {
    const who = (r: Row) => (r.dir === "in" ? "the peer's" : "synack's");
    let t = `A = ${finA} is the first FIN's seq (${who(firstFin!)})`;
    if (finC !== null) t += `, C = ${finC} the second's (${who(secondFin!)})`;
    out.push(t + ".");
  }
  return out;
}

/** A `conns` row with each number named by its column: state=... local=... snd.una=... */
export function labelConnsRow(header: string, row: string): string {
  const names = header.trim().split(/\s+/);
  const values = row.trim().split(/\s+/);
  return names.map((n, i) => (values[i] === undefined ? "" : `${n}=${values[i]}`)).filter(Boolean).join(" ");
}
