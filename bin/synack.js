#!/usr/bin/env node
// The synack command; the code is host/cli/cli.ts, compiled into build/host.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../build/host/cli/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write("synack: not built yet (build/host is missing): run `npm run build` in " +
    fileURLToPath(new URL("..", import.meta.url)) + " first\n");
  process.exit(1);
}
const { main } = await import(cli.href);
main(process.argv.slice(2)).then((code) => process.exit(code));
