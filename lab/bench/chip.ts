// Figures for the chip that are not a TAP row, each measured in the same bench run and written
// to bench.json under chip.<key>: the native board's SPI traffic per KB of payload on a discard
// upload (the W5500 model counts every transaction and byte). Another chip figure (the emulated
// lx106's instructions per byte, say) is one more entry in CHIP_FIGURES.
import { existsSync } from "node:fs";
import { NATIVE_BOARD } from "../../host/engine/board.js";
import { start, CLIENT } from "./engines.js";
import { CORES, XtensaCore, coreBuilt } from "../../host/engine/xtensa.js";
import { xtensaBench } from "./xtensa.js";

export type Figures = Record<string, number>;

export interface ChipFigure {
  key: string;
  /** Why it cannot be measured here, or null. */
  unavailable(): string | null;
  /** Measure with transfers of `bytes`; the figures, or why there are none. */
  run(bytes: number): Promise<Figures | string>;
  /** One line for the printed report. */
  describe(f: Figures): string;
}

/**
 * One discard upload of `bytes` to a fresh native board with the ESP32's default layout (what the
 * chip runs, not the bench row's 64 KiB rings); its SPI counts per payload byte that arrived.
 */
async function spiPerKB(bytes: number): Promise<Figures | string> {
  const s = await start("native-default");
  let err = "";
  let r: Awaited<ReturnType<typeof s.client.run>> | null = null;
  try {
    r = await s.client.run("python3", [CLIENT, "upload", s.host, "9", String(bytes), String(5 + bytes / 1e6)], undefined, 30_000 + bytes / 1e3);
  } finally {
    err = await s.stop();
  }
  if (r.code !== 0) return `upload failed: ${r.stdout.toString().trim()}`;
  const j = JSON.parse(r.stdout.toString().trim().split("\n").pop()!) as { bytes: number; partial?: boolean };
  const payload = j.bytes;
  if (!(payload > 0)) return "no payload arrived";
  const m = /spi (\d+) transactions (\d+) bytes/.exec(err);
  if (!m) return `no SPI counts in the board's output`;
  const transactions = Number(m[1]), spiBytes = Number(m[2]);
  return {
    payloadBytes: payload, partial: j.partial ? 1 : 0, transactions, spiBytes,
    bytesPerPayloadByte: spiBytes / payload, transactionsPerKB: transactions / payload * 1024,
  };
}

export const CHIP_FIGURES: ChipFigure[] = [
  {
    key: "spi",
    unavailable: () => (existsSync(NATIVE_BOARD) ? null : `${NATIVE_BOARD} not built`),
    run: spiPerKB,
    describe: (f) => `native board (default layout) SPI on a discard upload${f.partial ? " (cut at its time bound)" : ""}: ${f.bytesPerPayloadByte.toFixed(3)} bytes and ` +
      `${f.transactionsPerKB.toFixed(2)} transactions per KB of payload (goal: <= 1.05 and <= 2)`,
  },
  // The emulated Xtensa board on each core (bench/xtensa.ts): transfers of the bench's size, at most 1 MiB.
  // lx6-esp32: the ESP32's own core, where scripts/setup-qemu-esp32.sh built it (Espressif's overlay).
  ...([["xtensa", "lx106"], ["lx6", "lx6"], ["lx6-esp32", "lx6-esp32"]] as [string, XtensaCore][]).map(([key, core]): ChipFigure => ({
    key,
    unavailable: () => (coreBuilt(core) ? null : `${CORES[core].elf} or ${CORES[core].qemu} not built`),
    run: async (bytes) => {
      const r = await xtensaBench(Math.max(1, Math.min(1024, Math.round(bytes / 1024))), core);
      return { ...r.json, report: r.lines } as unknown as Figures;
    },
    describe: (f) => ((f as unknown as { report: string[] }).report).map((l) => `${key} board: ${l}`).join("\n"),
  })),
];
