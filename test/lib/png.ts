// Just enough PNG to look at a browser's screenshot: 8-bit RGB or RGBA, not interlaced (what
// Chromium writes). The pixels come back as RGB, one byte each, row after row.
import { inflateSync } from "node:zlib";

export interface Image { width: number; height: number; rgb: Uint8Array }

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function readPng(file: Uint8Array): Image {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (b.length < 8 || SIGNATURE.some((x, i) => b[i] !== x)) throw new Error("not a PNG");
  let width = 0, height = 0, channels = 0;
  const idat: Buffer[] = [];
  for (let off = 8; off + 12 <= b.length;) {
    const len = b.readUInt32BE(off), type = b.toString("latin1", off + 4, off + 8);
    const data = b.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      const depth = data[8], color = data[9], interlace = data[12];
      if (depth !== 8 || (color !== 2 && color !== 6) || interlace !== 0) throw new Error(`PNG kind not handled: depth ${depth} color ${color} interlace ${interlace}`);
      channels = color === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    off += 12 + len;
  }
  if (!channels) throw new Error("PNG without IHDR");
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error("PNG data too short");
  const cur = new Uint8Array(stride), prev = new Uint8Array(stride);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0, up = prev[i], c = i >= channels ? prev[i - channels] : 0;
      let p = 0;
      if (filter === 1) p = a;
      else if (filter === 2) p = up;
      else if (filter === 3) p = (a + up) >> 1;
      else if (filter === 4) { // Paeth
        const e = a + up - c, da = Math.abs(e - a), db = Math.abs(e - up), dc = Math.abs(e - c);
        p = da <= db && da <= dc ? a : db <= dc ? up : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter}`);
      cur[i] = (row[i] + p) & 255;
    }
    for (let x = 0; x < width; x++) rgb.set(cur.subarray(x * channels, x * channels + 3), (y * width + x) * 3);
    prev.set(cur);
  }
  return { width, height, rgb };
}
