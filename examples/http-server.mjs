// An HTTP/1.1 server written in Node on synack sockets (node:http needs node:net's own sockets,
// so this parses just enough by hand): GET / answers with a greeting, keep-alive by default.
// In the namespace and TAP of README.md's "Serving netcat" (demo, tap0):
//   sudo ip netns exec demo node examples/http-server.mjs tap0 10.77.0.2/24 [port]
//   then: sudo ip netns exec demo curl http://10.77.0.2:8080/; Ctrl-C closes the connections and leaves.
import { openStack } from "synack";

const [tap = "tap0", ip = "10.77.0.2/24", port = "8080"] = process.argv.slice(2);
const net = await openStack({ tap, ip, netns: process.env.SYNACK_NETNS, board: process.env.SYNACK_BOARD });
let served = 0;

net.createServer((socket) => {
  let buf = "";
  socket.setEncoding("latin1");
  socket.on("data", (d) => {
    buf += d;
    for (let end; (end = buf.indexOf("\r\n\r\n")) >= 0;) {
      const head = buf.slice(0, end).split("\r\n");
      buf = buf.slice(end + 4);
      const [method, path, version] = head[0].split(" ");
      const close = version !== "HTTP/1.1" || head.some((h) => /^connection:\s*close$/i.test(h));
      const ok = method === "GET" && path === "/";
      const body = ok ? `hello from synack, request ${++served} on port ${socket.localPort}\n` : "not found\n";
      socket.write(`HTTP/1.1 ${ok ? "200 OK" : "404 Not Found"}\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${body.length}\r\n${close ? "Connection: close\r\n" : ""}\r\n${body}`);
      if (close) { socket.end(); return; }
    }
  });
}).listen(Number(port), () => console.log(`http: listening on ${net.address}:${port}`));
await net.untilSignal(); // Ctrl-C or SIGTERM: a FIN to every peer, 2 s to finish, then RST (twice: at once)
