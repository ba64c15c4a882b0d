// The scripted exchange (test/lib/scripted-board.ts) on an LX6 core with the windowed ABI, as the
// ESP32 runs the firmware (QEMU's de212; scripts/build-xtensa.sh windowed).
import { scriptedExchange } from "../lib/scripted-board.js";

scriptedExchange("lx6");
