// `synack drill [--tolerant] FILE.pkt...`: run each script, print each failure with its line,
// the segment expected and the one seen, and end with "N passed, M failed".
import { readFileSync } from "node:fs";
import { runDrill, type Outcome } from "./run.js";

export interface DrillReport { passed: number; failed: number; text: string }

export function formatOutcome(file: string, o: Outcome): string {
  const lines: string[] = [];
  if (o.ok) lines.push(`ok    ${file}`);
  else {
    const f = o.failure!;
    lines.push(`FAIL  ${file}:${f.line}: ${f.message}`);
    if (f.expected !== undefined) lines.push(`      expected: ${f.expected}`);
    if (f.seen !== undefined) lines.push(`      seen:     ${f.seen}`);
  }
  for (const n of o.notes) lines.push(`      note: ${n}`);
  return lines.join("\n");
}

export function drillFiles(files: string[], tolerant: boolean, wasmPath?: string): DrillReport {
  let passed = 0, failed = 0;
  const out: string[] = [];
  if (tolerant) out.push("synack drill --tolerant: outbound options other than MSS, advertised windows and buffer sizes are not checked");
  for (const file of files) {
    let o: Outcome;
    try { o = runDrill(readFileSync(file, "utf8"), { tolerant, wasmPath }); }
    catch (e) { o = { ok: false, failure: { line: 0, message: e instanceof Error ? e.message : String(e) }, notes: [] }; }
    if (o.ok) passed++; else failed++;
    // Passing scripts are listed in one line; their notes only matter when something failed.
    out.push(o.ok ? `ok    ${file}` : formatOutcome(file, o));
  }
  out.push(`${passed} passed, ${failed} failed`);
  return { passed, failed, text: out.join("\n") + "\n" };
}
