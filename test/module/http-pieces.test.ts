// A page longer than the send ring goes out in pieces, each rendered afresh as the ring drains.
// Between two pieces the page may change (here the uptime goes from 9 to 10 s, and the serving
// connection's own numbers move on): each piece must still end where a whole part of the page does,
// so nothing is spliced from two renderings (it once came out as "...</httml>").
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer } from "../lib/harness.js";

/** The chunks of a chunked body, and whether its last chunk came. */
function chunks(body: string): { parts: string[]; ended: boolean } {
  const parts: string[] = [];
  let at = 0;
  while (at < body.length) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) break;
    const n = parseInt(body.slice(at, eol), 16);
    if (n === 0) return { parts, ended: true };
    parts.push(body.slice(eol + 2, eol + 2 + n));
    assert.equal(body.slice(eol + 2 + n, eol + 4 + n), "\r\n", "each chunk ends with CRLF");
    at = eol + 4 + n;
  }
  return { parts, ended: false };
}

test("HTTP: a status page sent in pieces while it changes comes out whole, each piece ending at a whole row", () => {
  const p = new Peer({ layout: { conns: 6, txRing: 1024 } });
  p.advance(9_400); // up 9 s when the first piece is rendered
  let rcv = p.handshake(80, 42200);
  const req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  p.tcp({ dport: 80, seq: 1001, ack: rcv, flags: "PA", data: req });
  let text = "";
  for (let round = 0; round < 200 && !text.endsWith("0\r\n\r\n"); round++) {
    for (let s = p.next(); s; s = p.next()) {
      if (s.seq === rcv) { text += Buffer.from(s.data).toString("latin1"); rcv = (rcv + s.data.length) >>> 0; }
    }
    if (round === 0) p.advance(700); // the next pieces are rendered at up 10 s
    p.tcp({ dport: 80, seq: 1001 + req.length, ack: rcv, flags: "A" });
    p.advance(1);
  }
  const head = text.indexOf("\r\n\r\n");
  assert.match(text.slice(0, head), /Transfer-Encoding: chunked/);
  const { parts, ended } = chunks(text.slice(head + 4));
  assert.ok(ended, "the last chunk came");
  assert.ok(parts.length >= 2, `sent in ${parts.length} pieces`);
  for (const [i, c] of parts.entries()) assert.match(c, /[>\n]$/, `piece ${i} ends at a whole part: ...${JSON.stringify(c.slice(-30))}`);
  const page = parts.join("");
  const cell = "<td>[^<>]*";
  const num = "<td class=n>\\d+";
  assert.match(page, new RegExp(
    "^<!doctype html><html><head>[^]*<h1>synack</h1><p>version [^<]+, address <b>10\\.77\\.0\\.2/24</b> on <b>[^<]+</b>, up 9 s; you are connection \\d+ " +
    "\\(<a href=/ladder>its ladder</a>, <a href=/stats>all counters</a>, <a href=/status\\.json>JSON</a>\\)\\. This page reloads itself every 5 s\\.</p>" +
    "<h2>Connections \\(RFC 9293 states\\)</h2><table><tr><th>id<th>service<th>state<th>local<th>remote<th>sent<th>acked<th>received<th>window</tr>" +
    `(<tr><td>L\\d+${cell}${cell}${cell}${cell}<td><td><td><td></tr>)+` +
    `(<tr><td>\\d+${cell}${cell}${cell}${cell}${num}${num}${num}${num}</tr>)+</table>` +
    "<p>sent, acked, received: [^<]*</p><h2>Counters</h2><table>(<tr><td>[a-zA-Z]+<td class=n>\\d+</tr>)+</table></body></html>\\n$"),
  "the page, every row whole");
});
