// The scripted exchange (test/lib/scripted-board.ts) on the lx106 core: the call0 build.
import { scriptedExchange } from "../lib/scripted-board.js";

scriptedExchange("lx106");
