// Read the frames of a pcap file (classic format, Ethernet, either byte order; micro or nano stamps).
export function readPcap(file: Uint8Array): Uint8Array[] {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (b.length < 24) throw new Error("pcap too short");
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d) throw new Error("not a pcap file");
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  if (u32(20) !== 1) throw new Error(`pcap link type ${u32(20)}, not Ethernet`);
  const frames: Uint8Array[] = [];
  for (let off = 24; off + 16 <= b.length;) {
    const len = u32(off + 8);
    if (off + 16 + len > b.length) break; // the writer was stopped mid-record
    frames.push(Uint8Array.prototype.slice.call(b, off + 16, off + 16 + len) as Uint8Array);
    off += 16 + len;
  }
  return frames;
}
