// Where the package is (build/host/root.js -> the checkout or the installed package): its build/ and boards.
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
