// An asc transform (asconfig.json, as-pect.asconfig.json: "transform"): ASCII string literals
// stored as bytes. AssemblyScript keeps every string literal in linear memory as a UTF-16 object
// with a 20-byte header; on the board linear memory is RAM, and the module's texts (counter
// names, console replies, pages) took about 9 KB that way. After parsing, this rewrites
//   X.str("literal")  into  X.bytes(memory.data<u8>([...its bytes]), length)   (util/text.ts)
//   ascii("literal")  into  memory.data<u8>([...its bytes, 0])                 (zero-terminated)
//   buildVersion()    into  the same, of "VERSION+DESCRIBE" (util/version.ts): package.json's
//                     version and `git describe --tags --always --abbrev=12` of this checkout's
//                     commit (no "+..." outside a git checkout); nothing about uncommitted
//                     changes, so one commit builds one module, byte for byte
// Only literals of printable ASCII, tab and newline are rewritten; ascii() of anything else is a
// compile error. Nothing outside the project's own sources (~lib) is touched.
import { Node, NodeKind, LiteralKind } from "assemblyscript";
import { Transform } from "assemblyscript/transform";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** package.json's version, and the commit's `git describe` when this is the top of a git checkout. */
function buildVersion() {
  const version = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")).version;
  const git = (...args) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    if (git("rev-parse", "--show-toplevel") !== ROOT) return version; // inside someone else's repository
    return `${version}+${git("describe", "--tags", "--always", "--abbrev=12")}`;
  } catch { return version; }
}

/** The bytes of a literal, or null if one of its characters is not plain ASCII text. */
function asciiBytes(text) {
  const out = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || (c < 32 && c !== 9 && c !== 10 && c !== 13)) return null;
    out.push(c);
  }
  return out;
}

const isStringLiteral = (n) => n && n.kind === NodeKind.Literal && n.literalKind === LiteralKind.String;

/** memory.data<u8>([b0, b1, ...]): the bytes in static memory, its address as usize. */
function staticBytes(bytes, range) {
  const id = (text) => Node.createIdentifierExpression(text, range);
  const u8 = Node.createNamedType(Node.createSimpleTypeName("u8", range), null, false, range);
  const elements = bytes.map((b) => Node.createIntegerLiteralExpression(i64_new(b, 0), range));
  return Node.createCallExpression(Node.createPropertyAccessExpression(id("memory"), id("data"), range), [u8],
    [Node.createArrayLiteralExpression(elements, range)], range);
}

export default class AsciiTransform extends Transform {
  afterParse(parser) {
    const seen = new WeakSet();
    let rewritten = 0;
    const errors = [];
    // Every node, depth first; `replace` puts a new node where this one was.
    const visit = (node, replace) => {
      if (!node || typeof node !== "object" || seen.has(node)) return;
      seen.add(node);
      if (Array.isArray(node)) {
        node.forEach((child, i) => visit(child, (n) => { node[i] = n; }));
        return;
      }
      if (node.kind === NodeKind.Call) {
        const callee = node.expression;
        const arg = node.args.length === 1 ? node.args[0] : null;
        if (callee.kind === NodeKind.Identifier && callee.text === "buildVersion" && node.args.length === 0) {
          const bytes = asciiBytes(this.version ??= buildVersion());
          if (!bytes) errors.push(`the build version is not plain ASCII: ${this.version}`);
          else { replace(staticBytes([...bytes, 0], node.range)); rewritten++; return; }
        } else if (callee.kind === NodeKind.Identifier && callee.text === "ascii") {
          const bytes = isStringLiteral(arg) ? asciiBytes(arg.value) : null;
          if (!bytes) errors.push(`${node.range.source.normalizedPath}: ascii() takes one ASCII string literal`);
          else { replace(staticBytes([...bytes, 0], node.range)); rewritten++; return; }
        } else if (callee.kind === NodeKind.PropertyAccess && callee.property.text === "str" && isStringLiteral(arg)) {
          const bytes = asciiBytes(arg.value);
          if (bytes && bytes.length > 0) {
            callee.property = Node.createIdentifierExpression("bytes", callee.property.range);
            node.args = [staticBytes(bytes, arg.range), Node.createIntegerLiteralExpression(i64_new(bytes.length, 0), arg.range)];
            rewritten++;
          }
        }
      }
      for (const key of Object.keys(node)) {
        if (key === "range" || key === "parent") continue;
        const child = node[key];
        if (child && typeof child === "object") visit(child, (n) => { node[key] = n; });
      }
    };
    for (const source of parser.sources) {
      if (source.normalizedPath.startsWith("~lib/")) continue;
      visit(source.statements, () => {});
    }
    if (errors.length) throw new Error(errors.join("\n"));
    this.rewritten = rewritten;
  }
}
