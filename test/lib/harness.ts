// The tests' scripted peer lives in host/drill/peer.ts (the fuzzer uses it too).
export * from "../../host/drill/peer.js";
