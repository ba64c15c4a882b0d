// The version string: package.json's version + `git describe` of the commit, made at build time
// (scripts/ascii-transform.mjs) and said by the module itself, the console, the HTTP pages,
// `synack --version` and the board (synack_version in synack.h; its boot log).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { PACKAGE_ROOT, moduleVersion } from "../../host/engine/stack.js";
import { Peer } from "../lib/harness.js";

const pkg = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
const git = (...args: string[]) => spawnSync("git", args, { cwd: PACKAGE_ROOT, encoding: "utf8" });
const top = git("rev-parse", "--show-toplevel");
const inCheckout = top.status === 0 && resolve(top.stdout.trim()) === resolve(PACKAGE_ROOT);
const expected = inCheckout ? `${pkg.version}+${git("describe", "--tags", "--always", "--abbrev=12").stdout.trim()}` : pkg.version;

/** Everything the module sends on a fresh connection to port after `request`. */
function ask(port: number, request: string): string {
  const p = new Peer();
  p.sport = 43000 + port;
  p.tcp({ dport: port, seq: 1000, flags: "S", mss: 1460 });
  const sa = p.expect("SA");
  p.tcp({ dport: port, seq: 1001, ack: sa.seq + 1, flags: request ? "PA" : "A", data: request });
  let text = "";
  for (let s = p.next(); s; s = p.next()) text += Buffer.from(s.data).toString();
  return text;
}

test("the module says the version it was built as: package version + git describe of the commit", () => {
  assert.match(expected, /^\d+\.\d+\.\d+(\+[0-9a-zA-Z.-]+)?$/);
  assert.equal(moduleVersion(), expected);
});

test("synack --version prints it, from the module", () => {
  const r = spawnSync(process.execPath, [resolve(PACKAGE_ROOT, "bin/synack.js"), "--version"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `synack ${expected}\n`);
});

test("the console's banner and the HTTP pages carry it", () => {
  assert.match(ask(23, ""), new RegExp(`^synack ${expected.replace(/[.+]/g, "\\$&")} console: help`));
  const json = ask(80, "GET /status.json HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  assert.equal(JSON.parse(json.slice(json.indexOf("\r\n\r\n") + 4)).version, expected);
  assert.ok(ask(80, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").includes(`<p>version ${expected}, address`));
});

test("the ESP-IDF component's idf_component.yml has the package's version", () => {
  const yml = readFileSync(resolve(PACKAGE_ROOT, "boards/esp32/components/synack/idf_component.yml"), "utf8");
  assert.equal(/^version: "([^"]+)"$/m.exec(yml)?.[1], pkg.version);
});
