// docs/api.md's "The ABI" section, written from assembly/abi.table.json. Run after changing the
// table: node scripts/abi-docs.mjs (test/abi/mirrors.test.ts fails while the docs are stale).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BEGIN = "<!-- abi-table: written by scripts/abi-docs.mjs from assembly/abi.table.json; edit the table, not this -->";
const END = "<!-- /abi-table -->";

const row = (cells) => `| ${cells.join(" | ")} |`;
const call = (f) => `\`${f.name}(${f.args.map(([n, t]) => `${n}: ${t}`).join(", ")})\``;

/** The section, markers included. */
export function section(t) {
  return [
    BEGIN,
    row(["export", "result", "meaning"]), row(["---", "---", "---"]),
    ...t.exports.map((f) => row([call(f), f.result, f.doc.replace(/\|/g, "\\|")])),
    "",
    row(["import (module \"env\")", "result", "meaning"]), row(["---", "---", "---"]),
    ...t.imports.map((f) => row([call(f), f.result, f.doc.replace(/\|/g, "\\|")])),
    "",
    row(["error", "value", "errno", "meaning"]), row(["---", "---", "---", "---"]),
    ...Object.entries(t.errors).map(([k, e]) => row([`\`${k}\``, String(e.value), e.errno, e.doc])),
    "",
    `States (\`sock_state\`): ${t.states.map((s, i) => `${i} ${s}`).join(", ")}.`,
    `Services (\`select_services\`): ${Object.entries(t.services).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
    `UDP sockets: at most ${t.udp_sockets_max} (\`configure_udp\`).`,
    END,
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = new URL("..", import.meta.url);
  const table = JSON.parse(readFileSync(new URL("assembly/abi.table.json", root), "utf8"));
  const docsUrl = new URL("docs/api.md", root);
  const docs = readFileSync(docsUrl, "utf8");
  const a = docs.indexOf(BEGIN), b = docs.indexOf(END);
  if (a < 0 || b < a) { console.error("abi-docs: docs/api.md has no abi-table markers"); process.exit(1); }
  writeFileSync(docsUrl, docs.slice(0, a) + section(table) + docs.slice(b + END.length));
}
