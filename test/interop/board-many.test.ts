// A board that serves like a server (issue 16), on its own default layout: 16 echo clients held
// open at once, each echoed intact while an HTTP page is fetched; the table's last place for
// anyone taken, one more client is refused cleanly (its SYN dropped and counted, never a
// handshake then resets), the console still answers, and once a client leaves a new one gets in.
// On the native board and the emulated Xtensa boards. Needs root; skips otherwise.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ChildProcess } from "node:child_process";
import { isRoot, STACK_IP } from "../../host/link/netns.js";
import { serveInNetns, Served, XTENSA_BUILT, WINDOWED_ENGINES, Engine } from "../lib/served.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An nc client kept open: what it wrote, what came back so far, and its exit. */
interface Held { child: ChildProcess; data: Buffer; got: Buffer[]; done: Promise<number | null> }

function hold(s: Served, data: Buffer): Held {
  const child = s.ns.spawn("nc", ["-N", STACK_IP, "7"], { stdio: ["pipe", "pipe", "pipe"] });
  const h: Held = { child, data, got: [], done: new Promise((res) => child.on("close", res)) };
  child.stdout!.on("data", (d: Buffer) => h.got.push(d));
  child.stdin!.on("error", () => {});
  child.stdin!.write(data);
  return h;
}
const echoed = (h: Held) => h.got.reduce((n, b) => n + b.length, 0);

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The console's `conns` and `stats`, through the slot kept for it. */
async function consoleSays(s: Served): Promise<string> {
  const r = await s.ns.run("nc", ["-N", STACK_IP, "23"], "conns\nstats\nquit\n", 60_000);
  assert.equal(r.code, 0, "the console answers");
  return r.stdout.toString();
}
const counterOf = (text: string, name: string) => Number(new RegExp(`${name}\\s+(\\d+)`).exec(text)?.[1] ?? -1);
const echoRows = (text: string) => (text.match(/ESTABLISHED +10\.77\.0\.2:7 /g) ?? []).length;

const engines: Engine[] = ["native", ...(XTENSA_BUILT ? ["xtensa" as const] : []), ...WINDOWED_ENGINES];
for (const engine of engines) {
  describe(`board ${engine}, its default layout`, { skip }, () => {
    test("16 echo clients at once, intact, while a page is served; one over the limit refused cleanly; the console answers; a leaver's place is taken", { timeout: 300_000 }, async () => {
      const s = await serveInNetns(engine, ["--services", "echo,console,http"], {}, true);
      const held: Held[] = [];
      try {
        // The emulated cores run the firmware far slower than a chip (the windowed LX6 slowest:
        // its acknowledgments lag Linux's retransmission timer under heavier loads), so less each.
        const size = engine === "native" ? 16 * 1024 : engine === "xtensa" ? 2 * 1024 : 512;
        for (let i = 0; i < 16; i++) held.push(hold(s, randomBytes(size)));
        // While they are served, a page on a connection of its own.
        const page = await s.ns.run("curl", ["-s", "-m", "120", `http://${STACK_IP}/`], undefined, 130_000);
        assert.equal(page.code, 0, `curl: ${page.stderr}`);
        assert.match(page.stdout.toString(), /^<!doctype html>[^]*<\/html>\n$/, "the status page, whole");
        await until("the 16 echoes", () => held.every((h) => echoed(h) === size), 180_000).catch(async (e) => {
          throw new Error(`${e.message}: ${held.map(echoed)}\n${await consoleSays(s)}`);
        });
        // 16 held: the page's place goes to a 17th client, the last the table has for anyone.
        const last = hold(s, Buffer.from("the seventeenth\n"));
        held.push(last);
        await until("the 17th echo", () => echoed(last) === last.data.length, 60_000);
        // One more finds no connection record: its SYNs are dropped, it never connects.
        const more = await s.ns.run("nc", ["-w", "3", "-N", STACK_IP, "7"], "one too many\n", 30_000);
        assert.notEqual(more.code, 0, "refused: never connected");
        assert.equal(more.stdout.length, 0, "and nothing echoed as if it were served");
        const said = await consoleSays(s);
        assert.equal(echoRows(said), 17, `17 echo connections held:\n${said}`);
        assert.ok(counterOf(said, "tcpDropNoSlot") >= 1, "the refusal counted");
        assert.equal(counterOf(said, "tcpCookieNoSlotRsts"), 0, "no handshake completed and then reset");
        // A client leaves; a new one gets in.
        held[0].child.stdin!.end();
        assert.equal(await held[0].done, 0);
        const back = await s.ns.run("nc", ["-N", STACK_IP, "7"], "back in\n", 60_000);
        assert.equal(back.stdout.toString(), "back in\n");
        for (const h of held) h.child.stdin!.end();
        for (const h of held) assert.equal(await h.done, 0);
        held.forEach((h, i) => assert.ok(Buffer.concat(h.got).equals(h.data), `client ${i} intact`));
      } finally {
        for (const h of held) h.child.kill();
        await s.stop();
      }
    });
  });
}
