// Figures for the chip that are not a TAP row: the native board's SPI traffic per KB of payload
// on a discard upload (the W5500 model counts every transaction and byte).
import { start } from "./engines.js";
import { CLIENT } from "./engines.js";

export interface SpiFigures { payloadBytes: number; transactions: number; spiBytes: number; bytesPerPayloadByte: number; transactionsPerKB: number }

/** One discard upload of `bytes` to a fresh native board; its SPI counts, or why there are none. */
export async function spiPerKB(bytes: number): Promise<SpiFigures | string> {
  const s = await start("native");
  let err = "";
  let r: Awaited<ReturnType<typeof s.client.run>> | null = null;
  try {
    r = await s.client.run("python3", [CLIENT, "upload", s.host, "9", String(bytes)], undefined, 10_000 + bytes / 200);
  } finally {
    err = await s.stop();
  }
  if (r.code !== 0) return `upload failed: ${r.stdout.toString().trim()}`;
  const m = /spi (\d+) transactions (\d+) bytes/.exec(err);
  if (!m) return `no SPI counts in the board's output`;
  const transactions = Number(m[1]), spiBytes = Number(m[2]);
  return {
    payloadBytes: bytes, transactions, spiBytes,
    bytesPerPayloadByte: spiBytes / bytes, transactionsPerKB: transactions / bytes * 1024,
  };
}
