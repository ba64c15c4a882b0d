// A UDP exchange from Linux's side, shared by the engines' tests: python3 in the namespace sends
// datagrams to synack and checks each answer is "echo:" plus what it sent, from synack's address.
import { Netns, LINUX_IP, STACK_IP } from "../../host/link/netns.js";

/**
 * Send each message (a Python bytes expression) from LINUX_IP:40123 to STACK_IP:port and wait for
 * its answer; stdout has one line per message: "True <source address> <source port>" when the
 * answer was "echo:" + the message.
 */
export function pythonEchoRounds(ns: Netns, port: number, messages: string[]): ReturnType<Netns["run"]> {
  return ns.run("python3", ["-c", [
    "import socket", "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)", "s.settimeout(5)",
    `s.bind(("${LINUX_IP}", 40123))`,
    `for m in [${messages.join(", ")}]:`,
    `  s.sendto(m, ("${STACK_IP}", ${port})); d,a=s.recvfrom(2000); print(d==b'echo:'+m, a[0], a[1])`,
  ].join("\n")], undefined, 20_000);
}
