// What `synack serve` asks of an engine (V8 or a board): parsed by the CLI, taken by every engine.
export interface ServeOptions {
  tap: string; ip: number; prefixLen: number; gw: number; mac: Uint8Array;
  pcap?: string; msl?: number; verbose: boolean; board: "v8" | "native";
  /** Built-in services (SERVICES mask). */
  services: number;
  /** mDNS name (label before .local). */
  name?: string;
}
