// scripts/ascii-transform.mjs: the module's texts reach linear memory as ASCII bytes, and the
// transform refuses an ascii() it cannot store.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { PACKAGE_ROOT as ROOT } from "../../host/engine/stack.js";

test("the module's texts are ASCII bytes in its data, not UTF-16 string objects", () => {
  const wasm = readFileSync(resolve(ROOT, "build/synack.wasm"));
  const utf16 = (s: string) => Buffer.from(s, "utf16le");
  for (const text of ["ethInFrames ethOutFrames ", "CLOSED LISTEN SYN-SENT ", "help   this list", "Request Timeout"]) {
    assert.ok(wasm.includes(Buffer.from(text, "latin1")), `"${text}" as bytes`);
    assert.ok(!wasm.includes(utf16(text)), `"${text}" not as UTF-16`);
  }
});

async function compile(source: string): Promise<string> {
  const { main } = await import("assemblyscript/asc");
  let stderr = "";
  const r = await main(["input.ts", "--outFile", "out.wasm", "--transform", resolve(ROOT, "scripts/ascii-transform.mjs")], {
    readFile: (name: string) => (name === "input.ts" ? source : null),
    writeFile: () => {},
    listFiles: () => [],
    stderr: { write: (s: string) => { stderr += s; return true; } },
    stdout: { write: () => true },
  } as never);
  return r.error ? `${r.error.message}\n${stderr}` : "";
}

test("the transform stores a literal and refuses ascii() of anything else", async () => {
  const decl = "declare function ascii(s: string): usize;\n";
  assert.equal(await compile(decl + "export function f(): u8 { return load<u8>(ascii(\"ok\")); }"), "");
  assert.match(await compile(decl + "const s = \"no\";\nexport function f(): usize { return ascii(s); }"),
    /ascii\(\) takes one ASCII string literal/);
  assert.match(await compile(decl + "export function f(): usize { return ascii(\"caf\u00e9\"); }"),
    /ascii\(\) takes one ASCII string literal/);
});
