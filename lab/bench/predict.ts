// A real ESP32 + W5500's throughput predicted from the emulated board's counts: the firmware's
// instructions per payload byte at 240 MHz (one per cycle), plus the SPI bus for the bytes and
// transactions the W5500 driver sent per payload byte (the polling driver waits for each, so CPU
// and bus time add up). The per-transaction cost (chip select, the driver's call) is stated with
// each figure: 1 us is what the emulated HAL counts; a slower spi_master call moves the figure.
export const CPU_HZ = 240e6;
export const SPI_MHZ = [20, 40] as const;
export const TRANSACTION_US = 1;
/** ESP-IDF's own lwIP over the W5500 at a 20 MHz SPI clock, as reported for the ESP32 (Mbit/s, TCP up/down). */
export const IDF_LWIP_MBITS = { up: 8, down: 6 };

export interface PerByte { firmware_per_byte: number; spi_bytes: number; spi_transactions: number; bytes: number }

/** Payload Mbit/s at a SPI clock of spiMhz. */
export function predictMbits(p: PerByte, spiMhz: number, transactionUs = TRANSACTION_US): number {
  const cpu = p.firmware_per_byte / CPU_HZ;
  const bus = (p.spi_bytes / p.bytes) * 8 / (spiMhz * 1e6) + (p.spi_transactions / p.bytes) * transactionUs * 1e-6;
  return 8 / (cpu + bus) / 1e6;
}

/** The bus alone: payload Mbit/s if the CPU took no time (SPI bytes per payload byte at spiMhz). */
export function busLimitMbits(p: PerByte, spiMhz: number, transactionUs = TRANSACTION_US): number {
  const bus = (p.spi_bytes / p.bytes) * 8 / (spiMhz * 1e6) + (p.spi_transactions / p.bytes) * transactionUs * 1e-6;
  return 8 / bus / 1e6;
}

/** One line per transfer: predicted, bus limit, at 20 and 40 MHz. */
export function predictLine(name: string, p: PerByte): { line: string; json: Record<string, number> } {
  const json: Record<string, number> = {};
  const parts = SPI_MHZ.map((mhz) => {
    const m = predictMbits(p, mhz), bus = busLimitMbits(p, mhz);
    json[`mbits_${mhz}mhz`] = +m.toFixed(2);
    json[`bus_limit_${mhz}mhz`] = +bus.toFixed(2);
    return `${m.toFixed(1)} Mbit/s at SPI ${mhz} MHz (bus alone ${bus.toFixed(1)})`;
  });
  return { line: `${name.padEnd(7)} predicted on a 240 MHz ESP32: ${parts.join(", ")}`, json };
}

/** Milliseconds a run of `insns` firmware instructions takes on the ESP32 at CPU_HZ, one per cycle. */
export function predictMs(insns: number): number {
  return insns / CPU_HZ * 1000;
}
