// `synack drill [--tolerant] [--outbound-when-due] FILE.pkt...`: run each script, print each
// failure with its line, the segment expected and the one seen, and end with "N passed, M failed".
import { readFileSync } from "node:fs";
import { runDrill, type Outcome, type DrillOptions } from "./run.js";

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
  for (const n of o.notes) if (!runNote(n)) lines.push(`      note: ${n}`);
  return lines.join("\n");
}

/** Notes that say the same in every script (an option accepted and ignored): said once per run. */
function runNote(n: string): string | null {
  const m = /^line \d+: (\S+ accepted and ignored)$/.exec(n);
  return m ? m[1] : null;
}

export function drillFiles(files: string[], opts: Omit<DrillOptions, "wasmPath"> = {}, wasmPath?: string): DrillReport {
  let passed = 0, failed = 0;
  const out: string[] = [];
  const once = new Set<string>();
  if (opts.tolerant) out.push("synack drill --tolerant: outbound options other than MSS, advertised windows and buffer sizes are not checked");
  if (opts.outbound === "when-due") out.push("synack drill --outbound-when-due: outbound segments are looked at only when an outbound line is due");
  for (const file of files) {
    let o: Outcome;
    try { o = runDrill(readFileSync(file, "utf8"), { ...opts, wasmPath }); }
    catch (e) { o = { ok: false, failure: { line: 0, message: e instanceof Error ? e.message : String(e) }, notes: [] }; }
    if (o.ok) passed++; else failed++;
    // Passing scripts are listed in one line; their notes only matter when something failed.
    out.push(o.ok ? `ok    ${file}` : formatOutcome(file, o));
    if (!o.ok) for (const n of o.notes) { const r = runNote(n); if (r) once.add(r); }
  }
  for (const n of once) out.push(`note: ${n} (in every script that set it)`);
  out.push(`${passed} passed, ${failed} failed`);
  return { passed, failed, text: out.join("\n") + "\n" };
}
