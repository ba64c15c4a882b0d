// Merge the module's data segments: AssemblyScript emits one active segment per static string or
// array (hundreds), and wasm3 keeps a 20-byte record of each in the board's RAM for as long as the
// module lives. Segments closer than MAX_GAP bytes are joined, the gap filled with zeros (what
// linear memory holds there anyway), which costs a few bytes of flash and saves RAM.
//   node scripts/pack-data.mjs build/synack.wasm
import { readFileSync, writeFileSync } from "node:fs";

const MAX_GAP = 64;
const file = process.argv[2];
if (!file) { console.error("usage: node scripts/pack-data.mjs MODULE.wasm"); process.exit(2); }
const wasm = readFileSync(file);

function uleb(buf, at) {
  let value = 0, shift = 0, byte;
  do { byte = buf[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return [value, at];
}
function sleb32(buf, at) {
  let value = 0, shift = 0, byte;
  do { byte = buf[at++]; value |= (byte & 0x7f) << shift; shift += 7; } while (byte & 0x80);
  if (shift < 32 && (byte & 0x40)) value |= -1 << shift;
  return [value, at];
}
function encU(n) {
  const out = [];
  do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return Buffer.from(out);
}
function encS(n) {
  const out = [];
  for (;;) {
    const b = n & 0x7f; n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40))) { out.push(b); break; }
    out.push(b | 0x80);
  }
  return Buffer.from(out);
}
const section = (id, body) => Buffer.concat([Buffer.from([id]), encU(body.length), body]);

/** Active segments of memory 0 at an i32.const offset; null if the section holds anything else. */
function readSegments(body) {
  let [count, at] = uleb(body, 0);
  const segs = [];
  for (let i = 0; i < count; i++) {
    if (body[at] !== 0 || body[at + 1] !== 0x41) return null; // flags 0 (active, memory 0), i32.const
    let offset, size;
    [offset, at] = sleb32(body, at + 2);
    if (body[at++] !== 0x0b) return null; // end
    [size, at] = uleb(body, at);
    segs.push({ offset, bytes: body.subarray(at, at + size) });
    at += size;
  }
  return segs;
}

function merge(segs) {
  segs.sort((a, b) => a.offset - b.offset);
  const out = [];
  for (const s of segs) {
    const last = out[out.length - 1];
    const end = last ? last.offset + last.bytes.length : 0;
    if (last && s.offset >= end && s.offset - end <= MAX_GAP) {
      last.bytes = Buffer.concat([last.bytes, Buffer.alloc(s.offset - end), s.bytes]);
    } else {
      out.push({ offset: s.offset, bytes: Buffer.from(s.bytes) });
    }
  }
  return out;
}

const parts = [wasm.subarray(0, 8)];
let at = 8, before = 0, after = 0, merged = null;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, start] = uleb(wasm, at + 1);
  const body = wasm.subarray(start, start + size);
  if (id === 11) {
    const segs = readSegments(body);
    if (!segs) { console.error(`pack-data: ${file}: a data segment of a kind not handled here; left as it is`); process.exit(0); }
    merged = merge(segs);
    before = segs.length; after = merged.length;
    const bodies = merged.map((s) => Buffer.concat([Buffer.from([0, 0x41]), encS(s.offset), Buffer.from([0x0b]), encU(s.bytes.length), s.bytes]));
    parts.push(section(11, Buffer.concat([encU(merged.length), ...bodies])));
  } else if (id === 12) {
    parts.push(null); // the data count: filled in below, once the count is known
  } else {
    parts.push(wasm.subarray(at, start + size));
  }
  at = start + size;
}
if (!merged) process.exit(0);
const out = Buffer.concat(parts.map((p) => p ?? section(12, encU(after))));
if (!WebAssembly.validate(out)) { console.error(`pack-data: ${file}: the merged module does not validate`); process.exit(1); }
writeFileSync(file, out);
console.log(`pack-data: ${before} data segments -> ${after}, module ${wasm.length} -> ${out.length} bytes`);
