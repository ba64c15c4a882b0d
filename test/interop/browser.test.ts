// The HTTP pages in a real browser: headless Chromium, run inside the namespace, loads `/` and
// `/ladder` from `synack serve` (V8 and the native board). Checked: the DOM Chromium built (the
// state table with services and relative numbers, the ladder's arrows, labels and states), the
// ladder's ISNs against the handshake in the pcap, and the screenshots it drew (text on the page,
// the tables inside their boxes, the ladder's lifelines and arrows, nothing past 1000 px). It runs in
// npm test (about 3 s an engine); scripts/setup.sh installs chromium and says what that costs.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isRoot, STACK_IP, LINUX_IP } from "../../host/link/netns.js";
import { parseTcpFrame, TCP_FLAGS } from "../../host/link/wire.js";
import { serveInNetns, Served } from "../lib/served.js";
import { readPng, Image } from "../lib/png.js";
import { readPcap } from "../lib/pcapread.js";

/** Chromium as Debian installs it (scripts/setup.sh), or null. */
function findChromium(): string | null {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    try { return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || null; } catch { /* next */ }
  }
  return null;
}

const CHROMIUM = findChromium();
const skip = !isRoot() ? "needs root to create a network namespace and a TAP" : false;
const WIDTH = 1000, HEIGHT = 700, MARGIN = 32; // the pages' body margin is 2em of 16 px

/** Run Chromium headless inside the namespace with a fresh profile; its stdout. */
async function chromium(s: Served, args: string[]): Promise<string> {
  assert.ok(CHROMIUM, "chromium is not installed: scripts/setup.sh installs it (apt-get install chromium)");
  const profile = mkdtempSync(join(tmpdir(), "synack-chromium-"));
  try {
    const run = () => s.ns.run(CHROMIUM, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
      `--user-data-dir=${profile}`, `--window-size=${WIDTH},${HEIGHT}`, ...args], undefined, 60_000);
    let r = await run();
    // Chromium abandons a load when the namespace's interfaces change under it (the TAP's IPv6
    // link-local address leaving its tentative state, seconds after the link came up): once more.
    if (/ERR_NETWORK_CHANGED/.test(r.stderr)) r = await run();
    assert.equal(r.code, 0, `chromium ${args.join(" ")}: exit ${r.code}: ${r.stderr.slice(-500)}`);
    assert.doesNotMatch(r.stderr, /Page load failed/, r.stderr.slice(-500));
    return r.stdout.toString();
  } finally { rmSync(profile, { recursive: true, force: true }); }
}

const text = (html: string) => html.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** Fractions of the picture: near white, the <pre> boxes' grey (#f4f4f4), dark (text). */
function inks(img: Image, x0 = 0, x1 = img.width): { white: number; grey: number; dark: number } {
  let white = 0, grey = 0, dark = 0, all = 0;
  for (let y = 0; y < img.height; y++) for (let x = x0; x < x1; x++) {
    const i = (y * img.width + x) * 3, r = img.rgb[i], g = img.rgb[i + 1], b = img.rgb[i + 2];
    all++;
    if (r >= 250 && g >= 250 && b >= 250) white++;
    else if (r === 0xf4 && g === 0xf4 && b === 0xf4) grey++;
    else if (r + g + b < 3 * 128) dark++;
  }
  return { white: white / all, grey: grey / all, dark: dark / all };
}

for (const engine of ["v8", "native"] as const) {
  describe(`the pages in headless Chromium (${engine})`, { skip }, () => {
    let s: Served;
    const dir = mkdtempSync(join(tmpdir(), "synack-browser-"));
    const pcap = join(dir, "serve.pcap");
    before(async () => { s = await serveInNetns(engine, ["--pcap", pcap]); });
    after(async () => { await s?.stop(); rmSync(dir, { recursive: true, force: true }); });
    const url = (path: string) => `http://${STACK_IP}${path}`;

    test("/: the status page's DOM has the address, the engine, the state table with Chromium's own connection, the links", async () => {
      const dom = await chromium(s, ["--dump-dom", url("/")]);
      assert.match(dom, /<title>synack 10\.77\.0\.2<\/title>/);
      assert.match(dom, /<meta http-equiv="refresh" content="5">/, "it reloads itself");
      assert.match(dom, /<h1>synack<\/h1>/);
      assert.match(dom, /address <b>10\.77\.0\.2\/24<\/b> on <b>([^<]+)<\/b>/);
      assert.match(/ on <b>([^<]+)<\/b>/.exec(dom)![1], engine === "v8" ? /^V8, Node v\d+/ : /^native board/);
      assert.match(dom, /<a href="\/ladder">its ladder<\/a>/);
      const me = Number(/you are connection (\d+)/.exec(dom)?.[1]);
      assert.ok(Number.isInteger(me), "the page names the connection serving it");
      const rows = [...dom.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((c) => c[1]));
      assert.deepEqual(rows[0], ["id", "service", "state", "local", "remote", "sent", "acked", "received", "window"]);
      assert.ok(rows.some((r) => r.join(" ") === "L4 http LISTEN 10.77.0.2:80 *    "), `the HTTP listener, named:\n${rows.join("\n")}`);
      const mine = rows.find((r) => r[0] === String(me))!;
      assert.deepEqual(mine.slice(1, 4), ["http", "ESTABLISHED", "10.77.0.2:80"]);
      assert.match(mine[4], /^10\.77\.0\.1:\d+$/);
      const [sent, acked, received] = mine.slice(5, 8).map(Number);
      assert.ok(sent === 1 && acked === 1, `relative numbers: our SYN only, nothing of this page yet (${sent}, ${acked})`);
      assert.ok(received > 1 && received < 2000, `relative: the SYN and this request (${received})`);
      assert.match(text(dom), /tcpPassiveOpens\s*[1-9]\d*/);
    });

    test("/ladder: Chromium shows its own handshake drawn, and the ISNs are the wire's", async () => {
      const dom = await chromium(s, ["--dump-dom", url("/ladder")]);
      const shown = text(dom);
      const head = /10\.77\.0\.1:(\d+) \(you\) and 10\.77\.0\.2:80 \(synack\), now ESTABLISHED/.exec(shown);
      assert.ok(head, shown);
      const port = Number(head[1]);
      const [, irs, iss] = /your ISN (\d+), synack's ISN (\d+)/.exec(shown)!.map(Number);
      assert.match(dom, /<svg width="900" height="\d+"/);
      const labels = [...dom.matchAll(/<text x="450" y="\d+">([^<]*)<\/text>/g)].map((m) => m[1]);
      assert.deepEqual(labels.slice(0, 3), ["SYN seq=0", "SYN,ACK seq=0 ack=1", "ACK seq=1 ack=1"]);
      assert.match(labels[3], /^PSH,ACK seq=1 ack=1 len=\d+ GET \/ladder$/);
      assert.match(labels[4], /^PSH,ACK seq=1 ack=\d+ this response$/);
      assert.equal((dom.match(/<line x1=/g) ?? []).length, 5, "one arrow per segment: three for the handshake, the request, its response");
      const states = [...dom.matchAll(/<text class="[re]" x="\d+" y="\d+">([^<]*)<\/text>/g)].map((m) => m[1]);
      assert.deepEqual(states, ["SYN-SENT", "LISTEN", "SYN-RECEIVED", "ESTABLISHED", "ESTABLISHED", "ESTABLISHED", "ESTABLISHED"]);
      assert.match(shown, /1 request on this connection so far\./);
      // The pcap of the same run (complete once serve has stopped: tcpdump writes it on the board).
      await s.stop();
      const segs = readPcap(readFileSync(pcap)).map(parseTcpFrame).filter((g) => g !== null);
      const syn = segs.find((g) => g.srcPort === port && g.dstPort === 80 && (g.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === TCP_FLAGS.SYN);
      const synAck = segs.find((g) => g.srcPort === 80 && g.dstPort === port && (g.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === (TCP_FLAGS.SYN | TCP_FLAGS.ACK));
      assert.ok(syn && synAck, `the handshake of port ${port} is in the pcap (${segs.length} TCP segments)`);
      assert.equal(syn.seq, irs, "the SYN's seq is the ISN the page shows as yours");
      assert.equal(synAck.seq, iss, "our SYN-ACK's seq is the ISN the page shows as synack's");
      assert.equal(synAck.ack, (irs + 1) >>> 0);
      s = await serveInNetns(engine, ["--pcap", pcap]); // for the screenshots
    });

    for (const path of ["/", "/ladder"]) {
      test(`${path}: a screenshot with text on it, and nothing spilling into the right margin`, async () => {
        const file = join(dir, `shot${path.replace(/\//g, "_")}.png`);
        await chromium(s, [`--screenshot=${file}`, url(path)]);
        const png = readFileSync(file);
        assert.ok(png.length > 4000, `a real picture, not an empty page (${png.length} bytes)`);
        const img = readPng(png);
        assert.deepEqual([img.width, img.height], [WIDTH, HEIGHT]);
        const all = inks(img);
        assert.ok(all.dark > 0.005, `text drawn: ${(all.dark * 100).toFixed(2)} % dark pixels`);
        assert.ok(all.white > 0.3, `a light page: ${(all.white * 100).toFixed(1)} % white`);
        if (path === "/") assert.ok(all.grey > 0.05, `the tables' grey boxes: ${(all.grey * 100).toFixed(1)} %`);
        if (path === "/ladder") {
          // The drawing: the two lifelines (x 190 and 710 of the SVG, after the 32 px margin) drawn
          // down the picture, and the arrows' labels between them.
          const column = (x: number) => { let n = 0; for (let y = 0; y < img.height; y++) { const i = (y * img.width + x) * 3; if (img.rgb[i] < 200) n++; } return n; };
          for (const x of [MARGIN + 190, MARGIN + 710]) assert.ok(column(x) > 150, `a lifeline at x=${x}: ${column(x)} px`);
          assert.ok(inks(img, MARGIN + 200, MARGIN + 700).dark > 0.01, "arrows and labels between the lifelines");
        }
        const margin = inks(img, WIDTH - MARGIN + 4, WIDTH);
        assert.equal(margin.dark, 0, "no text beyond the page's right margin (wide tables scroll inside their box)");
      });
    }
  });
}
