// The engines by name: V8 in this process, the native board's firmware, the emulated Xtensa
// boards, each implementing one interface (interface.ts). `synack serve`, openStack and the
// examples open one, wait for an address, and close everything through its calls only
// (lifecycle.ts), so none behaves otherwise per engine. A new engine is one more entry in OPENERS.
import type { EngineName, EngineOptions, Engine } from "./interface.js";

export type { EngineName, EngineOptions, Engine } from "./interface.js";

const OPENERS: Record<EngineName, () => Promise<(o: EngineOptions) => Promise<Engine>>> = {
  v8: async () => (await import("./v8.js")).openV8,
  native: async () => (await import("./board.js")).openNative,
  xtensa: async () => (await import("./xtensa-serve.js")).openXtensa("lx106"),
  lx6: async () => (await import("./xtensa-serve.js")).openXtensa("lx6"),
  "lx6-esp32": async () => (await import("./xtensa-serve.js")).openXtensa("lx6-esp32"),
};

export function isEngineName(s: string): s is EngineName { return Object.hasOwn(OPENERS, s); }
export const ENGINE_NAMES = Object.keys(OPENERS) as EngineName[];

export async function openEngine(name: EngineName, o: EngineOptions): Promise<Engine> {
  return (await OPENERS[name]())(o);
}
