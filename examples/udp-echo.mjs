// A UDP echo on synack, shaped like node:dgram: every datagram goes back to its sender.
// In the namespace and TAP of README.md's "Serving netcat" (demo, tap0):
//   sudo ip netns exec demo node examples/udp-echo.mjs tap0 10.77.0.2/24 [port]
//   then: sudo ip netns exec demo nc -u 10.77.0.2 7777; Ctrl-C leaves.
import { openStack } from "synack";

const [tap = "tap0", ip = "10.77.0.2/24", port = "7777"] = process.argv.slice(2);
const net = await openStack({ tap, ip, netns: process.env.SYNACK_NETNS, board: process.env.SYNACK_BOARD });
const sock = net.createSocket("udp4", (msg, from) => {
  console.log(`${msg.length} bytes from ${from.address}:${from.port}`);
  sock.send(msg, from.port, from.address);
});
sock.bind(Number(port), () => console.log(`udp echo: listening on ${net.address}:${sock.address().port}`));
await net.untilSignal(); // Ctrl-C or SIGTERM
