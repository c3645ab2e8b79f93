#!/usr/bin/env bash
# How `chatctl chat` holds up in a busy room (issue 14's targets, docs/performance.md): a node on
# loopback, `chatctl bench` publishing 1,000 msgs/s into the room `chatctl chat` has on screen (in
# a 100x30 tmux window), and meanwhile: keystroke-to-screen (a key sent with tmux send-keys until
# capture-pane shows it in the input line; tmux's own round trip is included, so this is an upper
# bound), the client's CPU (utime+stime from /proc over the run) and its resident memory before and
# after (scrollback is capped, so it should stay flat).
# Usage: bench/chat_responsiveness.sh [path/to/chatctl]   (env SECONDS_OF_LOAD=15, KEYS=30,
# RATE=1000; RATE=1 gives the baseline of an idle room)
set -euo pipefail
chatctl=$(realpath "${1:-${CHATCTL:-build/cmd/chatctl}}")
load_seconds=${SECONDS_OF_LOAD:-15}
keys=${KEYS:-30}
rate=${RATE:-1000}
work=$(mktemp -d)
socket="chatctl-bench-$$"
trap 'tmux -L "$socket" kill-server 2>/dev/null; kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

wait_for() { for _ in $(seq 300); do grep -q "$2" "$1" && return 0; sleep 0.05; done; return 1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
now_ns() { date +%s%N; }

"$chatctl" serve --listen 127.0.0.1:0 --data "$work/node" --rate-limit 0 >"$work/node.log" 2>&1 &
wait_for "$work/node.log" msg=listening || { cat "$work/node.log"; exit 1; }
port=$(grep -o ' port=[0-9]*' "$work/node.log" | tail -1 | cut -d= -f2)
url="ws://127.0.0.1:$port"

tmux -L "$socket" -f /dev/null -u new-session -d -s chat -x 100 -y 30 \
  "env LANG=C.UTF-8 XDG_STATE_HOME=$work/state CHATCTL_CHAT_STATS=$work/keys.txt $chatctl chat -u $url --as alice -c bench-0; sleep 600"
for _ in $(seq 100); do
  tmux -L "$socket" capture-pane -p -t chat | grep -q 'connected' && break
  sleep 0.1
done
pane=$(tmux -L "$socket" display -p -t chat '#{pane_pid}')
chat_pid=$(pgrep -P "$pane" -f 'chatctl chat' | head -1)
[[ -n $chat_pid ]] || { echo "chatctl chat did not start" >&2; exit 1; }

timeout $((load_seconds + 30)) "$chatctl" bench -u "$url" --as flood --subs 1 --pubs 1 \
  --rate "$rate" --duration "${load_seconds}s" --threads 1 >"$work/bench.out" 2>&1 &
bench_pid=$!
sleep 2  # the load is flowing
rss_before=$(rss_kib "$chat_pid")
ticks_before=$(ticks "$chat_pid")
start=$(now_ns)

latencies=()
for i in $(seq "$keys"); do
  token="k${i}x"
  sent=$(now_ns)
  tmux -L "$socket" send-keys -t chat -l "$token"
  for _ in $(seq 2000); do
    tmux -L "$socket" capture-pane -p -t chat | tail -1 | grep -q -- "$token" && break
  done
  latencies+=($((($(now_ns) - sent) / 1000)))
  tmux -L "$socket" send-keys -t chat C-u
  sleep 0.2
done

elapsed_ns=$(($(now_ns) - start))
ticks_after=$(ticks "$chat_pid")
rss_after=$(rss_kib "$chat_pid")
wait "$bench_pid" || true
# Quit, so the client writes what it measured itself (key read to screen written).
tmux -L "$socket" send-keys -t chat C-c
for _ in $(seq 50); do [[ -s $work/keys.txt ]] && break; sleep 0.1; done
hz=$(getconf CLK_TCK)

n=${#latencies[@]}
sorted=$(printf '%s\n' "${latencies[@]}" | sort -n)
pick_ms() { sed -n "$1p" <<<"$sorted" | awk '{printf "%.1f", $1 / 1000}'; }
echo "== chatctl chat, room receiving ${rate} msgs/s (chatctl bench --rate ${rate}), ${keys} keystrokes"
grep -E 'published|delivered' "$work/bench.out" | sed 's/^/  bench: /'
echo "  keystroke to screen (via tmux): p50 $(pick_ms $(((n + 1) / 2))) ms" \
  " p90 $(pick_ms $(((n * 9 + 9) / 10))) ms  max $(pick_ms "$n") ms"
awk -v t=$((ticks_after - ticks_before)) -v hz="$hz" -v ns="$elapsed_ns" \
  'BEGIN {printf "  client CPU: %.1f%% of a core over %.1f s\n", t * 100 / hz / (ns / 1e9), ns / 1e9}'
echo "  inside the client (poll() woke to redraw written): $(cat "$work/keys.txt" 2>/dev/null)"
echo "  client RSS: ${rss_before} KiB at the start of the measurement, ${rss_after} KiB at its end"
