// The HTTP service's pages: `/` the status page, `/ladder` the very connection serving it (its
// handshake with the real sequence numbers, then every request and response carried on it),
// `/stats` every counter, `/status.json` for scripts.
import { maxConns } from "../layout";
import { Text, ascii, isWord } from "../util/text";
import { buildVersion } from "../util/version";
import { now } from "../util/clock";
import { C, counter, writeCounterName } from "../util/counters";
import { connInfo } from "../tcp/tcb";
import { writeStateName } from "../tcp/state";
import { ourIp, netmask } from "../net/iface";
import { statsText, connsText } from "./report";

export const PAGE_NOT_FOUND: i32 = 0;
export const PAGE_HTML: i32 = 1;
export const PAGE_TEXT: i32 = 2;
export const PAGE_JSON: i32 = 3;
export const LOG_ENTRIES: i32 = 8;
const PATH_KEEP: i32 = 24;

let startedAt: u32 = 0;
const info: StaticArray<u32> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // connInfo's numbers (nothing is allocated after init)
export function pagesStart(): void { startedAt = now; }

/** One connection's story: the two ISNs, then its requests (the last LOG_ENTRIES of them). */
/** A Log's bytes and its arrays', headers included: an upper bound (the layout counts it). */
export const LOG_BYTES: u32 = 1024;

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


/** Write the page for path into t; returns its kind (PAGE_NOT_FOUND: nothing written). */
export function page(t: Text, conn: i32, log: Log, path: usize, pathLen: i32): i32 {
  let n = 0;
  while (n < pathLen && load<u8>(path + <usize>n) != 63) n++; // the query is ignored
  if (isWord(path, n, ascii("/"))) { statusPage(t, conn); return PAGE_HTML; }
  if (isWord(path, n, ascii("/ladder"))) { ladderPage(t, conn, log); return PAGE_TEXT; }
  if (isWord(path, n, ascii("/stats"))) { t.len += <i32>statsText(t.ptr + <usize>t.len, t.cap - t.len); return PAGE_TEXT; }
  if (isWord(path, n, ascii("/status.json"))) { jsonPage(t); return PAGE_JSON; }
  return PAGE_NOT_FOUND;
}

const KEY_COUNTERS: StaticArray<i32> = [
  C.TCP_ACTIVE_OPENS, C.TCP_PASSIVE_OPENS, C.TCP_ESTAB_RESETS, C.TCP_IN_SEGS, C.TCP_OUT_SEGS,
  C.TCP_RETRANS_SEGS, C.TCP_OUT_RSTS, C.ETH_IN_FRAMES, C.ETH_OUT_FRAMES, C.IP_DROP_NOT_FOR_US,
];

function statusPage(t: Text, conn: i32): void {
  t.str("<!doctype html><html><head><meta charset=utf-8><title>synack ").ip(ourIp()).str("</title>")
    .str("<style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em;overflow-x:auto}</style></head><body>")
    .str("<h1>synack</h1><p>version ").z(buildVersion()).str(", address <b>").ip(ourIp()).ch(47).u32(<u32>popcnt(netmask()))
    .str("</b>, up ").u32((now - startedAt) / 1000).str(" s; you are connection ").u32(<u32>conn)
    .str(" (<a href=/ladder>its ladder</a>, <a href=/stats>all counters</a>, <a href=/status.json>JSON</a>)</p>")
    .str("<h2>Connections (RFC 9293 states)</h2><pre>");
  const at = t.len;
  t.len += <i32>connsText(t.ptr + <usize>t.len, t.cap - t.len - 600);
  escapeFrom(t, at);
  t.str("</pre><h2>Counters</h2><pre>");
  for (let i = 0; i < KEY_COUNTERS.length; i++) {
    const c = unchecked(KEY_COUNTERS[i]);
    writeCounterName(t, c, 20).u32w(counter(<C>c), 10).ch(10);
  }
  t.str("</pre></body></html>\n");
}

/** Blank out markup characters in what was written since `at` (the connection table has none today). */
function escapeFrom(t: Text, at: i32): void {
  for (let i = at; i < t.len; i++) {
    const c = load<u8>(t.ptr + <usize>i);
    if (c == 60 || c == 62 || c == 38) store<u8>(t.ptr + <usize>i, 32);
  }
}

/** One line of the ladder: an arrow from us (right = true) or to us, with its label. */
function rung(t: Text, toYou: bool): Text {
  return toYou ? t.str("  synack ----> ") : t.str("  synack <---- ");
}

function ladderPage(t: Text, conn: i32, log: Log): void {
  // The handshake and each request are calls that return before the next (docs/wasm3-stack.md).
  ladderHandshake(t, conn, log);
  const total = log.requests + 1; // the current one too
  const first = total > <u32>LOG_ENTRIES ? total - <u32>LOG_ENTRIES : 0;
  if (first > 0) t.str("  ... ").u32(first).str(" earlier requests\n");
  for (let r = first; r < total; r++) ladderRequest(t, log, r, r + 1 == total);
  t.str("\n").u32(total).str(" request");
  if (total != 1) t.ch(115); // "requests"
  t.str(" on this connection so far.\n");
}

function ladderHandshake(t: Text, conn: i32, log: Log): void {
  connInfo(conn, info);
  t.str("This connection, as it happened (").ip(unchecked(info[1])).ch(58).u32(unchecked(info[2])).str(" <-> ").ip(unchecked(info[3])).ch(58).u32(unchecked(info[4]))
    .str(", ");
  writeStateName(t, <i32>unchecked(info[0])).str(")\n\n");
  t.str("  synack ISS ").u32(log.iss).str(", your ISN (IRS) ").u32(log.irs).str("\n\n");
  rung(t, false).str("SYN      seq=").u32(log.irs).ch(10);
  rung(t, true).str("SYN,ACK  seq=").u32(log.iss).str(" ack=").u32(log.irs + 1).ch(10);
  rung(t, false).str("ACK      seq=").u32(log.irs + 1).str(" ack=").u32(log.iss + 1).ch(10);
}

/** Request r (the r+1-th on the connection) and its response; `current`: the one being answered. */
function ladderRequest(t: Text, log: Log, r: u32, current: bool): void {
  const k = <i32>(r % <u32>LOG_ENTRIES);
  const m = unchecked(log.method[k]);
  rung(t, false).str("request ").u32(r + 1).str(": ").z(m == 0 ? ascii("GET ") : m == 1 ? ascii("HEAD ") : ascii("? "));
  for (let i = 0; i < <i32>unchecked(log.pathLen[k]); i++) t.ch(unchecked(log.path[k * PATH_KEEP + i]));
  t.str(" (").u32(unchecked(log.reqLen[k])).str(" bytes) seq=").u32(unchecked(log.reqSeq[k])).ch(10);
  if (current) {
    rung(t, true).str("this response, seq=").u32(unchecked(log.respSeq[k])).str(" ack=")
      .u32(unchecked(log.reqSeq[k]) + unchecked(log.reqLen[k])).ch(10);
  } else {
    rung(t, true).u32(unchecked(log.status[k])).str(" (").u32(unchecked(log.respLen[k])).str(" bytes) seq=")
      .u32(unchecked(log.respSeq[k])).str(" ack=").u32(unchecked(log.reqSeq[k]) + unchecked(log.reqLen[k])).ch(10);
  }
}

function jsonPage(t: Text): void {
  t.str("{\"version\":\"").z(buildVersion()).str("\",\"address\":\"").ip(ourIp()).str("\",\"prefix\":").u32(<u32>popcnt(netmask()))
    .str(",\"uptime_ms\":").u32(now - startedAt).str(",\"connections\":[");
  let first = true;
  for (let id = 0; id < maxConns; id++) {
    if (!connInfo(id, info)) continue;
    if (!first) t.ch(44);
    first = false;
    writeStateName(t.str("{\"id\":").u32(<u32>id).str(",\"state\":\""), <i32>unchecked(info[0])).str("\",\"local\":\"").ip(unchecked(info[1])).ch(58).u32(unchecked(info[2]))
      .str("\",\"remote\":\"").ip(unchecked(info[3])).ch(58).u32(unchecked(info[4])).str("\",\"snd_una\":").u32(unchecked(info[5])).str(",\"snd_nxt\":").u32(unchecked(info[6]))
      .str(",\"rcv_nxt\":").u32(unchecked(info[7])).ch(125);
  }
  t.str("],\"counters\":{");
  for (let i = 0; i < C.COUNT; i++) {
    if (i > 0) t.ch(44);
    writeCounterName(t.ch(34), i).str("\":").u32(counter(<C>i));
  }
  t.str("}}\n");
}
