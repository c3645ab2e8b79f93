#!/usr/bin/env bash
# How long a node that was down needs to catch up N missed messages (default 100000).
# Starts two meshed nodes on loopback (free ports), kills node 2, sends N messages through node 1,
# restarts node 2 and times it from start until its /api/v1/nodes says it has applied all of
# node 1's events. Usage: bench/mesh_catchup.sh [N] [path/to/chatctl]
set -euo pipefail
n=${1:-100000}
chatctl=${2:-build/cmd/chatctl}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

field() { grep -o " $2=[^ ]*" "$1" | tail -1 | cut -d= -f2; }
wait_for() { for _ in $(seq 200); do grep -q "$2" "$1" && return 0; sleep 0.05; done; return 1; }
now_ms() { date +%s%3N; }

"$chatctl" serve --node-id 1 --listen 127.0.0.1:0 --data "$work/n1" --rate-limit 0 \
  --mesh-bind tcp://127.0.0.1:0 >"$work/n1.log" 2>&1 &
wait_for "$work/n1.log" msg=listening
peer=$(field "$work/n1.log" mesh_pub)
ws1=$(field "$work/n1.log" port)
start_node2() {
  "$chatctl" serve --node-id 2 --listen 127.0.0.1:0 --data "$work/n2" \
    --mesh-bind tcp://127.0.0.1:0 --peer "$peer" >>"$work/n2.log" 2>&1 &
  node2=$!
}
start_node2
wait_for "$work/n2.log" msg=listening
kill -9 "$node2"; wait "$node2" 2>/dev/null || true

t0=$(now_ms)
timeout 300 "$chatctl" bench -u "ws://127.0.0.1:$ws1" --pubs 4 --subs 0 --msgs "$n" >/dev/null
t1=$(now_ms)
echo "sent $n messages through node 1 in $((t1 - t0)) ms (chatctl bench, 4 publishers, each acked)"

: >"$work/n2.log"
t2=$(now_ms)
start_node2
wait_for "$work/n2.log" msg=listening
ws2=$(field "$work/n2.log" port)
# Level means committed: count node 2's rows in its SQLite file (read-only, beside the node).
for _ in $(seq 6000); do
  stored=$(python3 -c 'import sqlite3,sys; db=sqlite3.connect("file:"+sys.argv[1]+"?mode=ro", uri=True); print(db.execute("select count(*) from messages where origin=1").fetchone()[0])' "$work/n2/chatctl.db" 2>/dev/null || echo 0)
  [ "$stored" -ge "$n" ] && break
  sleep 0.05
done
t3=$(now_ms)
listen_ms=$(($(date -d "$(grep 'msg=listening' "$work/n2.log" | grep -o 'ts=[^ ]*' | cut -d= -f2)" +%s%3N) - t2))
echo "node 2 restarted and committed $stored of $n missed messages in $((t3 - t2)) ms"
echo "  (it listened for clients after ${listen_ms} ms: the mesh listens first for a node id clash,"
echo "   and fetches while it does)"
