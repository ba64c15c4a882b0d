// The HTTP service's pages: `/` the status page (a table of the listeners and connections with
// their services, states and relative sequence numbers, reloading itself), `/ladder` the very
// connection serving it, drawn (ladder.ts), `/stats` every counter, `/status.json` for scripts.
import { maxConns } from "../layout";
import { Text, ascii, isWord } from "../util/text";
import { buildVersion } from "../util/version";
import { now } from "../util/clock";
import { C, counter, writeCounterName } from "../util/counters";
import { connInfo, conns, listeners } from "../tcp/tcb";
import { writeStateName } from "../tcp/state";
import { MAX_LISTENERS } from "../config";
import { ourIp, netmask } from "../net/iface";
import { statsLine } from "./report";
import { Log, ladderPage } from "./ladder";
import { engineName } from "./engine";

export const PAGE_NOT_FOUND: i32 = 0;
export const PAGE_HTML: i32 = 1;
export const PAGE_TEXT: i32 = 2;
export const PAGE_JSON: i32 = 3;

let startedAt: u32 = 0;
const info: StaticArray<u32> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // connInfo's numbers (nothing is allocated after init)
export function pagesStart(): void { startedAt = now; }

/** Write the page for path into t; returns its kind (PAGE_NOT_FOUND: nothing written). */
export function page(t: Text, conn: i32, log: Log, path: usize, pathLen: i32): i32 {
  let n = 0;
  while (n < pathLen && load<u8>(path + <usize>n) != 63) n++; // the query is ignored
  if (isWord(path, n, ascii("/"))) { statusPage(t, conn); return PAGE_HTML; }
  if (isWord(path, n, ascii("/ladder"))) { ladderPage(t, conn, log); return PAGE_HTML; }
  if (isWord(path, n, ascii("/stats"))) { for (let i = 0; i < C.COUNT; i++) statsLine(t, i).mark(); return PAGE_TEXT; }
  if (isWord(path, n, ascii("/status.json"))) { jsonPage(t); return PAGE_JSON; }
  return PAGE_NOT_FOUND;
}

const KEY_COUNTERS: StaticArray<i32> = [
  C.TCP_ACTIVE_OPENS, C.TCP_PASSIVE_OPENS, C.TCP_ESTAB_RESETS, C.TCP_IN_SEGS, C.TCP_OUT_SEGS,
  C.TCP_RETRANS_SEGS, C.TCP_OUT_RSTS, C.TCP_DROP_NO_SLOT, C.TCP_DROP_BACKLOG, C.ETH_IN_FRAMES, C.ETH_OUT_FRAMES,
  C.IP_DROP_NOT_FOR_US,
];

/** The built-in service on a local port, or 0 (an application's, or an ephemeral port). */
function serviceName(port: u32): usize {
  if (port == 7) return ascii("echo");
  if (port == 9) return ascii("discard");
  if (port == 19) return ascii("chargen");
  if (port == 23) return ascii("console");
  if (port == 80) return ascii("http");
  return 0;
}

/** A table row's cells after its id: service, state, local and remote endpoint. */
@inline function rowCells(t: Text, port: u32, state: i32, ip: u32, rip: u32, rport: u32): Text {
  const name = serviceName(port);
  t.str("<td>").z(name != 0 ? name : ascii("app")).str("<td>");
  writeStateName(t, state).str("<td>").ip(ip).ch(58).u32(port).str("<td>");
  return rport != 0 ? t.ip(rip).ch(58).u32(rport) : t.ch(42);
}

/** The connections' rows, their sequence numbers relative to each side's ISN, and the table's end. */
function connTable(t: Text): void {
  for (let id = 0; id < maxConns; id++) {
    if (!connInfo(id, info)) continue;
    const c = unchecked(conns[id]);
    rowCells(t.str("<tr><td>").u32(<u32>id), unchecked(info[2]), <i32>unchecked(info[0]), unchecked(info[1]), unchecked(info[3]), unchecked(info[4]))
      .str("<td class=n>").u32(unchecked(info[6]) - c.iss).str("<td class=n>").u32(unchecked(info[5]) - c.iss)
      .str("<td class=n>").u32(unchecked(info[7]) - c.irs).str("<td class=n>").u32(unchecked(info[8])).str("</tr>").mark();
  }
  t.str("</table>");
}

function statusPage(t: Text, conn: i32): void {
  statusHead(t, conn); // a call that returns before the connections' rows (docs/wasm3-stack.md)
  connTable(t);
  t.str("<p>sent, acked, received: SND.NXT, SND.UNA, RCV.NXT less the ISN; window: the peer's.</p><h2>Counters</h2><table>").mark();
  for (let i = 0; i < KEY_COUNTERS.length; i++) {
    const c = unchecked(KEY_COUNTERS[i]);
    writeCounterName(t.str("<tr><td>"), c).str("<td class=n>").u32(counter(<C>c)).str("</tr>").mark();
  }
  t.str("</table></body></html>\n");
}

/** The page up to the connections' rows: address, engine, uptime, this connection's number, the links, the listeners. */
function statusHead(t: Text, conn: i32): void {
  t.str("<!doctype html><html><head><meta charset=utf-8><meta http-equiv=refresh content=5><title>synack ").ip(ourIp()).str("</title>")
    .str("<style>body{font-family:sans-serif;margin:2em;max-width:936px}table{border-collapse:collapse;background:#f4f4f4;margin:0 0 1em}")
    .str("td,th{padding:3px 10px;text-align:left}th{background:#e0e0e0}.n{text-align:right;font-variant-numeric:tabular-nums}</style></head><body>")
    .str("<h1>synack</h1>").mark().str("<p>version ").z(buildVersion()).str(", address <b>").ip(ourIp()).ch(47).u32(<u32>popcnt(netmask()))
    .str("</b> on <b>").z(engineName()).str("</b>, up ").u32((now - startedAt) / 1000).str(" s; you are connection ").u32(<u32>conn)
    .str(" (<a href=/ladder>its ladder</a>, <a href=/stats>all counters</a>, <a href=/status.json>JSON</a>). This page reloads itself every 5 s.</p>")
    .str("<h2>Connections (RFC 9293 states)</h2>");
  t.str("<table><tr><th>id<th>service<th>state<th>local<th>remote<th>sent<th>acked<th>received<th>window</tr>").mark();
  for (let i = 0; i < MAX_LISTENERS; i++) {
    const l = unchecked(listeners[i]);
    if (l.inUse) rowCells(t.str("<tr><td>L").u32(<u32>i), l.port, 1, ourIp(), 0, 0).str("<td><td><td><td></tr>").mark();
  }
}

function jsonPage(t: Text): void {
  t.str("{\"version\":\"").z(buildVersion()).str("\",\"address\":\"").ip(ourIp()).str("\",\"prefix\":").u32(<u32>popcnt(netmask()))
    .mark().str(",\"uptime_ms\":").u32(now - startedAt).str(",\"connections\":[").mark();
  let first = true;
  for (let id = 0; id < maxConns; id++) {
    if (!connInfo(id, info)) continue;
    if (!first) t.ch(44);
    first = false;
    writeStateName(t.str("{\"id\":").u32(<u32>id).str(",\"state\":\""), <i32>unchecked(info[0])).str("\",\"local\":\"").ip(unchecked(info[1])).ch(58).u32(unchecked(info[2]))
      .str("\",\"remote\":\"").ip(unchecked(info[3])).ch(58).u32(unchecked(info[4])).str("\",\"snd_una\":").u32(unchecked(info[5])).str(",\"snd_nxt\":").u32(unchecked(info[6]))
      .str(",\"rcv_nxt\":").u32(unchecked(info[7])).ch(125).mark();
  }
  t.str("],\"counters\":{").mark();
  for (let i = 0; i < C.COUNT; i++) {
    if (i > 0) t.ch(44);
    writeCounterName(t.ch(34), i).str("\":").u32(counter(<C>i)).mark();
  }
  t.str("}}\n");
}
