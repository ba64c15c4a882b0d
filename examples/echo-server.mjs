// An echo server on synack, ten lines as with Arduino's EthernetServer.
// In the namespace and TAP of README.md's "Serving netcat" (demo, tap0):
//   sudo ip netns exec demo node examples/echo-server.mjs tap0 10.77.0.2/24 [port]
//   then: sudo ip netns exec demo nc 10.77.0.2 7007; Ctrl-C closes the connections and leaves.
import { openStack } from "synack";

const [tap = "tap0", ip = "10.77.0.2/24", port = "7007"] = process.argv.slice(2);
const net = await openStack({ tap, ip, netns: process.env.SYNACK_NETNS, board: process.env.SYNACK_BOARD });
net.createServer((socket) => {
  console.log(`connection from ${socket.remoteAddress}:${socket.remotePort}`);
  socket.pipe(socket); // every byte back; the peer's FIN ends our side too
}).listen(Number(port), () => console.log(`echo: listening on ${net.address}:${port}`));
await net.untilSignal(); // Ctrl-C or SIGTERM: a FIN to every peer, 2 s to finish, then RST (twice: at once)
