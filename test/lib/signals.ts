// Stopping a program that holds connections, as a user does (Ctrl-C once or twice, SIGTERM), and
// checking what Linux and the process table see: an idle nc session open, FIN first, RST after the
// grace (or at once on the second signal), the program gone with every process it started.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { STACK_IP, type Netns } from "../../host/link/netns.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every process below pid (children, theirs...). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch { /* gone meanwhile */ }
  }
  const out: number[] = [];
  for (let frontier = [pid]; frontier.length;) {
    const next = [...parent].filter(([, pp]) => frontier.includes(pp)).map(([p]) => p);
    out.push(...next);
    frontier = next;
  }
  return out;
}

/** Linux's TCP sockets towards the stack, as ss lists them. */
export const linuxSockets = (ns: Netns, port: number) => ns.execSync("ss", ["-tanH", "dst", `${STACK_IP}:${port}`]);

/**
 * An idle nc session to port (hello sent, an answer awaited), then `signals` to the program; returns what it printed on stderr
 * after them, its exit code and what Linux saw just after the first signal.
 */
export async function stopHolding(ns: Netns, prog: ChildProcess, port: number, signals: NodeJS.Signals[], hello = "hello\n"):
    Promise<{ err: string; code: number | null; afterFirst: string }> {
  const nc = ns.spawn("nc", [STACK_IP, String(port)], { stdio: ["pipe", "pipe", "ignore"] });
  try {
    nc.stdin!.write(hello);
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error("nc got no echo")), 10_000);
      nc.stdout!.on("data", () => { clearTimeout(t); res(); });
    });
    const kids = descendants(prog.pid!);
    let err = "";
    prog.stderr!.on("data", (d) => { err += d; });
    const exited = new Promise<number | null>((r) => prog.once("exit", (c) => r(c)));
    prog.kill(signals[0]);
    let afterFirst = "";
    for (let t = 0; t < 1500 && !/CLOSE-WAIT/.test(afterFirst); t += 50) { await sleep(50); afterFirst = linuxSockets(ns, port); }
    for (const s of signals.slice(1)) prog.kill(s);
    const code = await Promise.race([exited, sleep(8000).then(() => "hung" as const)]);
    assert.notEqual(code, "hung", `still running after ${signals.join(", ")}: ${err}`);
    await sleep(300);
    const left = kids.filter((k) => { try { return readFileSync(`/proc/${k}/stat`, "utf8").length > 0; } catch { return false; } });
    assert.deepEqual(left, [], `processes left behind (zombies or orphans): ${left}`);
    return { err, code: code as number | null, afterFirst };
  } finally { nc.kill("SIGKILL"); }
}
