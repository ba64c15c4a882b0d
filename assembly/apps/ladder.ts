// `/ladder`: the connection serving the page, drawn as the ladder diagram of RFC 9293 §3.5 — two
// lifelines (you, synack), one arrow per segment the log knows (the handshake's three, then each
// request and its response, with their flags, relative seq/ack and length, the request's method
// and path, the response's status), the RFC 9293 state on each side where it changes. An SVG the
// module writes into the page; the page reloads itself every 2 s on the same keep-alive
// connection, so the ladder grows by a request and a response each time. Numbers are relative to
// each side's ISN (as Wireshark shows them); the caption gives both ISNs.
import { Text, ascii } from "../util/text";
import { connInfo } from "../tcp/tcb";
import { writeStateName } from "../tcp/state";

export const LOG_ENTRIES: i32 = 8;
const PATH_KEEP: i32 = 24;
const info: StaticArray<u32> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // connInfo's numbers (nothing is allocated after init)

/** A Log's bytes and its arrays', headers included: an upper bound (the layout counts it). */
export const LOG_BYTES: u32 = 704;

/** One connection's story: the two ISNs, then its requests (the last LOG_ENTRIES of them). */
export class Log {
  iss: u32 = 0;
  irs: u32 = 0;
  requests: u32 = 0;
  rxBytes: u32 = 0; // request bytes consumed before the current request
  txBytes: u32 = 0; // response bytes sent before the current response
  method: StaticArray<u8> = new StaticArray<u8>(LOG_ENTRIES);     // 0 GET, 1 HEAD, 2 other
  status: StaticArray<u16> = new StaticArray<u16>(LOG_ENTRIES);
  reqSeq: StaticArray<u32> = new StaticArray<u32>(LOG_ENTRIES);
  reqLen: StaticArray<u32> = new StaticArray<u32>(LOG_ENTRIES);
  respSeq: StaticArray<u32> = new StaticArray<u32>(LOG_ENTRIES);
  respLen: StaticArray<u32> = new StaticArray<u32>(LOG_ENTRIES);
  path: StaticArray<u8> = new StaticArray<u8>(LOG_ENTRIES * PATH_KEEP);
  pathLen: StaticArray<u8> = new StaticArray<u8>(LOG_ENTRIES);

  reset(iss: u32, irs: u32): void {
    this.iss = iss; this.irs = irs; this.requests = 0; this.rxBytes = 0; this.txBytes = 0;
  }

  /** The request being answered now (entry `requests`, not yet counted). */
  begin(method: usize, methodLen: i32, path: usize, pathLen: i32, reqLen: i32): void {
    const k = <i32>(this.requests % <u32>LOG_ENTRIES);
    let m: u8 = 2;
    if (methodLen == 3 && load<u8>(method) == 71) m = 0;
    else if (methodLen == 4 && load<u8>(method) == 72) m = 1;
    unchecked(this.method[k] = m);
    unchecked(this.reqSeq[k] = this.irs + 1 + this.rxBytes);
    unchecked(this.reqLen[k] = <u32>reqLen);
    unchecked(this.respSeq[k] = this.iss + 1 + this.txBytes);
    unchecked(this.status[k] = 0);
    unchecked(this.respLen[k] = 0);
    const n = min(pathLen, PATH_KEEP);
    for (let i = 0; i < n; i++) unchecked(this.path[k * PATH_KEEP + i] = load<u8>(path + <usize>i));
    unchecked(this.pathLen[k] = <u8>n);
  }

  /** The current request was answered: count it. */
  finish(status: i32, respLen: i32): void {
    const k = <i32>(this.requests % <u32>LOG_ENTRIES);
    unchecked(this.status[k] = <u16>status);
    unchecked(this.respLen[k] = <u32>respLen);
    this.rxBytes += unchecked(this.reqLen[k]);
    this.txBytes += <u32>respLen;
    this.requests++;
  }
}

// The drawing: lifelines at x = YOU and US, a row of ROW px per arrow, each arrow sloping down
// by SLOPE px (a segment takes time to cross) with its label above its middle.
const YOU: u32 = 190;
const US: u32 = 710;
const ROW: u32 = 34;
const TOP: u32 = 54;

let row: u32 = 0;

@inline function y(): u32 { return TOP + row * ROW; }

/** An arrow from you (toUs) or to you, its label: flags, then the caller writes the rest. */
function arrow(t: Text, toUs: bool, flags: usize): Text {
  const x1 = toUs ? YOU : US, x2 = toUs ? US : YOU;
  t.str("<line x1=").u32(x1).str(" y1=").u32(y()).str(" x2=").u32(x2).str(" y2=").u32(y() + ROW - 10).str(" />");
  t.str("<text x=450 y=").u32(y() + 4).ch(62).z(flags);
  row++;
  return t;
}

/** A state label beside a lifeline, at the current row. */
function state(t: Text, mine: bool, s: usize): void {
  t.str("<text class=").ch(mine ? 114 : 101).str(" x=").u32(mine ? US + 8 : YOU - 8).str(" y=").u32(y() + 4).ch(62).z(s).str("</text>"); // r, e
}

function ends(t: Text): Text { return t.str("</text>"); }

export function ladderPage(t: Text, conn: i32, log: Log): void {
  connInfo(conn, info);
  const total = log.requests + 1; // the current one too
  const first = total > <u32>LOG_ENTRIES ? total - <u32>LOG_ENTRIES : 0;
  // The head, the handshake, each request and the end are calls that return before the next
  // (docs/wasm3-stack.md): the page's own frames stay few under the deepest writes.
  ladderHead(t, log, TOP + (3 + 2 * (total - first) + 1) * ROW);
  row = 0;
  ladderHandshake(t.mark());
  if (first > 0) t.mark().str("<text x=450 y=").u32(y() - 14).str(">(").u32(first).str(" earlier requests)</text>");
  for (let r = first; r < total; r++) ladderRequest(t.mark(), log, r, r + 1 == total);
  ladderEnd(t.mark(), total);
}

/** The page up to the drawing's first row: the connection's endpoints, state and ISNs, the lifelines. */
function ladderHead(t: Text, log: Log, height: u32): void {
  t.str("<!doctype html><html><head><meta charset=utf-8><meta http-equiv=refresh content=2><title>ladder</title><style>")
    .str("body{font-family:sans-serif;margin:2em}svg{font:13px monospace}line{stroke:#000;marker-end:url(#h)}")
    .str(".l{stroke:#888;marker-end:none}text{text-anchor:middle}.r,.e{fill:#06c;text-anchor:start}.e{text-anchor:end}</style></head><body><h1>This connection, as it happened</h1><p>")
    .ip(unchecked(info[3])).ch(58).u32(unchecked(info[4])).str(" (you) and ").ip(unchecked(info[1])).ch(58).u32(unchecked(info[2]))
    .str(" (synack), now ");
  writeStateName(t, <i32>unchecked(info[0]));
  t.str(". Sequence numbers are relative: your ISN ").u32(log.irs).str(", synack's ISN ").u32(log.iss)
    .str(". This page reloads itself every 2 s on the same connection.</p>");
  t.str("<svg width=900 height=").u32(height).str(" viewBox=\"0 0 900 ").u32(height)
    .str("\"><defs><marker id=h markerWidth=8 markerHeight=8 refX=8 refY=4 orient=auto><path d=\"M0,0L8,4L0,8z\"/></marker></defs>")
    .str("<text x=190 y=20>you</text><text x=710 y=20>synack</text>");
  t.str("<line class=l x1=190 y1=30 x2=190 y2=").u32(height).str(" /><line class=l x1=710 y1=30 x2=710 y2=").u32(height).str(" />");
}

/** The last row (both sides' states now) and the page's end. */
function ladderEnd(t: Text, total: u32): void {
  state(t, false, ascii("ESTABLISHED"));
  const s = t.str("<text class=r x=").u32(US + 8).str(" y=").u32(y() + 4).ch(62);
  writeStateName(s, <i32>unchecked(info[0])).str("</text></svg><p>").u32(total).str(" request");
  if (total != 1) t.ch(115); // "requests"
  t.str(" on this connection so far.</p></body></html>\n");
}

function ladderHandshake(t: Text): void {
  state(t, false, ascii("SYN-SENT"));
  state(t, true, ascii("LISTEN"));
  ends(arrow(t, true, ascii("SYN seq=0")));
  state(t, true, ascii("SYN-RECEIVED"));
  ends(arrow(t, false, ascii("SYN,ACK seq=0 ack=1")));
  state(t, false, ascii("ESTABLISHED"));
  ends(arrow(t, true, ascii("ACK seq=1 ack=1")));
  state(t, true, ascii("ESTABLISHED"));
}

/** Request r (the r+1-th on the connection) and its response; `current`: the one being answered. */
function ladderRequest(t: Text, log: Log, r: u32, current: bool): void {
  const k = <i32>(r % <u32>LOG_ENTRIES);
  const m = unchecked(log.method[k]);
  const seq = unchecked(log.reqSeq[k]) - log.irs, len = unchecked(log.reqLen[k]);
  const rseq = unchecked(log.respSeq[k]) - log.iss;
  arrow(t, true, ascii("PSH,ACK seq=")).u32(seq).str(" ack=").u32(rseq).str(" len=").u32(len).ch(32)
    .z(m == 0 ? ascii("GET ") : m == 1 ? ascii("HEAD ") : ascii("? "));
  for (let i = 0; i < <i32>unchecked(log.pathLen[k]); i++) {
    const c = unchecked(log.path[k * PATH_KEEP + i]);
    t.ch(c == 60 || c == 62 || c == 38 || c == 34 ? 63 : c); // no markup from the request line
  }
  ends(t);
  arrow(t, false, ascii("PSH,ACK seq=")).u32(rseq).str(" ack=").u32(seq + len);
  if (current) ends(t.str(" this response"));
  else ends(t.str(" len=").u32(unchecked(log.respLen[k])).ch(32).u32(unchecked(log.status[k])));
}
