// How many functions a WebAssembly module defines (its code section's count; imports are not
// among them): what the firmware's "N functions run from the code store" must say.
import { readFileSync } from "node:fs";

function leb(b: Uint8Array, at: number): [value: number, next: number] {
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = b[at++];
    v += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return [v, at];
  }
}

export function definedFunctions(path: string): number {
  const b = readFileSync(path);
  for (let at = 8; at < b.length;) {
    const id = b[at];
    const [size, body] = leb(b, at + 1);
    if (id === 10) return leb(b, body)[0];
    at = body + size;
  }
  return 0;
}
