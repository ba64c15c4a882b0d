#!/usr/bin/env bash
# Instructions per payload byte of the native board firmware (deterministic, under callgrind):
# a discard transfer of N MiB (default 1) from Linux nc, in a namespace of its own (needs root).
# The simulated W5500 (model_*) is the PC's stand-in for silicon; its cost is reported apart.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-1}
NS=synack-cg-$$
OUT=$(mktemp /tmp/synack-cg.XXXXXX)
cleanup() { pkill -f "callgrind-out-file=$OUT" 2>/dev/null || true; ip netns del "$NS" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$NS"
ip netns exec "$NS" ip tuntap add dev tap0 mode tap
ip netns exec "$NS" ip addr add 10.77.0.1/24 dev tap0
ip netns exec "$NS" ip link set tap0 up
ip netns exec "$NS" valgrind --tool=callgrind --callgrind-out-file="$OUT" build/synack-native --tap tap0 --ip 10.77.0.2/24 >"$OUT.log" 2>&1 &
for i in $(seq 1 50); do grep -q serving "$OUT.log" && break; sleep 0.2; done
ip netns exec "$NS" ping -c 1 -W 5 10.77.0.2 >/dev/null
head -c $((MIB * 1048576)) /dev/urandom | ip netns exec "$NS" nc -N 10.77.0.2 9
sleep 1
pkill -TERM -f "callgrind-out-file=$OUT"
for i in $(seq 1 50); do grep -q "spi " "$OUT.log" && break; sleep 0.2; done
sleep 1
incl() { callgrind_annotate --inclusive=yes "$OUT" 2>/dev/null | grep -E "$1" | head -1 | awk '{gsub(",","",$1); print $1}'; }
bytes=$((MIB * 1048576))
wasm=$(incl "m3_env.c:m3_CallV \[")
step=$(incl "firmware.c:fw_step \[")
model=$(incl "w5500_model.c:model_spi \[")
echo "payload: $bytes bytes"
echo "wasm3 (the module): $wasm instructions, $((wasm / bytes)) per payload byte"
echo "firmware step without the simulated chip: $((step - model)) instructions, $(((step - model) / bytes)) per payload byte"
grep "spi " "$OUT.log" || true
