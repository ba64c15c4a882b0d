// as-pect 8.1 (ESM, since package.json says "type": "module"): unit tests of the module's parts.
export const sent = [];
export default {
  entries: ["test/unit/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    let instance;
    const env = {
      memory,
      // The module's three imports: frames are recorded, randomness is fixed, logs are dropped.
      send_frame: (ptr, len) => { sent.push(len); },
      random_u32: () => 0x12345678,
      log: () => {},
      checksum: () => 0, // optional import; the unit tests use the wasm path
    };
    instance = instantiate(binary, createImports({ env }));
    return instance;
  },
  outputBinary: false,
};
