// HTTP/1.1 on port 80 (RFC 9112): persistent connections by default, `Connection: close`,
// HTTP/1.0 closes unless it asked for keep-alive, pipelined requests answered in order (the next
// one is read only once the last response fits the send ring), an idle connection closed by us
// (our FIN first: FIN-WAIT, then TIME-WAIT), and bounded heads: 400/404/405/408/414/431/503.
// Pages (pages.ts): `/` status, `/ladder` this connection's own handshake and requests drawn, `/stats`,
// `/status.json`. The request head is read by request.ts.
import { HTTP_SESSIONS, HTTP_HEAD_MAX, HTTP_LINE_MAX, HTTP_KEEPALIVE_MS, HTTP_REQUEST_MS } from "../config";
import * as sock from "../tcp/socket";
import { reserve } from "../util/bytes";
import { now, reached } from "../util/clock";
import { Text, ascii } from "../util/text";
import { registerService, release } from "./registry";
import { page, pagesStart, PAGE_NOT_FOUND } from "./pages";
import { headEnd, lineEnd, parse, req } from "./request";
import { Log, LOG_BYTES } from "./ladder";
import { RESERVE_OVERHEAD, txRingSize } from "../layout";
import { scratch, scratchSize } from "../util/scratch";

// Responses are built in the io buffer the module lends its services (registry.ts): 4 KiB.
const HEAD_ROOM: i32 = 256; // the status line and headers go in front of the body

// Per session (not per connection): its request buffer, counters and log.
// One entry per session (HTTP_SESSIONS), as literals: static memory, no global or start-up code.
const owner: StaticArray<i32> = [0, 0, 0, 0];
const headLen: StaticArray<i32> = [0, 0, 0, 0];
const since: StaticArray<u32> = [0, 0, 0, 0]; // last activity
const lingering: StaticArray<bool> = [false, false, false, false]; // answered and FIN sent: discard input until the peer's FIN
const streamOff: StaticArray<i32> = [0, 0, 0, 0]; // the streamed body's parts sent whole (Text.mark), -1 when none
const streamSkip: StaticArray<i32> = [0, 0, 0, 0]; // and the bytes sent of the part after them
const streamed: StaticArray<i32> = [0, 0, 0, 0];  // bytes of it on the wire (head, chunk framing)
// The literals must be HTTP_SESSIONS long (they are indexed unchecked): a module built with
// another count stops at start-up here rather than writing past them.
if (owner.length != HTTP_SESSIONS || headLen.length != HTTP_SESSIONS || since.length != HTTP_SESSIONS ||
    lingering.length != HTTP_SESSIONS || streamOff.length != HTTP_SESSIONS || streamSkip.length != HTTP_SESSIONS ||
    streamed.length != HTTP_SESSIONS) unreachable();
/** The server's working state, one record in static memory (a wasm global each would cost the board 32 bytes). */
@unmanaged class Server {
  heads: usize;
  out: usize;
  outMax: i32;
  respLen: i32;
  respStatus: i32;
  bodyLen: i32;
  bodyAt: usize;
  /** The body went on past the buffer (Text.lost): it can only be sent in pieces. */
  bodyMore: bool;
}
const sv = changetype<Server>(memory.data(offsetof<Server>(), 4));
let logs: StaticArray<Log> = new StaticArray<Log>(0);
const text = new Text(0, 0);
const hdr = new Text(0, 0);

/** What httpSetup reserves: the request heads and each session's log. */
export function httpBytes(): u32 {
  return <u32>(HTTP_SESSIONS * HTTP_HEAD_MAX) + <u32>HTTP_SESSIONS * (LOG_BYTES + RESERVE_OVERHEAD) +
    2 * RESERVE_OVERHEAD;
}

export function httpSetup(): void {
  if (sv.out != 0) return;
  sv.heads = reserve(HTTP_SESSIONS * HTTP_HEAD_MAX);
  sv.out = scratch; // responses are built in the module's scratch and sent at once
  sv.outMax = scratchSize;
  logs = new StaticArray<Log>(HTTP_SESSIONS);
  for (let i = 0; i < HTTP_SESSIONS; i++) { unchecked(owner[i] = -1); unchecked(logs[i] = new Log()); }
  pagesStart();
  registerService(80, httpStart, httpServe);
}

@inline function headAt(s: i32): usize { return sv.heads + <usize>(s * HTTP_HEAD_MAX); }

function sessionOf(conn: i32): i32 {
  for (let i = 0; i < HTTP_SESSIONS; i++) if (unchecked(owner[i]) == conn) return i;
  return -1;
}

function httpStart(conn: i32): bool {
  let s = -1;
  for (let i = 0; i < HTTP_SESSIONS; i++) if (unchecked(owner[i]) < 0) { s = i; break; }
  if (s < 0) { // a clean refusal, then our FIN
    const t = text; t.ptr = sv.out; t.cap = sv.outMax;
    t.reset().str("HTTP/1.1 503 Service Unavailable\r\nServer: synack\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n");
    sock.send(conn, sv.out, t.len);
    return false;
  }
  unchecked(owner[s] = conn);
  unchecked(headLen[s] = 0);
  unchecked(since[s] = now);
  unchecked(lingering[s] = false);
  unchecked(streamOff[s] = -1);
  unchecked(logs[s]).reset(sock.iss(conn), sock.irs(conn));
  return true;
}

function end(s: i32): void {
  release(unchecked(owner[s]));
  unchecked(owner[s] = -1);
}

function reason(status: i32): usize {
  switch (status) {
    case 200: return ascii("OK");
    case 400: return ascii("Bad Request");
    case 404: return ascii("Not Found");
    case 405: return ascii("Method Not Allowed");
    case 408: return ascii("Request Timeout");
    case 414: return ascii("URI Too Long");
    case 431: return ascii("Request Header Fields Too Large");
    default: return ascii("Service Unavailable");
  }
}

/**
 * Build the response in `out` (body first, then the head in front of it); returns its start and
 * sets respLen (head + body), bodyLen and bodyAt. The body is written from its part `from` on
 * (Text.mark), `skip` bytes into it, as far as `out` and `room` hold it (bodyMore: it goes on).
 * status != 200 answers an error page.
 * framing: LENGTH (Content-Length), CHUNKED (a body larger than the send ring, HTTP/1.1) or
 * CLOSE (the same for HTTP/1.0: the body ends with the connection).
 */
const LENGTH = 0;
const CHUNKED = 1;
const CLOSE = 2;
function respond(conn: i32, s: i32, status: i32, close: bool, http10KeepAlive: bool, head: bool, framing: i32 = LENGTH,
  from: i32 = 0, skip: i32 = 0, room: i32 = i32.MAX_VALUE): usize {
  const body = sv.out + <usize>HEAD_ROOM;
  const t = text; t.ptr = body; t.cap = min(sv.outMax - HEAD_ROOM, room);
  t.reset();
  t.from = from;
  t.skip = skip;
  let type = ascii("text/plain; charset=utf-8");
  if (status == 200) {
    const kind = page(t, conn, unchecked(logs[s]), req.path, req.pathLen);
    if (kind == PAGE_NOT_FOUND) status = 404;
    else if (kind == 1) type = ascii("text/html; charset=utf-8");
    else if (kind == 3) type = ascii("application/json");
  }
  if (status != 200 && t.len == 0) t.u32(<u32>status).ch(32).z(reason(status)).ch(10);
  sv.respStatus = status;
  sv.bodyLen = t.len;
  sv.bodyAt = body;
  sv.bodyMore = t.lost > 0;
  const h = hdr; h.ptr = sv.out; h.cap = HEAD_ROOM;
  h.reset().str("HTTP/1.1 ").u32(<u32>status).ch(32).z(reason(status)).str("\r\nServer: synack\r\nContent-Type: ").z(type);
  if (framing == LENGTH) h.str("\r\nContent-Length: ").u32(<u32>(t.len + t.lost));
  else if (framing == CHUNKED) h.str("\r\nTransfer-Encoding: chunked");
  h.str("\r\n");
  if (status == 405) h.str("Allow: GET, HEAD\r\n");
  if (close || framing == CLOSE) h.str("Connection: close\r\n");
  else if (http10KeepAlive) h.str("Connection: keep-alive\r\n");
  h.str("\r\n");
  const start = body - <usize>h.len;
  memory.copy(start, sv.out, <usize>h.len);
  sv.respLen = h.len + (head ? 0 : t.len);
  return start;
}

/**
 * A response larger than the send ring or the io buffer (small rings and a full connection table
 * on a board) goes out in pieces: the head, then the body as the ring drains, as HTTP/1.1 chunks
 * or, for HTTP/1.0, up to the close. Each piece is rendered afresh (nothing is held between
 * turns) and ends where a whole part of the page did (Text.mark), so the next starts at a part's
 * start: a part that changed in between (the uptime, a counter, a connection) comes whole from one
 * rendering. Only a part longer than the ring's room when it is empty goes on by bytes. True once all is sent; streamed[s]
 * counts the bytes for the ladder.
 */
function stream(conn: i32, s: i32, close: bool, http10: bool): bool {
  const framing = http10 ? CLOSE : CHUNKED;
  let from = unchecked(streamOff[s]), skip = unchecked(streamSkip[s]);
  if (from < 0) { // the head first, once there is room for it and a first piece
    const p = respond(conn, s, sv.respStatus, close, false, true, framing);
    if (sock.sendSpace(conn) < sv.respLen + 64) return false;
    sock.send(conn, p, sv.respLen);
    unchecked(streamed[s] = sv.respLen);
    from = skip = 0;
  }
  while (true) {
    // One send per piece, within the space just asked for: a ring in a shared pool may take fewer
    // bytes after a first push than sendSpace said before it (the pool's share moves). Room for
    // the chunk's size line and its CRLF.
    const room = sock.sendSpace(conn) - 12;
    if (room <= 0) break;
    respond(conn, s, sv.respStatus, close, false, false, framing, from, skip, min(room, sv.outMax - HEAD_ROOM - 2));
    const t = text;
    let n = t.len;
    if (n <= 0) {
      if (framing == CHUNKED) {
        const z = hdr; z.ptr = sv.out; z.cap = 16;
        z.reset().str("0\r\n\r\n");
        sock.send(conn, sv.out, z.len);
        unchecked(streamed[s] = unchecked(streamed[s]) + z.len);
      }
      unchecked(streamOff[s] = -1);
      return true;
    }
    if (t.lost == 0) { from = i32.MAX_VALUE; skip = 0; } // the rest, all of it: next, the end
    else if (t.fitMarks > 0) { // up to the last whole part
      n = t.fitLen; from = t.fitMarks; skip = 0;
      if (n == 0) continue; // only empty parts
    } else if (sock.sendQueued(conn) > 0) break; // a part longer than the room: the ring drains first
    else skip += n; // a part longer than any room the ring gives: by bytes
    let start = sv.bodyAt, total = n;
    if (framing == CHUNKED) {
      const h = hdr; h.ptr = sv.out; h.cap = 16; // the head's room is free once the head is sent
      h.reset();
      for (let shift = 28; shift >= 0; shift -= 4) { const d = (<u32>n >> <u32>shift) & 15; if (d != 0 || h.len > 0 || shift == 0) h.ch(d < 10 ? 48 + d : 87 + d); }
      h.str("\r\n");
      start = sv.bodyAt - <usize>h.len;
      memory.copy(start, sv.out, <usize>h.len);
      store<u16>(sv.bodyAt + <usize>n, 0x0a0d);
      total = h.len + n + 2;
    }
    sock.send(conn, start, total);
    unchecked(since[s] = now); // progress: the request timeout does not apply while we send
    unchecked(streamed[s] = unchecked(streamed[s]) + total);
  }
  unchecked(streamOff[s] = from);
  unchecked(streamSkip[s] = skip);
  return false;
}

/**
 * Answer an error that ends the connection. Input may still be arriving (the rest of an
 * oversized head, a body): we send FIN and discard it until the peer's FIN, so closing with
 * unread data does not turn into a RST that could destroy our answer at the peer.
 */
function fail(conn: i32, s: i32, status: i32): void {
  const p = respond(conn, s, status, true, false, false);
  sock.send(conn, p, sv.respLen);
  linger(conn, s);
}

function linger(conn: i32, s: i32): void {
  sock.shutdown(conn);
  unchecked(lingering[s] = true);
  unchecked(since[s] = now);
  drain(conn, s);
}

function drain(conn: i32, s: i32): void {
  while (true) {
    const n = sock.recv(conn, sv.heads + <usize>(s * HTTP_HEAD_MAX), HTTP_HEAD_MAX);
    if (n == sock.E_AGAIN) break;
    if (n <= 0) { end(s); return; }
  }
  if (reached(unchecked(since[s]) + HTTP_REQUEST_MS, now) || sock.state(conn) == 0) end(s);
}

function httpServe(conn: i32): void {
  const s = sessionOf(conn);
  if (s < 0) { release(conn); return; }
  if (unchecked(lingering[s])) { drain(conn, s); return; }
  const buf = headAt(s);
  while (true) {
    let n = unchecked(headLen[s]);
    let e = headEnd(buf, n);
    if (e < 0) {
      // A request line longer than we take, or a head that fills the buffer without ending.
      if (lineEnd(buf, 0, min(n, HTTP_LINE_MAX)) < 0 && n >= HTTP_LINE_MAX) { fail(conn, s, 414); return; }
      if (n >= HTTP_HEAD_MAX) { fail(conn, s, 431); return; }
      const got = sock.recv(conn, buf + <usize>n, HTTP_HEAD_MAX - n);
      if (got == sock.E_AGAIN) break;
      if (got <= 0) { end(s); return; } // the peer's FIN (or an error) between requests
      unchecked(headLen[s] = n + got);
      unchecked(since[s] = now);
      continue;
    }
    parse(buf, e);
    const r = req;
    const close = r.close || (r.http10 && !r.keepAlive) || r.status != 200;
    const log = unchecked(logs[s]);
    log.begin(r.method, r.methodLen, r.path, r.pathLen, e);
    const p = respond(conn, s, r.status, close, r.http10 && !close, r.head);
    let streamedClose = false;
    if ((!r.head && (sv.bodyMore || sv.respLen > txRingSize)) || unchecked(streamOff[s]) >= 0) { // it could never fit the send ring or the buffer whole
      if (sock.state(conn) == 0) { end(s); return; }
      if (!stream(conn, s, close, r.http10)) break;
      log.finish(sv.respStatus, unchecked(streamed[s]));
      streamedClose = r.http10; // an HTTP/1.0 body ends with the connection
    } else {
      if (sock.sendSpace(conn) < sv.respLen) {
        if (sock.state(conn) == 0) { end(s); return; }
        break; // pipelined: wait until the previous responses have left the send ring
      }
      sock.send(conn, p, sv.respLen);
      log.finish(sv.respStatus, sv.respLen);
    }
    n = unchecked(headLen[s]) - e;
    memory.copy(buf, buf + <usize>e, <usize>n);
    unchecked(headLen[s] = n);
    unchecked(since[s] = now);
    if (close || streamedClose) {
      if (r.hasBody || unchecked(headLen[s]) > 0) linger(conn, s); else end(s);
      return;
    }
  }
  // Timeouts: a partial request waits HTTP_REQUEST_MS (then 408), an idle connection
  // HTTP_KEEPALIVE_MS (then we close first).
  const n = unchecked(headLen[s]);
  if (n > 0 && reached(unchecked(since[s]) + HTTP_REQUEST_MS, now)) {
    if (unchecked(streamOff[s]) >= 0) end(s); // a reader that stopped mid-body: just close
    else fail(conn, s, 408);
    return;
  }
  if (n == 0 && reached(unchecked(since[s]) + HTTP_KEEPALIVE_MS, now)) { end(s); return; }
  if (sock.state(conn) == 0) end(s);
}
