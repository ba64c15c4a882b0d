// The module's shape (STYLE.md, issue 17): imports in assembly/ run one way, so no file imports
// one that (through others) imports it back, and no source file is over 400 lines. Read from
// the sources' import lines; a cycle is printed as the chain of files that closes it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { resolve, dirname, relative } from "node:path";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";

const ROOT = resolve(PACKAGE_ROOT, "assembly");
/**
 * The layers, top first: a file may import only from its own layer or one below it. The ABI sits
 * on the receive ladder, which hands frames to the services and TCP; TCP sends through net/,
 * which writes with wire/; util/ and the settings (config, layout, env) are below everything.
 */
const LAYERS = ["abi.ts|index.ts", "receive.ts", "apps/", "tcp/", "net/", "wire/", "util/|config.ts|layout.ts|env.ts"];
export function layerOf(file: string): number {
  return LAYERS.findIndex((l) => l.split("|").some((p) => (p.endsWith("/") ? file.startsWith(p) : file === p)));
}
const MAX_LINES = 400;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = resolve(dir, n);
    return statSync(p).isDirectory() ? sources(p) : n.endsWith(".ts") && !n.endsWith(".d.ts") ? [p] : [];
  });
}

/** Every relative module a file imports or re-exports from, as a path under assembly/. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gms)) {
    out.push(relative(ROOT, resolve(dirname(file), m[1])) + ".ts");
  }
  return out;
}

/** The first cycle found in the graph, as a list of files (first == last), or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, number>(); // 1 on the path, 2 done
  const path: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    path.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) return [...path.slice(path.indexOf(m)), m];
      if (!state.has(m)) { const c = visit(m); if (c) return c; }
    }
    path.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) { const c = visit(n); if (c) return c; }
  return null;
}

const files = sources(ROOT);
const graph = new Map(files.map((f) => [relative(ROOT, f), importsOf(f, readFileSync(f, "utf8"))]));

test("the cycle finder sees a cycle and a straight line for what they are", () => {
  assert.deepEqual(findCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]])), ["a", "b", "c", "a"]);
  assert.equal(findCycle(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]])), null);
  assert.deepEqual(importsOf(resolve(ROOT, "tcp/x.ts"), 'import { a } from "../net/ip";\nexport { b } from "./seq";'),
    ["net/ip.ts", "tcp/seq.ts"]);
});

test("assembly/ has no import cycle", () => {
  assert.ok(graph.size > 40, `only ${graph.size} files found under ${ROOT}`);
  const cycle = findCycle(graph);
  assert.equal(cycle, null, `import cycle: ${cycle?.join(" -> ")}`);
});

test("imports run one way: abi -> receive -> apps -> tcp -> net -> wire -> util", () => {
  const upward: string[] = [];
  for (const [file, deps] of graph) {
    assert.notEqual(layerOf(file), -1, `${file} is in no layer`);
    for (const d of deps) if (layerOf(d) < layerOf(file)) upward.push(`${file} imports ${d}`);
  }
  assert.deepEqual(upward, []);
});

test(`no file in assembly/ is over ${MAX_LINES} lines`, () => {
  const long = files.map((f) => [relative(ROOT, f), readFileSync(f, "utf8").split("\n").length - 1] as const)
    .filter(([, n]) => n > MAX_LINES);
  assert.deepEqual(long, []);
});
