#!/usr/bin/env bash
# The relay's own targets (docs/performance.md), each a `chatctl bench` run against real nodes on
# loopback with free ports: ingest from 10 publishers, latency at 50,000 deliveries/s on one node
# and across two, and the memory of 10,000 idle joined connections.
# Usage: bench/relay.sh [path/to/chatctl]    (env RUNS=3; every run is bounded by `timeout`)
set -euo pipefail
chatctl=${1:-${CHATCTL:-build/cmd/chatctl}}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

field() { grep -o " $2=[^ ]*" "$1" | tail -1 | cut -d= -f2; }
wait_for() { for _ in $(seq 300); do grep -q "$2" "$1" && return 0; sleep 0.05; done; return 1; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# start_node NAME [serve flags...]: starts a node, sets $pid and $port.
start_node() {
  local name=$1
  shift
  "$chatctl" serve --listen 127.0.0.1:0 --data "$work/$name" --rate-limit 0 "$@" \
    >"$work/$name.log" 2>&1 &
  pid=$!
  wait_for "$work/$name.log" msg=listening || { cat "$work/$name.log"; exit 1; }
  port=$(field "$work/$name.log" port)
}

bench() { timeout 300 "$chatctl" bench "$@"; }
# Latency runs use one load-generator thread: on a 2-CPU machine the nodes need the other CPU.

echo "== ingest: 10 publishers, window 100 each, 200,000 messages, 64 B, acked after commit"
start_node ingest
bench -u "ws://127.0.0.1:$port" --pubs 10 --subs 0 --msgs 200000 --warmup 1s
kill "$pid"; wait "$pid" || true

echo
# The VM's noise moves a p99 by a factor of two between runs: each latency scenario runs RUNS
# times on fresh nodes, and every run is printed.
runs=${RUNS:-3}

echo "== latency on one node: 1 publisher at 1,000 msgs/s, 50 subscribers (50,000 deliveries/s), $runs runs"
for run in $(seq "$runs"); do
  start_node "single$run"
  bench -u "ws://127.0.0.1:$port" --subs 50 --rate 1000 --duration 10s --warmup 2s --threads 1 |
    grep -E 'delivered|latency|loss'
  kill "$pid"; wait "$pid" || true
done

echo
echo "== latency across two nodes: the same load, subscribers alternating between the nodes, $runs runs"
for run in $(seq "$runs"); do
  start_node "n1-$run" --node-id 1 --mesh-bind tcp://127.0.0.1:0
  pid1=$pid port1=$port
  start_node "n2-$run" --node-id 2 --mesh-bind tcp://127.0.0.1:0 \
    --peer "$(field "$work/n1-$run.log" mesh_pub)"
  pid2=$pid port2=$port
  for _ in $(seq 100); do
    curl -fs "127.0.0.1:$port2/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  bench -u "ws://127.0.0.1:$port1,ws://127.0.0.1:$port2" --subs 50 --rate 1000 --duration 10s \
    --warmup 2s --threads 1 | grep -E 'delivered|latency|^ +p50|at ws|loss'
  kill "$pid1" "$pid2"; wait "$pid1" "$pid2" || true
done

echo
echo "== idle: 10,000 joined connections over 100 channels, held 5 s"
start_node idle
before=$(rss_kib "$pid")
bench -u "ws://127.0.0.1:$port" --pubs 0 --subs 10000 --channels 100 --hold 5s --threads 2 \
  >"$work/idle.txt" &
bench_pid=$!
# Sample the node's RSS while every connection is joined and held.
peak=$before
while kill -0 "$bench_pid" 2>/dev/null; do
  now=$(rss_kib "$pid")
  ((now > peak)) && peak=$now
  sleep 0.2
done
wait "$bench_pid" || true
cat "$work/idle.txt"
echo "node RSS: $before KiB before, $peak KiB at most with 10,000 connections:" \
  "$(((peak - before) * 1024 / 10000)) bytes per connection"
kill "$pid"; wait "$pid" || true
