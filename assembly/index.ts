// The module's exports: abi.ts's, whose table is abi.table.json (test/abi checks the built module against it).
export * from "./abi";
