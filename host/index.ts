// synack as a library: the one public entry (package.json "exports"). Everything a program
// built on synack needs is exported from here; the rooms behind it are:
//   engine/  the module's loader and ABI mirror, and the boards that run it
//   link/    how frames reach a wire: TAP, network namespaces, pcap, frame helpers
//   lab/     the scripted peer, simulator, fuzzer and bench (tools, not API)
//   cli/     the synack command and its pictures (the ladder)
export { Stack, Runner, RealClock, ManualClock, defaultMac, DEFAULT_WASM } from "./engine/stack.js";
export type { Clock, Link, StackOptions } from "./engine/stack.js";
export { E, STATES } from "./engine/abi.js";
export type { SynackExports, StateName } from "./engine/abi.js";
export { TapLink } from "./link/tap.js";
export { PcapWriter } from "./link/pcap.js";
export { parseIp, ipToString } from "./link/wire.js";
