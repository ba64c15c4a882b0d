#!/usr/bin/env node
// Writes test/drill/table/: one packetdrill script per cell of the RFC 9293 segment-arrival table
// (SEGMENT ARRIVES, §3.10.7, with RFC 5961's challenge ACKs, and RFC 1337's TIME-WAIT that ignores
// RSTs): every segment kind in every state, at the receive window's left edge, inside it, at its
// right edge and outside it. The expected answers below are the RFCs', written out by hand;
// synack drill holds the module to them.
//   node scripts/drill-table.mjs     (then commit test/drill/table)
import { mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "drill", "table");
const RIGHT = 4096; // our receive window is 4096 from RCV.NXT 1: its last byte is 4096
const KINDS = ["syn", "syn-ack", "ack", "data", "fin", "rst", "rst-ack", "syn-fin"];
const POSITIONS = ["left-edge", "inside", "right-edge", "outside"];

const PASSIVE = [
  "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
  "+0  bind(3, ..., ...) = 0",
  "+0  listen(3, 1) = 0",
  "+0  < S 0:0(0) win 65535 <mss 1460>",
  "+0  > S. 0:0(0) ack 1 <mss 1460>",
];
const ESTABLISHED = [...PASSIVE,
  "+.1 < . 1:1(0) ack 1 win 65535", "+0  accept(3, ..., ...) = 4", "+0  close(3) = 0"];
const FIN_WAIT_1 = [...ESTABLISHED, "+.1 shutdown(4, SHUT_WR) = 0", "+0  > F. 1:1(0) ack 1"];
const CLOSE_WAIT = [...ESTABLISHED, "+.1 < F. 1:1(0) ack 1 win 65535", "+0  > . 1:1(0) ack 2"];
const FIN_WAIT_2 = [...FIN_WAIT_1, "+.1 < . 1:1(0) ack 2 win 65535"];

// Per synchronized (or SYN-RECEIVED) state: how to get there, RCV.NXT, our SND.NXT and SND.UNA,
// the state's tcpi name, and whether it still takes data.
const STATES = {
  "syn-received": { pre: PASSIVE, rcv: 1, snd: 1, una: 1, tcpi: null, text: true },
  established: { pre: ESTABLISHED, rcv: 1, snd: 1, una: 1, tcpi: "TCP_ESTABLISHED", text: true },
  "fin-wait-1": { pre: FIN_WAIT_1, rcv: 1, snd: 2, una: 1, tcpi: "TCP_FIN_WAIT1", text: true },
  "fin-wait-2": { pre: FIN_WAIT_2, rcv: 1, snd: 2, una: 2, tcpi: "TCP_FIN_WAIT2", text: true },
  "close-wait": { pre: CLOSE_WAIT, rcv: 2, snd: 1, una: 1, tcpi: "TCP_CLOSE_WAIT", text: false },
  closing: { pre: [...FIN_WAIT_1, "+.1 < F. 1:1(0) ack 1 win 65535", "+0  > . 2:2(0) ack 2"],
    rcv: 2, snd: 2, una: 1, tcpi: "TCP_CLOSING", text: false },
  "last-ack": { pre: [...CLOSE_WAIT, "+.1 close(4) = 0", "+0  > F. 1:1(0) ack 2"], rcv: 2, snd: 2, una: 1, tcpi: "TCP_LAST_ACK", text: false },
  "time-wait": { pre: [...FIN_WAIT_2, "+.1 < F. 1:1(0) ack 2 win 65535", "+0  > . 2:2(0) ack 2"],
    rcv: 2, snd: 2, una: 2, tcpi: "TCP_TIME_WAIT", text: false },
};

function segment(kind, seq, ack) {
  switch (kind) {
    case "syn": return `< S ${seq}:${seq}(0) win 65535`;
    case "syn-ack": return `< S. ${seq}:${seq}(0) ack ${ack} win 65535`;
    case "ack": return `< . ${seq}:${seq}(0) ack ${ack} win 65535`;
    case "data": return `< P. ${seq}:${seq + 10}(10) ack ${ack} win 65535`;
    case "fin": return `< F. ${seq}:${seq}(0) ack ${ack} win 65535`;
    case "rst": return `< R ${seq}:${seq}(0) win 0`;
    case "rst-ack": return `< R. ${seq}:${seq}(0) ack ${ack} win 0`;
    case "syn-fin": return `< SF ${seq}:${seq}(0) win 65535`;
  }
}

/** The RFC's answer in a synchronized state or SYN-RECEIVED: [lines after the segment, new state]. */
function answer(name, st, kind, pos) {
  const ackR = (r = st.rcv) => `+0  > . ${st.snd}:${st.snd}(0) ack ${r}`;
  const acceptable = pos !== "outside";
  const same = st.tcpi;
  if (kind === "syn-fin") {
    const [out, tcpi] = answer(name, st, "syn", pos);
    return [out, tcpi, "SYN and FIN together go through the same checks as a SYN (RFC 9293 §3.10.7.4; no RFC lets them be dropped)"];
  }
  if (kind === "rst" || kind === "rst-ack") {
    if (!acceptable) return [[], same, "an RST outside the window is dropped"];
    if (name === "time-wait") return [[], same, "TIME-WAIT ignores an RST, neither reset nor challenged (RFC 1337 §3)"];
    if (pos === "left-edge") return [[], name === "syn-received" ? null : "TCP_CLOSE", "an RST at RCV.NXT resets (SYN-RECEIVED from a passive open: back to LISTEN)"];
    return [[ackR()], same, "an RST inside the window but not at RCV.NXT gets a challenge ACK (RFC 5961 §3.2)"];
  }
  if (!acceptable) return [[ackR()], same, "unacceptable: answered with an ACK and dropped"];
  if (kind === "syn" || kind === "syn-ack") {
    if (name === "syn-received") return [[], null, "SYN in the window of a passive SYN-RECEIVED: back to LISTEN"];
    return [[ackR()], same, "SYN in a synchronized state: challenge ACK (RFC 5961 §4.2)"];
  }
  // ACK, data and FIN carry ack = SND.UNA (or ISS+1 in SYN-RECEIVED, which completes the handshake).
  const now = name === "syn-received" ? "TCP_ESTABLISHED" : same;
  const takesText = st.text;
  if (kind === "ack") return [[], name === "syn-received" ? null : now, "an acceptable ACK: nothing to answer"];
  if (kind === "data") {
    if (!takesText) return [[], now, "text after the peer's FIN is ignored"];
    if (pos === "left-edge") return [[`+.04 > . ${st.snd}:${st.snd}(0) ack ${st.rcv + 10}`], name === "syn-received" ? null : now, "in-order data: taken, delayed ACK"];
    return [[ackR()], name === "syn-received" ? null : now, "out-of-order data: held, a duplicate ACK at once"];
  }
  // FIN
  if (pos !== "left-edge") return [[ackR()], name === "syn-received" ? null : now, "an out-of-order FIN waits; a duplicate ACK at once"];
  const next = { "syn-received": "TCP_CLOSE_WAIT", established: "TCP_CLOSE_WAIT", "fin-wait-1": "TCP_CLOSING",
    "fin-wait-2": "TCP_TIME_WAIT" }[name];
  if (next) return [[ackR(st.rcv + 1)], name === "syn-received" ? null : next, "FIN at RCV.NXT: ACKed, next state"];
  return [[ackR()], same, "a second FIN after the first: ACKed with RCV.NXT, state kept"];
}

function seqAt(st, pos) {
  return { "left-edge": st.rcv, inside: st.rcv + 100, "right-edge": RIGHT, outside: RIGHT + 1 }[pos];
}

const files = {};
for (const [name, st] of Object.entries(STATES)) {
  for (const kind of KINDS) {
    for (const pos of POSITIONS) {
      const [out, tcpi, why] = answer(name, st, kind, pos);
      const ack = name === "syn-received" ? 1 : st.una;
      const lines = [`// ${kind.toUpperCase()} ${pos} in ${name.toUpperCase()}: ${why}.`, "--tolerance_usecs=4000", "",
        ...st.pre, `+.1 ${segment(kind, seqAt(st, pos), ack)}`, ...out];
      lines.push(tcpi ? `+.2 %{ assert tcpi_state == ${tcpi} }%` : "+.2 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0");
      files[`${name}/${kind}-${pos}.pkt`] = lines.join("\n") + "\n";
    }
  }
}

// SYN-SENT: what matters is the ACK field against ISS and SND.NXT (ISS+1).
const ACTIVE = ["0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3", "+0  fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0",
  "+0  connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)", "+0  > S 0:0(0) <mss 1460,nop,wscale 0,nop,nop,sackOK,nop,nop,TS val 1000000 ecr 0>"];
for (const kind of KINDS) {
  const withAck = ["syn-ack", "ack", "data", "fin", "rst-ack"].includes(kind);
  for (const [pos, ack] of withAck ? [["ack-below-iss", 0], ["ack-iss-plus-1", 1], ["ack-beyond-snd-nxt", 2]] : [["no-ack", 0]]) {
    let out = [], tcpi = "TCP_SYN_SENT", why;
    if (withAck && ack !== 1) {
      why = "an unacceptable ACK: RST <SEQ=SEG.ACK> unless it is itself a RST";
      if (kind !== "rst-ack") out = [`+0  > R ${ack}:${ack}(0)`];
    } else if (kind === "syn") { out = ["+0  > S. 0:0(0) ack 1 <mss 1460>"]; tcpi = "TCP_SYN_RECV"; why = "simultaneous open"; }
    else if (kind === "syn-ack") { out = ["+0  > . 1:1(0) ack 1"]; tcpi = "TCP_ESTABLISHED"; why = "the handshake completes"; }
    else if (kind === "rst-ack") { tcpi = "TCP_CLOSE"; why = "connection refused"; }
    else if (kind === "rst") why = "an RST without an ACK is ignored in SYN-SENT";
    else if (kind === "syn-fin") { out = ["+0  > S. 0:0(0) ack 1 <mss 1460>"]; tcpi = "TCP_SYN_RECV"; why = "SYN and FIN: simultaneous open, the FIN waits until ESTABLISHED (§3.10.7.3)"; }
    else why = "no SYN: dropped";
    const lines = [`// ${kind.toUpperCase()} ${pos} in SYN-SENT: ${why}.`, "--tolerance_usecs=4000", "", ...ACTIVE,
      `+.1 ${segment(kind, 0, ack)}`, ...out, `+.2 %{ assert tcpi_state == ${tcpi} }%`];
    files[`syn-sent/${kind}-${pos}.pkt`] = lines.join("\n") + "\n";
  }
}

// CLOSED (nobody on the port) and LISTEN: RFC 9293 §3.10.7.1 and §3.10.7.2.
const CLOSED_ANSWER = {
  syn: ["+0  > R. 0:0(0) ack 1", "SYN to a closed port: RST,ACK <SEQ=0><ACK=SEG.SEQ+SEG.LEN>"],
  "syn-ack": ["+0  > R 1:1(0)", "RST <SEQ=SEG.ACK>"], ack: ["+0  > R 1:1(0)", "RST <SEQ=SEG.ACK>"],
  data: ["+0  > R 1:1(0)", "RST <SEQ=SEG.ACK>"], fin: ["+0  > R 1:1(0)", "RST <SEQ=SEG.ACK>"],
  rst: [null, "an RST is never answered"], "rst-ack": [null, "an RST is never answered"],
  "syn-fin": ["+0  > R. 0:0(0) ack 2", "SYN,FIN to a closed port: RST,ACK <SEQ=0><ACK=SEG.SEQ+SEG.LEN>, SYN and FIN each counting"],
};
for (const [state, pre] of [["closed", []], ["listen", PASSIVE.slice(0, 3)]]) {
  for (const kind of KINDS) {
    let [out, why] = CLOSED_ANSWER[kind];
    if (state === "listen" && kind === "syn") { out = "+0  > S. 0:0(0) ack 1 <mss 1460>"; why = "SYN in LISTEN: SYN,ACK"; }
    if (state === "listen" && kind === "syn-fin") {
      out = "+0  > S. 0:0(0) ack 1 <mss 1460>";
      why = "the SYN is taken (SYN,ACK); the FIN, without an ACK, is dropped at the fifth step in SYN-RECEIVED (§3.10.7.2)";
    }
    const lines = [`// ${kind.toUpperCase()} in ${state.toUpperCase()}: ${why}.`, "--tolerance_usecs=4000", "", ...pre,
      `${pre.length ? "+.1" : "0  "} ${segment(kind, 0, 1)}`, ...(out ? [out] : []), "+.2 `true`"];
    files[`${state}/${kind}.pkt`] = lines.join("\n") + "\n";
  }
}

rmSync(OUT, { recursive: true, force: true });
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(OUT, path)), { recursive: true });
  writeFileSync(join(OUT, path), text);
}
console.log(`${Object.keys(files).length} scripts in ${OUT}`);
