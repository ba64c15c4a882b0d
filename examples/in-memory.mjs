// Two synack stacks on an in-memory wire in one process: no TAP, no root. A server greets,
// a client reads the greeting and closes. Run: node examples/in-memory.mjs
import { openStack, MemoryLink } from "synack";

const [a, b] = MemoryLink.pair();
const server = await openStack({ link: a, ip: "10.0.0.1/24" });
const client = await openStack({ link: b, ip: "10.0.0.2/24" });

server.createServer((s) => s.end(`hello ${s.remoteAddress}\n`)).listen(1234);
const s = client.connect({ host: "10.0.0.1", port: 1234 });
s.on("data", (d) => process.stdout.write(d));
s.on("close", () => { server.close(); client.close(); });
