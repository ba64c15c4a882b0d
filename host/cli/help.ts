// What `synack --help` and `synack COMMAND --help` print: every command's flags, each with its
// meaning and its default, from one table per command.

/** One flag: how it is written, what it does, and what holds when it is left out. */
interface Flag { flag: string; meaning: string; default?: string }

const SERVE: Flag[] = [
  { flag: "--tap IFNAME", meaning: "the TAP device to attach to (it must exist and be up)", default: "required" },
  { flag: "--ip A.B.C.D/N", meaning: "our address and its network's prefix length (a unicast host address of that network)", default: "required, or --dhcp" },
  { flag: "--dhcp", meaning: "lease an address from a DHCP server on the link instead of --ip; ready once leased", default: "off" },
  { flag: "--gw A.B.C.D", meaning: "the router for addresses off our network (on our network; with --dhcp the lease names it)", default: "none: on-link only" },
  { flag: "--mac xx:xx:xx:xx:xx:xx", meaning: "our Ethernet address (unicast)", default: "02:53:4b + the low three bytes of --ip; with --dhcp derived from the TAP's name, the same each run" },
  { flag: "--board NAME", meaning: "where the module runs: v8 (in this process), native (the C firmware under wasm3, boards/native), xtensa (that firmware on an emulated lx106 core, QEMU), lx6 (its windowed build on QEMU's de212, an LX6), lx6-esp32 (the same on the ESP32's own core, if scripts/setup-qemu-esp32.sh built that QEMU)", default: "v8" },
  { flag: "--services LIST", meaning: "built-in services, comma-separated: echo (7), discard (9), chargen (19), console (23), http (80), mdns (5353); all, or none", default: "all" },
  { flag: "--name NAME", meaning: "the mDNS name we answer to (NAME.local): letters, digits and '-'", default: "synack" },
  { flag: "--pcap FILE", meaning: "write every frame in and out to FILE (pcap; on a board, taken by tcpdump on the TAP)", default: "none" },
  { flag: "--conns N", meaning: "connection slots (1..1024)", default: "64 on v8; the board's 18 (17 for anyone, one kept for the console) on native and xtensa" },
  { flag: "--rx-ring BYTES", meaning: "each connection's receive ring, the window it offers (1024..65535)", default: "65535 on v8; 7168 on a board, its window growing from 384 with use (a shared pool)" },
  { flag: "--tx-ring BYTES", meaning: "each connection's send ring (1024..1048576)", default: "65536 on v8; 2048 on a board" },
  { flag: "--udp-sockets N", meaning: "UDP sockets that may be bound at once, each a 1.5 KB queue; mDNS takes one (1..16)", default: "8 on v8; 2 on a board" },
  { flag: "--msl MS", meaning: "maximum segment lifetime in ms; TIME-WAIT lasts twice this (1..600000)", default: "30000" },
  { flag: "--no-store", meaning: "a board compiles the module's code into its heap as the code runs (and again after its code budget), instead of once into its code store (flash) at start-up, run from there", default: "off: the code store, where the board has one" },
  { flag: "--verbose", meaning: "log the module's and the firmware's inner life (state changes, DHCP, the code store or code budget, heap) on stderr", default: "off: only the ready line and the shutdown" },
  { flag: "-h, --help", meaning: "this text" },
];

const DRILL: Flag[] = [
  { flag: "FILE.pkt...", meaning: "packetdrill scripts to run against the module in memory, on a virtual clock (no TAP, no root)", default: "at least one" },
  { flag: "--tolerant", meaning: "for scripts written for another stack: compare only the MSS among outbound options, ignore windows and buffer sizes", default: "off" },
  { flag: "--outbound-when-due", meaning: "packetdrill's rule: look at outbound segments only when an outbound line is due (strict otherwise: a segment sent before an inbound line or after the last line fails the script too)", default: "off (strict)" },
  { flag: "-h, --help", meaning: "this text" },
];

const DEMO: Flag[] = [
  { flag: "-h, --help", meaning: "this text" },
];

export const COMMANDS: Record<string, { usage: string; what: string; flags: Flag[]; after?: string }> = {
  serve: {
    usage: "synack serve --tap IFNAME (--ip A.B.C.D/N | --dhcp) [flags]",
    what: "Attach the stack to a TAP and serve its built-in services until Ctrl-C or SIGTERM. The first\n" +
      "signal closes every connection (FIN) and gives the peers 2 s, then resets what is left; a second\n" +
      "signal resets at once.",
    flags: SERVE,
    after: "Example:  ip netns exec demo synack serve --tap tap0 --ip 10.77.0.2/24   (README.md: Serving netcat)",
  },
  drill: {
    usage: "synack drill [--tolerant] [--outbound-when-due] FILE.pkt...",
    what: "Run packetdrill scripts against the module; the last line is `N passed, M failed` (exit 1 if any failed).",
    flags: DRILL,
  },
  demo: {
    usage: "synack demo",
    what: "What npm start runs: synack in a network namespace of its own, real nc sessions against it, and\n" +
      "each connection's handshake and teardown drawn as a ladder. Needs root.",
    flags: DEMO,
  },
};

function flagsText(flags: Flag[]): string {
  const w = Math.max(...flags.map((f) => f.flag.length)) + 2;
  return flags.map((f) => `  ${f.flag.padEnd(w)}${f.meaning}${f.default ? `\n  ${" ".repeat(w)}default: ${f.default}` : ""}`).join("\n");
}

/** The help of one command. */
export function commandHelp(cmd: string): string {
  const c = COMMANDS[cmd];
  return `usage: ${c.usage}\n\n${c.what}\n\n${flagsText(c.flags)}\n${c.after ? `\n${c.after}\n` : ""}`;
}

/** `synack --help`: the commands, then each command's help. */
export function overallHelp(): string {
  const list = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(7)}${c.what.split("\n")[0]}`).join("\n");
  return `usage: synack COMMAND [flags]    (synack COMMAND --help for one command)\n\n${list}\n` +
    `  ${"--version".padEnd(10)}The module's version: package version + git describe of its commit\n\n` +
    Object.keys(COMMANDS).map(commandHelp).join("\n");
}
