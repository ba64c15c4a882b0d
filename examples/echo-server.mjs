// An echo server on synack, ten lines as with Arduino's EthernetServer.
//   sudo node examples/echo-server.mjs tap0 10.77.0.2/24 [port]      then: nc 10.77.0.2 7007
import { openStack } from "synack";

const [tap = "tap0", ip = "10.77.0.2/24", port = "7007"] = process.argv.slice(2);
const net = await openStack({ tap, ip, netns: process.env.SYNACK_NETNS, board: process.env.SYNACK_BOARD });
net.createServer((socket) => {
  console.log(`connection from ${socket.remoteAddress}:${socket.remotePort}`);
  socket.pipe(socket); // every byte back; the peer's FIN ends our side too
}).listen(Number(port), () => console.log(`echo: listening on ${net.address}:${port}`));
process.on("SIGTERM", async () => { await net.close(); process.exit(0); });
