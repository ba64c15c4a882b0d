// A client on synack: connect, send stdin, print what comes back until the server closes.
// In the namespace and TAP of README.md's "Serving netcat" (demo, tap0), with a server on Linux's side:
//   sudo ip netns exec demo nc -l 10.77.0.1 8000 &
//   sudo ip netns exec demo node examples/client.mjs tap0 10.77.0.2/24 10.77.0.1 8000 < request.txt
import { openStack } from "synack";

const [tap = "tap0", ip = "10.77.0.2/24", host = "10.77.0.1", port = "8000"] = process.argv.slice(2);
const net = await openStack({ tap, ip, netns: process.env.SYNACK_NETNS, board: process.env.SYNACK_BOARD });
const socket = net.connect({ host, port: Number(port) }, () => process.stdin.pipe(socket));
socket.pipe(process.stdout);
socket.on("error", (e) => { console.error(`client: ${e.message}`); process.exitCode = 1; });
socket.on("close", () => net.close());
net.untilSignal(); // Ctrl-C or SIGTERM: FIN, 2 s, then RST (twice: at once)
