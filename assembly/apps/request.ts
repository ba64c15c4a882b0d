// An HTTP/1.1 request head (RFC 9112 §3, §5): the request line, the header fields synack acts on
// (Connection, Host, Transfer-Encoding, Content-Length), and the error to answer when it is not one
// synack serves.
import { HTTP_LINE_MAX } from "../config";
import { ascii } from "../util/text";

/** Offset just past the blank line ending the head, or -1. */
export function headEnd(p: usize, n: i32): i32 {
  for (let i = 3; i < n; i++) {
    if (load<u8>(p + <usize>i) == 10 && load<u8>(p + <usize>(i - 1)) == 13 &&
        load<u8>(p + <usize>(i - 2)) == 10 && load<u8>(p + <usize>(i - 3)) == 13) return i + 1;
  }
  return -1;
}

export function lineEnd(p: usize, from: i32, n: i32): i32 {
  for (let i = from; i < n; i++) if (load<u8>(p + <usize>i) == 10) return i;
  return -1;
}

@inline function lower(c: u32): u32 { return c >= 65 && c <= 90 ? c + 32 : c; }

/** Does [p, p+n) equal word, ignoring ASCII case? */
function equalsCI(p: usize, n: i32, word: usize): bool {
  for (let i = 0; i < n; i++) {
    const w = <u32>load<u8>(word + <usize>i);
    if (w == 0 || lower(load<u8>(p + <usize>i)) != w) return false;
  }
  return load<u8>(word + <usize>n) == 0;
}

/** Does the comma-separated header value [p, p+n) hold token (case-insensitive)? */
function hasToken(p: usize, n: i32, token: usize): bool {
  let i = 0;
  while (i < n) {
    while (i < n && (load<u8>(p + <usize>i) == 32 || load<u8>(p + <usize>i) == 44 || load<u8>(p + <usize>i) == 9)) i++;
    let j = i;
    while (j < n && load<u8>(p + <usize>j) != 44) j++;
    let k = j;
    while (k > i && (load<u8>(p + <usize>(k - 1)) == 32 || load<u8>(p + <usize>(k - 1)) == 9)) k--;
    if (equalsCI(p + <usize>i, k - i, token)) return true;
    i = j + 1;
  }
  return false;
}

/** What one parsed request asks for. */
export class Request {
  status: i32 = 200;   // 200 = fine so far; else the error to answer
  head: bool = false;
  http10: bool = false;
  close: bool = false;
  keepAlive: bool = false;
  hasBody: bool = false;
  hasHost: bool = false;
  path: usize = 0;
  pathLen: i32 = 0;
  method: usize = 0;
  methodLen: i32 = 0;
}
export const req = new Request();

/** Parse the head [p, p + n) into req. */
export function parse(p: usize, n: i32): void {
  const r = req;
  r.status = 200; r.head = false; r.http10 = false; r.close = false; r.keepAlive = false;
  r.hasBody = false; r.hasHost = false; r.pathLen = 0; r.methodLen = 0;
  const le = lineEnd(p, 0, n);
  if (le >= HTTP_LINE_MAX) { r.status = 414; return; }
  let sp1 = -1, sp2 = -1;
  for (let i = 0; i < le; i++) if (load<u8>(p + <usize>i) == 32) { if (sp1 < 0) sp1 = i; else if (sp2 < 0) sp2 = i; else { sp2 = -2; break; } }
  const lineLen = le > 0 && load<u8>(p + <usize>(le - 1)) == 13 ? le - 1 : le;
  if (sp1 <= 0 || sp2 <= sp1 + 1) { r.status = 400; return; }
  r.method = p; r.methodLen = sp1;
  r.path = p + <usize>(sp1 + 1); r.pathLen = sp2 - sp1 - 1;
  const v = p + <usize>(sp2 + 1);
  const vlen = lineLen - sp2 - 1;
  if (equalsCI(v, vlen, ascii("http/1.1"))) r.http10 = false;
  else if (equalsCI(v, vlen, ascii("http/1.0"))) r.http10 = true;
  else { r.status = 400; return; }
  // Header fields: name ":" OWS value OWS, one per line.
  let at = le + 1;
  while (at < n) {
    const e = lineEnd(p, at, n);
    if (e < 0) break;
    let len = e - at;
    if (len > 0 && load<u8>(p + <usize>(e - 1)) == 13) len--;
    if (len == 0) break;
    let colon = -1;
    for (let i = 0; i < len; i++) if (load<u8>(p + <usize>(at + i)) == 58) { colon = i; break; }
    if (colon <= 0 || load<u8>(p + <usize>(at + colon - 1)) == 32) { r.status = 400; return; }
    const name = p + <usize>at;
    const value = name + <usize>(colon + 1);
    const vn = len - colon - 1;
    if (equalsCI(name, colon, ascii("connection"))) {
      if (hasToken(value, vn, ascii("close"))) r.close = true;
      if (hasToken(value, vn, ascii("keep-alive"))) r.keepAlive = true;
    } else if (equalsCI(name, colon, ascii("host"))) r.hasHost = true;
    else if (equalsCI(name, colon, ascii("transfer-encoding"))) r.hasBody = true;
    else if (equalsCI(name, colon, ascii("content-length"))) {
      for (let i = 0; i < vn; i++) { const c = load<u8>(value + <usize>i); if (c >= 49 && c <= 57) r.hasBody = true; }
    }
    at = e + 1;
  }
  if (!r.http10 && !r.hasHost) { r.status = 400; return; } // RFC 9112 §3.2
  const get = equalsCI(r.method, r.methodLen, ascii("get"));
  r.head = !get && r.methodLen == 4 && equalsCI(r.method, 4, ascii("head"));
  if (!get && !r.head) { r.status = 405; return; }
  // We never read request bodies: answer, then close, so the body is never taken for a request.
  if (r.hasBody) r.close = true;
}
