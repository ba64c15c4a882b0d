#!/usr/bin/env node
// The synack command; the code is host/cli/cli.ts, compiled into build/host.
import { main } from "../build/host/cli/cli.js";
main(process.argv.slice(2)).then((code) => process.exit(code));
