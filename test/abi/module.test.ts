// The module against the ABI table (assembly/abi.table.json): what build/synack.wasm exports and
// imports, the signatures assembly/abi.ts and env.ts declare, and the constants behind them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { resolve, join } from "node:path";
import { ROOT, readTable, readSignatures, wasmSignature, source, AbiFunction } from "../lib/abitable.js";

const table = readTable();

test("build/synack.wasm exports and imports exactly the table's functions, with its signatures", () => {
  const wasm = readFileSync(resolve(ROOT, "build/synack.wasm"));
  const mod = new WebAssembly.Module(wasm);
  const sig = readSignatures(wasm);
  const want = new Map(table.exports.map((f) => [f.name, wasmSignature(f)]));
  want.set(table.memory, "memory");
  assert.deepEqual(new Map([...sig.exports].sort()), new Map([...want].sort()));
  assert.deepEqual(WebAssembly.Module.exports(mod).map((e) => e.name).sort(), [...want.keys()].sort());
  const wantImports = new Map(table.imports.map((f) => [`${f.module}.${f.name}`, wasmSignature(f)]));
  assert.deepEqual(new Map([...sig.imports].sort()), new Map([...wantImports].sort()));
});

/** "a: u32, b: i32" as [["a","u32"],["b","i32"]]. */
function params(text: string): [string, string][] {
  return text.split(",").map((p) => p.trim()).filter(Boolean).map((p) => p.split(":").map((x) => x.trim()) as [string, string]);
}

/** `export function name(args): result` in an AssemblyScript file, by name. */
function declared(file: string, re = /export (?:declare )?function (\w+)\(([^)]*)\): (\w+)/g): Map<string, { args: [string, string][]; result: string }> {
  const out = new Map<string, { args: [string, string][]; result: string }>();
  for (const m of source(file).matchAll(re)) out.set(m[1], { args: params(m[2]), result: m[3] });
  return out;
}

test("assembly/abi.ts declares every export with the table's argument names and types", () => {
  const own = declared("assembly/abi.ts");
  // Re-exports (`export { listen as sock_listen } from "./tcp/socket"`) declare in the file they name.
  for (const m of source("assembly/abi.ts").matchAll(/export \{ (\w+) as (\w+) \} from "([^"]+)"/g)) {
    const d = declared(join("assembly", m[3] + ".ts")).get(m[1]);
    assert.ok(d, `${m[1]} not found in ${m[3]}.ts`);
    own.set(m[2], d);
  }
  const want = (f: AbiFunction) => ({ args: f.args, result: f.result });
  const rows = table.exports.filter((f) => f.name !== "_start");
  assert.deepEqual(new Map([...own].sort()), new Map(rows.map((f) => [f.name, want(f)] as const).sort()));
});

test("assembly/env.ts declares every import with the table's arguments", () => {
  const re = /@external\("(\w+)", "(\w+)"\) export declare function \w+\(([^)]*)\): (\w+)/g;
  const got = [...source("assembly/env.ts").matchAll(re)].map((m) => ({ module: m[1], name: m[2], args: params(m[3]), result: m[4] }));
  assert.deepEqual(got, table.imports.map((f) => ({ module: f.module, name: f.name, args: f.args, result: f.result })));
});

/** Every .ts file under assembly/, for constants that may move between files. */
function assemblyText(dir = resolve(ROOT, "assembly")): string {
  return readdirSync(dir).map((n) => join(dir, n)).map((p) => statSync(p).isDirectory() ? assemblyText(p) : p.endsWith(".ts") ? readFileSync(p, "utf8") : "").join("\n");
}

test("the module's error codes, states, services and UDP socket limit are the table's", () => {
  const text = assemblyText();
  const errors = Object.fromEntries([...text.matchAll(/export const (E_\w+): i32 = (-\d+)/g)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(errors, Object.fromEntries(Object.entries(table.errors).map(([k, v]) => [k, v.value])));
  const states = /export const enum State \{([^}]*)\}/.exec(text)![1];
  assert.deepEqual([...states.matchAll(/(\w+) = (\d+)/g)].map((m) => [m[1], Number(m[2])]), table.states.map((s, i) => [s.replace(/-/g, "_"), i]));
  const services = Object.fromEntries([...text.matchAll(/export const SERVICE_(\w+): u32 = (\d+)/g)].map((m) => [m[1].toLowerCase(), Number(m[2])]));
  assert.deepEqual(services, table.services);
  assert.equal(Number(/export const UDP_SOCKETS_MAX: i32 = (\d+)/.exec(text)![1]), table.udp_sockets_max);
});

