// A client on synack: connect, send stdin, print what comes back until the server closes.
//   sudo node examples/client.mjs tap0 10.77.0.2/24 10.77.0.1 8000 < request.txt
import { openStack } from "synack";

const [tap = "tap0", ip = "10.77.0.2/24", host = "10.77.0.1", port = "8000"] = process.argv.slice(2);
const net = await openStack({ tap, ip, netns: process.env.SYNACK_NETNS, board: process.env.SYNACK_BOARD });
const socket = net.connect({ host, port: Number(port) }, () => process.stdin.pipe(socket));
socket.pipe(process.stdout);
socket.on("error", (e) => { console.error(`client: ${e.message}`); process.exitCode = 1; });
socket.on("close", () => net.close());
