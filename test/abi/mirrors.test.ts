// The mirrors of the ABI table (assembly/abi.table.json): the host's typed exports and constants
// (host/engine/abi.ts), the C socket API and firmware (boards/common, and the
// control protocol that carries it to host/engine/control.ts), and the docs' table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { ROOT, readTable, source, camel } from "../lib/abitable.js";
import { E, ERRNO_NAMES, STATES, SERVICES, ALL_SERVICES } from "../../host/engine/abi.js";

const table = readTable();

test("host/engine/abi.ts: SynackExports has every export, with the table's arguments and results", () => {
  const body = /export interface SynackExports \{([\s\S]*?)\n\}/.exec(source("host/engine/abi.ts"))![1];
  const got = [...body.matchAll(/^ {2}(\w+)\(([^)]*)\): (\w+);/gm)].map((m) => [m[1], {
    args: m[2].split(",").map((a) => a.split(":")[0].trim()).filter(Boolean), result: m[3],
  }] as const);
  const want = table.exports.map((f) => [f.name, {
    args: f.args.map(([n]) => camel(n)), result: f.result === "void" ? "void" : "number",
  }] as const);
  assert.deepEqual(new Map([...got].sort()), new Map([...want].sort()));
  assert.match(body, new RegExp(`^ {2}${table.memory}: WebAssembly\\.Memory;`, "m"));
});

test("host/engine/abi.ts: error codes, their errno names, states and services are the table's", () => {
  const errors = Object.entries(table.errors);
  assert.deepEqual(E, Object.fromEntries(errors.map(([k, v]) => [k.slice(2), v.value])));
  assert.deepEqual(ERRNO_NAMES, Object.fromEntries(errors.map(([, v]) => [v.value, v.errno])));
  assert.deepEqual([...STATES], table.states);
  assert.deepEqual(SERVICES, table.services);
  assert.equal(ALL_SERVICES, Object.values(table.services).reduce((a, b) => a | b, 0));
});

test("boards/common/synack.h: error codes and states are the table's", () => {
  const h = source("boards/common/synack.h");
  const defines = Object.fromEntries([...h.matchAll(/#define SYNACK_(E\w+) \((-\d+)\)/g)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(defines, Object.fromEntries(Object.values(table.errors).map((v) => [v.errno, v.value])));
  const states = /enum synack_state \{([^}]*)\}/.exec(h)![1].split(",").map((s) => s.trim()).filter(Boolean);
  assert.deepEqual(states, table.states.map((s) => `SYNACK_${s.replace(/-/g, "_")}`));
});

test("boards/common: the C calls are the table's (synack.h declares them, synack.c calls their export with its arguments)", () => {
  const h = source("boards/common/synack.h"), c = source("boards/common/synack.c");
  const declaredC = [...h.matchAll(/^\w[\w ]*?\*?\b(synack_\w+)\(/gm)].map((m) => m[1]).sort();
  assert.deepEqual(declaredC, table.exports.filter((f) => f.c).map((f) => f.c!).sort());
  for (const f of table.exports.filter((x) => x.c)) {
    // A one-line definition, or one whose body ends at the next closing brace in column 0.
    const def = new RegExp(`^\\w[\\w ]*?\\b${f.c}\\([^)]*\\) \\{(.*)\\}$|^\\w[\\w ]*?\\b${f.c}\\([^)]*\\) \\{\n([\\s\\S]*?)^\\}`, "m").exec(c);
    assert.ok(def, `${f.c} is not defined in synack.c`);
    assert.match(def[1] ?? def[2], new RegExp(`"${f.name}"`), `${f.c} does not call ${f.name}`);
  }
  // Every export the C code names exists, and each call passes the table's count of arguments.
  const byName = new Map(table.exports.map((f) => [f.name, f]));
  const vars = new Map<string, string>();
  for (const m of c.matchAll(/(\w+) = \{ "(\w+)", 0, 0 \}|CALL\("(\w+)"|\bcall\(&(\w+), (\d+),/g)) {
    if (m[1]) { assert.ok(byName.has(m[2]), `synack.c names ${m[2]}, not an export`); vars.set(m[1], m[2]); }
    else if (m[3]) assert.equal(topLevelCommas(c, m.index! + m[0].length), byName.get(m[3])?.args.length, `CALL("${m[3]}") arguments`);
    else assert.equal(Number(m[5]), byName.get(vars.get(m[4])!)?.args.length, `call(&${m[4]}) arguments of ${vars.get(m[4])}`);
  }
});

test("the control protocol: boards/common/control.c serves every operation host/engine/control.ts sends, and no other", () => {
  const served = [...source("boards/common/control.c").matchAll(/case '([A-Z])':/g)].map((m) => m[1]);
  const sent = new Set([...source("host/engine/control.ts").matchAll(/this\.call\("([A-Z])"/g)].map((m) => m[1]));
  assert.equal(new Set(served).size, served.length, "an operation served twice");
  assert.deepEqual(served.sort(), [...sent].sort());
});

/** Commas at depth 0 from `at` to the parenthesis that closes the one before it. */
function topLevelCommas(text: string, at: number): number {
  let depth = 0, n = 0;
  for (let i = at; i < text.length; i++) {
    const ch = text[i];
    if (ch === "(") depth++;
    else if (ch === ")") { if (depth-- === 0) return n; }
    else if (ch === "," && depth === 0) n++;
  }
  return -1;
}

test("boards/common/firmware.c: the exports it finds exist, its calls pass their arguments, the imports it links have the table's signatures", () => {
  const fw = source("boards/common/firmware.c");
  const names = new Set(table.exports.map((f) => f.name));
  const found = new Map([...fw.matchAll(/find\(&(\w+), "(\w+)"\)/g)].map((m) => [m[1], m[2]]));
  assert.ok(found.size >= 10);
  for (const n of found.values()) assert.ok(names.has(n), `firmware.c finds ${n}, not an export`);
  const byName = new Map(table.exports.map((f) => [f.name, f]));
  for (const m of fw.matchAll(/m3_CallV\((\w+)/g)) {
    const name = found.get(m[1]);
    if (name) assert.equal(topLevelCommas(fw, m.index! + m[0].length), byName.get(name)!.args.length, `m3_CallV(${m[1]}) arguments of ${name}`);
  }
  const linked = [...fw.matchAll(/m3_LinkRawFunction\(module, "(\w+)", "(\w+)", "([^"]+)"/g)].map((m) => [m[1], m[2], m[3]]);
  const m3 = (t: string) => (t === "void" ? "v" : "i");
  assert.deepEqual(linked, table.imports.map((f) => [f.module, f.name, `${m3(f.result)}(${f.args.map(([, t]) => m3(t)).join("")})`]));
});

test("docs/api.md: the ABI section is what scripts/abi-docs.mjs writes from the table, and the C section names every C call", async () => {
  const gen = await import(pathToFileURL(resolve(ROOT, "scripts/abi-docs.mjs")).href) as { section(t: unknown): string };
  const docs = source("docs/api.md");
  assert.ok(docs.includes(gen.section(table)), "docs/api.md's ABI table is stale: run node scripts/abi-docs.mjs");
  const cSection = docs.slice(docs.indexOf("## C (firmware)"), docs.indexOf("\n## ", docs.indexOf("## C (firmware)") + 1));
  for (const f of table.exports.filter((x) => x.c)) assert.match(cSection, new RegExp(`\`${f.c}[(\`]`), `docs/api.md's C section does not name ${f.c}`);
});
