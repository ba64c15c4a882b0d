// The RFC 864 chargen stream as the tests expect it, written out independently of the module:
// 72 printable characters per line, each line starting one character later, CR LF after each.
export function chargenExpected(n: number, from = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    const pos = from + i;
    const line = Math.floor(pos / 74), col = pos % 74;
    b[i] = col === 72 ? 13 : col === 73 ? 10 : 32 + ((line + col) % 95);
  }
  return b;
}
