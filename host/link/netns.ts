// Network namespaces with a TAP inside, for the demo and the tests: everything synack sends stays
// in a namespace we made (10.77.0.0/24), and the namespace is deleted when we are done.
import { execFileSync, spawn, ChildProcess, SpawnOptions } from "node:child_process";

export const LINUX_IP = "10.77.0.1";
export const STACK_IP = "10.77.0.2";
export const PREFIX = 24;

const live = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => { for (const n of live) deleteNetns(n); });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => { for (const n of live) deleteNetns(n); process.exit(130); });
  }
}

export function isRoot(): boolean { return typeof process.getuid === "function" && process.getuid() === 0; }

function ip(...args: string[]): void { execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] }); }

export function deleteNetns(name: string): void {
  try { ip("netns", "del", name); } catch { /* already gone */ }
  live.delete(name);
}

export class Netns {
  readonly tap = "tap0";
  constructor(readonly name: string) {}

  /** Start a command inside the namespace. */
  spawn(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    return spawn("ip", ["netns", "exec", this.name, cmd, ...args], opts);
  }

  /** Run a command inside the namespace to completion, with optional stdin. */
  run(cmd: string, args: string[], input?: Uint8Array | string, timeoutMs = 60_000):
      Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
    return new Promise((resolve) => {
      const child = this.spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
      const out: Buffer[] = [];
      let err = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.stdout!.on("data", (d) => out.push(d));
      child.stderr!.on("data", (d) => { err += d; });
      child.stdin!.on("error", () => {});
      child.on("close", (code) => { clearTimeout(timer); resolve({ code, stdout: Buffer.concat(out), stderr: err }); });
      if (input !== undefined) child.stdin!.end(input); else child.stdin!.end();
    });
  }

  execSync(cmd: string, args: string[]): string {
    return execFileSync("ip", ["netns", "exec", this.name, cmd, ...args], { encoding: "utf8" });
  }

  destroy(): void { deleteNetns(this.name); }
}

/**
 * A new namespace `synack-<tag>-<pid>` holding tap0, up, with Linux's side at 10.77.0.1/24.
 * It is deleted on destroy(), and on exit or a signal if the caller forgets.
 */
export function createNetns(tag = "t"): Netns {
  hookExit();
  const name = `synack-${tag}-${process.pid}-${live.size}`;
  deleteNetns(name);
  ip("netns", "add", name);
  live.add(name);
  try {
    const n = new Netns(name);
    ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
    ip("netns", "exec", name, "ip", "tuntap", "add", "dev", n.tap, "mode", "tap");
    ip("netns", "exec", name, "ip", "addr", "add", `${LINUX_IP}/${PREFIX}`, "dev", n.tap);
    ip("netns", "exec", name, "ip", "link", "set", n.tap, "up");
    return n;
  } catch (e) {
    deleteNetns(name);
    throw e;
  }
}
