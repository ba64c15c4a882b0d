// The sending rate a firmware author sees (lab/bench/boardsend.ts), as a command of its own. A
// measurement for people, not a test: run it as root,
//   node build/lab/boardsend.js [MiB] [--nodelay]
import { isRoot } from "../host/link/netns.js";
import { boardSend, describeBoardSend } from "./bench/boardsend.js";

async function main(): Promise<number> {
  const mib = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 1);
  if (!isRoot()) { console.error("boardsend: needs root (a namespace and a TAP)"); return 1; }
  const r = await boardSend(mib, process.argv.includes("--nodelay"));
  console.log(describeBoardSend(r));
  return r.intact ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => { console.error(`boardsend: ${e instanceof Error ? e.message : e}`); process.exit(1); });
