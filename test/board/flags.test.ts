// One parser for the firmware's flags (boards/common/flags.c): the native board and the emulated
// one are given the same command line (host/engine/boardargs.ts) and say the same about it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { boardArgs, type BoardFlags } from "../../host/engine/boardargs.js";
import { NATIVE_BOARD } from "../../host/engine/board.js";
import { XtensaBoard, coreBuilt } from "../../host/engine/xtensa.js";

const ip = 0x0a4d0002; // 10.77.0.2
const cases: [string, BoardFlags, string][] = [
  ["a /31", { ip, prefixLen: 31 }, "bad --ip (want A.B.C.D/N): 10.77.0.2/31"],
  ["a multicast MAC", { ip, prefixLen: 24, mac: Uint8Array.of(1, 2, 3, 4, 5, 6) }, "bad --mac: 01:02:03:04:05:06"],
  ["a services mask past the six services", { ip, prefixLen: 24, services: 64 }, "bad --services (a mask, 0..63): 64"],
  ["no connection slots", { ip: 0, prefixLen: 0, layout: { conns: -1 } }, "bad --conns (a number above 0): -1"],
];

for (const [what, flags, why] of cases) {
  test(`${what}: the native board refuses it with exit 2 and "${why}"`, { skip: existsSync(NATIVE_BOARD) ? false : "npm run build first" }, () => {
    const r = spawnSync(NATIVE_BOARD, ["--tap", "unused0", ...boardArgs(flags)], { encoding: "utf8", timeout: 10_000 });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `synack-native: ${why}\n`);
  });
  test(`${what}: the emulated board refuses it with the same words`, { skip: coreBuilt("lx106") ? false : "the lx106 board is not built" }, async () => {
    const { mac, services, layout } = flags;
    await assert.rejects(XtensaBoard.start({ ip: flags.ip, prefixLen: flags.prefixLen, mac, services, conns: layout?.conns, time: 0 }),
      (e: Error) => { assert.match(e.message, /\(exit 2\)/); assert.ok(e.message.includes(`synack-xtensa: ${why}`), e.message); return true; });
  });
}
