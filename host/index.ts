// synack as a library: the one public entry (package.json "exports"). Everything a program
// built on synack needs is exported from here; the rooms behind it are:
//   engine/  the module's loader and ABI mirror, and the boards that run it
//   link/    how frames reach a wire: TAP, network namespaces, pcap, frame helpers
//   drill/   synack drill: packetdrill scripts against the module, and the scripted peer
//   cli/     the synack command and its pictures (the ladder)
export { Stack, LayoutError, RealClock, ManualClock, defaultMac, DEFAULT_WASM } from "./engine/stack.js";
export type { Clock, StackOptions, Layout } from "./engine/stack.js";
export { Runner } from "./engine/runner.js";
export type { Link } from "./link/link.js";
export { E, STATES, SERVICES, servicesMask } from "./engine/abi.js";
export type { SynackExports, StateName, ServiceName } from "./engine/abi.js";
export { TapLink } from "./link/tap.js";
export { PcapWriter } from "./link/pcap.js";
export { parseIp, ipToString } from "./link/wire.js";
// The socket API (docs/api.md): stacks on a TAP or in memory, node:net-like TCP.
export { openStack, NetStack, NODE_LAYOUT } from "./api/netstack.js";
export type { OpenOptions, BoardName } from "./api/netstack.js";
export type { StackCalls, Datagram } from "./engine/calls.js";
export { Socket } from "./api/socket.js";
export type { ConnectOptions } from "./api/socket.js";
export { Server } from "./api/server.js";
export type { ServerOptions } from "./api/server.js";
export { MemoryLink } from "./api/memlink.js";
export type { SynackError } from "./api/errors.js";
export { UdpSocket } from "./api/dgram.js";
export type { RemoteInfo } from "./api/dgram.js";
