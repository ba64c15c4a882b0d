// The tests' scripted peer lives in host/lab/peer.ts (the fuzzer uses it too).
export * from "../../host/lab/peer.js";
