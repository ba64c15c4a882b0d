// Loss on the path: a client in a namespace of its own behind a router namespace whose forward
// chain drops data segments at random. Dropping in the sending namespace's output hook measures
// nothing: the sending kernel sees its own send fail and sends again, so no segment is lost on the
// wire. Forwarded, a dropped segment is gone, and the sender learns of it only from the other end.
//
// The router is the namespace that already holds the server's link: the Linux side of the TAP
// (synack, lwIP) or the client's end of the veth to the Linux server. It keeps 10.77.0.1/24 there
// and gains a veth to the client: the router 10.77.0.129/25, the client 10.77.0.130/25 with its
// default route through the router. The server keeps its /24 and no gateway: it finds the client
// on-link, and the router answers its ARP for it (proxy ARP), so no engine needs a route.
// Used by the bench's lossy columns (bench/measure.ts) and by pathloss.ts.
import { execFileSync } from "node:child_process";
import { createNetns, Netns } from "../host/link/netns.js";

export const CLIENT_IP = "10.77.0.130";
const ROUTER_IP = "10.77.0.129";
const TABLE = "synackpath";

/** Upload: data segments toward the server are dropped; download: toward the client. */
export type Direction = "upload" | "download";

/** Where the server is, seen from the router namespace. */
export interface ServerLink {
  /** The namespace that holds the server's link; it becomes the router. */
  router: Netns;
  /** The router's interface toward the server (tap0, or the veth to the Linux server). */
  routerIf: string;
  /** The server's address (on-link from the router). */
  host: string;
  /** When the server is a Linux kernel: its interface, whose GSO is capped while the path exists. */
  kernelIf?: { ns: Netns; name: string };
}

export interface LossyPath {
  /** The namespace the client runs in (reaches `host` through the router). */
  client: Netns;
  /** Drop `perMille` of the data segments (IP length > 100: not bare ACKs) in `dir`, at random. */
  lossOn(perMille: number, dir: Direction): void;
  /** Stop dropping; the number of segments dropped since lossOn. */
  lossOff(): number;
  /** Delete the client namespace, the router's veth to it and the loss table; uncap the Linux server's GSO. */
  destroy(): void;
}

const inNs = (ns: Netns, ...a: string[]) => execFileSync("ip", ["netns", "exec", ns.name, ...a], { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
const nft = (ns: Netns, script: string) => execFileSync("ip", ["netns", "exec", ns.name, "nft", "-f", "-"], { input: script, encoding: "utf8" });

/**
 * Put a new client namespace behind `s.router`. GSO is capped at one segment on every sender's
 * way out (the client's veth, and the Linux server's), so each packet the router's forward chain
 * sees is one segment on the wire.
 */
export function behindRouter(s: ServerLink): LossyPath {
  const client = createNetns("pathc");
  const gso = (ns: Netns, dev: string, n: number) => inNs(ns, "ip", "link", "set", dev, "gso_max_segs", String(n));
  const undo = () => {
    try { inNs(s.router, "nft", "delete", "table", "ip", TABLE); } catch { /* not there */ }
    try { inNs(s.router, "ip", "link", "del", "v1"); } catch { /* went with the client's end */ }
    if (s.kernelIf) try { gso(s.kernelIf.ns, s.kernelIf.name, 65535); } catch { /* namespace gone */ }
    client.destroy();
  };
  try {
    inNs(client, "ip", "link", "del", client.tap);
    execFileSync("ip", ["link", "add", "v0", "netns", client.name, "type", "veth", "peer", "name", "v1", "netns", s.router.name]);
    inNs(client, "ip", "addr", "add", `${CLIENT_IP}/25`, "dev", "v0");
    inNs(client, "ip", "link", "set", "v0", "up");
    inNs(client, "ip", "route", "add", "default", "via", ROUTER_IP);
    gso(client, "v0", 1);
    if (s.kernelIf) gso(s.kernelIf.ns, s.kernelIf.name, 1);
    inNs(s.router, "ip", "addr", "add", `${ROUTER_IP}/25`, "dev", "v1");
    inNs(s.router, "ip", "link", "set", "v1", "up");
    inNs(s.router, "sysctl", "-qw", "net.ipv4.ip_forward=1", `net.ipv4.conf.${s.routerIf}.proxy_arp=1`,
      `net.ipv4.neigh.${s.routerIf}.proxy_delay=0`);
    inNs(client, "ping", "-c", "1", "-W", "2", s.host);
  } catch (e) {
    undo();
    throw e;
  }
  return {
    client,
    lossOn(perMille, dir) {
      nft(s.router, `table ip ${TABLE} {\n chain hop {\n  type filter hook forward priority 0; policy accept;\n` +
        `  ip daddr ${dir === "upload" ? s.host : CLIENT_IP} ip length > 100 numgen random mod 1000 < ${perMille} counter drop\n }\n}\n`);
    },
    lossOff() {
      const text = nft(s.router, `list table ip ${TABLE}\n`);
      nft(s.router, `delete table ip ${TABLE}\n`);
      return Number(/counter packets (\d+)/.exec(text)?.[1] ?? 0);
    },
    destroy: undo,
  };
}
