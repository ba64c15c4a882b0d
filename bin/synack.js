#!/usr/bin/env node
// The synack command; the code is host/cli.ts, compiled into build/host.
import { main } from "../build/host/cli.js";
main(process.argv.slice(2)).then((code) => process.exit(code));
