// The HTTP pages in a real browser: headless Chromium, run inside the namespace, loads `/` and
// `/ladder` from `synack serve` (V8 and the native board). Checked: the DOM Chromium built (the
// state table, the ladder's handshake rows), the ladder's numbers against the handshake in the
// pcap, and the screenshots it drew (text on the page, the tables inside their boxes). It runs in
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
    const r = await s.ns.run(CHROMIUM, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
      `--user-data-dir=${profile}`, `--window-size=${WIDTH},${HEIGHT}`, ...args], undefined, 60_000);
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

    test("/: the status page's DOM has the address, the state table with Chromium's own connection, the links", async () => {
      const dom = await chromium(s, ["--dump-dom", url("/")]);
      assert.match(dom, /<title>synack 10\.77\.0\.2<\/title>/);
      assert.match(dom, /<h1>synack<\/h1>/);
      assert.match(dom, /address <b>10\.77\.0\.2\/24<\/b>/);
      assert.match(dom, /<a href="\/ladder">its ladder<\/a>/);
      assert.match(dom, /<h2>Connections \(RFC 9293 states\)<\/h2><pre>id\s+state\s+local\s+remote\s+snd\.una/);
      const me = Number(/you are connection (\d+)/.exec(dom)?.[1]);
      assert.ok(Number.isInteger(me), "the page names the connection serving it");
      const table = text(/<h2>Connections[^]*?<pre>([^]*?)<\/pre>/.exec(dom)![1]);
      assert.match(table, /^L +\d+ LISTEN +10\.77\.0\.2:80 +0\.0\.0\.0:\*/m, "the HTTP listener");
      const row = new RegExp(`^ *${me} +ESTABLISHED +10\\.77\\.0\\.2:80 +${LINUX_IP.replace(/\./g, "\\.")}:(\\d+) +\\d+ +\\d+ +\\d+`, "m");
      assert.match(table, row, `connection ${me}, ESTABLISHED from Chromium, with its sequence numbers:\n${table}`);
      assert.match(text(dom), /tcpPassiveOpens\s+[1-9]\d*\n/);
    });

    test("/ladder: Chromium shows its own handshake, and the seq/ack numbers are the wire's", async () => {
      const shown = text(await chromium(s, ["--dump-dom", url("/ladder")]));
      const head = /This connection, as it happened \(10\.77\.0\.2:80 <-> 10\.77\.0\.1:(\d+), ESTABLISHED\)/.exec(shown);
      assert.ok(head, shown);
      const port = Number(head[1]);
      const [, iss, irs] = /synack ISS (\d+), your ISN \(IRS\) (\d+)/.exec(shown)!.map(Number);
      const plus1 = (n: number) => (n + 1) >>> 0;
      assert.match(shown, new RegExp(`synack <---- SYN      seq=${irs}\n`));
      assert.match(shown, new RegExp(`synack ----> SYN,ACK  seq=${iss} ack=${plus1(irs)}\n`));
      assert.match(shown, new RegExp(`synack <---- ACK      seq=${plus1(irs)} ack=${plus1(iss)}\n`));
      assert.match(shown, new RegExp(`synack <---- request 1: GET /ladder \\(\\d+ bytes\\) seq=${plus1(irs)}\n`));
      assert.match(shown, /1 request on this connection so far\./);
      // The pcap of the same run (complete once serve has stopped: tcpdump writes it on the board).
      await s.stop();
      const segs = readPcap(readFileSync(pcap)).map(parseTcpFrame).filter((g) => g !== null);
      const syn = segs.find((g) => g.srcPort === port && g.dstPort === 80 && (g.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === TCP_FLAGS.SYN);
      const synAck = segs.find((g) => g.srcPort === 80 && g.dstPort === port && (g.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === (TCP_FLAGS.SYN | TCP_FLAGS.ACK));
      assert.ok(syn && synAck, `the handshake of port ${port} is in the pcap (${segs.length} TCP segments)`);
      assert.equal(syn.seq, irs, "the SYN's seq is the IRS the page shows");
      assert.equal(synAck.seq, iss, "our SYN-ACK's seq is the ISS the page shows");
      assert.equal(synAck.ack, plus1(irs));
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
        const margin = inks(img, WIDTH - MARGIN + 4, WIDTH);
        assert.equal(margin.dark, 0, "no text beyond the page's right margin (wide tables scroll inside their box)");
      });
    }
  });
}
