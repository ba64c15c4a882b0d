// The ABI table (assembly/abi.table.json) as the tests read it, and the signatures a built
// module really has (read from its binary: the JS API lists names and kinds, not types).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

export const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");

export type AbiType = "i32" | "u32" | "usize" | "void";
export interface AbiFunction { name: string; args: [string, AbiType][]; result: AbiType; doc: string; c?: string; module?: string }
export interface AbiTable {
  memory: string;
  exports: AbiFunction[];
  imports: AbiFunction[];
  errors: Record<string, { value: number; errno: string; doc: string }>;
  states: string[];
  services: Record<string, number>;
  udp_sockets_max: number;
}

export function readTable(): AbiTable {
  return JSON.parse(readFileSync(resolve(ROOT, "assembly/abi.table.json"), "utf8")) as AbiTable;
}

export function source(path: string): string { return readFileSync(resolve(ROOT, path), "utf8"); }

/** A function's wasm signature as text: "(i32,i32)->i32", "()->" for no result. */
export function wasmSignature(f: AbiFunction): string {
  return `(${f.args.map(() => "i32").join(",")})->${f.result === "void" ? "" : "i32"}`;
}

/** Every exported and imported function of a wasm binary with its signature (as wasmSignature writes it). */
export function readSignatures(wasm: Uint8Array): { exports: Map<string, string>; imports: Map<string, string> } {
  let at = 8;
  const byte = () => wasm[at++];
  const leb = () => { let v = 0, shift = 0, b; do { b = byte(); v |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80); return v >>> 0; };
  const name = () => { const n = leb(); const s = new TextDecoder().decode(wasm.subarray(at, at + n)); at += n; return s; };
  const VALTYPES: Record<number, string> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64" };
  const types: string[] = [], funcs: string[] = [];
  const exports = new Map<string, string>(), imports = new Map<string, string>();
  while (at < wasm.length) {
    const id = byte(), size = leb(), end = at + size;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        byte(); // 0x60: a function type
        const params = Array.from({ length: leb() }, () => VALTYPES[byte()]);
        const results = Array.from({ length: leb() }, () => VALTYPES[byte()]);
        types.push(`(${params.join(",")})->${results.join(",")}`);
      }
    } else if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        const full = `${name()}.${name()}`, kind = byte();
        if (kind === 0) { const t = types[leb()]; funcs.push(t); imports.set(full, t); }
        else if (kind === 1) { byte(); const flags = byte(); leb(); if (flags & 1) leb(); }
        else if (kind === 2) { const flags = byte(); leb(); if (flags & 1) leb(); }
        else { byte(); byte(); }
      }
    } else if (id === 3) {
      for (let n = leb(); n > 0; n--) funcs.push(types[leb()]);
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const nm = name(), kind = byte(), index = leb();
        exports.set(nm, kind === 0 ? funcs[index] : kind === 2 ? "memory" : `kind${kind}`);
      }
    }
    at = end;
  }
  return { exports, imports };
}

/** snake_case as the TypeScript mirror writes argument names: idle_ms -> idleMs. */
export function camel(s: string): string { return s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()); }
