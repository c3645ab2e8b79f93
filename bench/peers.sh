#!/usr/bin/env bash
# chatctl side by side with NATS (websocket listener) and mosquitto (websockets listener), both from
# Debian's packages, on loopback, with the same `chatctl bench` load for all three.
#   1. fan-out: 1 publisher, 50 subscribers, one channel, 64 B, 20,000 messages, window 100; server
#      CPU (utime+stime from /proc/PID/stat) per delivery, deliveries/s, p50/p99, loss; RUNS times
#      each, the median printed.
#   2. latency at a fixed rate: 1 publisher at 1,000 msgs/s, 50 subscribers (50,000 deliveries/s),
#      10 s; p50/p99/p99.9/max and server CPU per delivery, RUNS times each, the median printed.
#      The relay's own latency targets are for this load: the peers beside it tell how much of a
#      tail is the machine's.
#   3. idle memory: N joined connections held open; the server's VmRSS growth per connection.
# Every server is our own process on free ports, killed on exit. Prints a table and writes the
# same figures to bench/results/peers-DATE.json.
# Usage: bench/peers.sh   (env: CHATCTL=path/to/chatctl, RUNS=3, MSGS=20000, SERVERS="chatctl nats mqtt",
#                          IDLE="5000:1 10000:1 10000:10000" (connections:rooms), HOLD=5s,
#                          LATENCY_DURATION=10s; SCENARIOS="fanout latency idle")
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
chatctl=${CHATCTL:-$repo/build/cmd/chatctl}
runs=${RUNS:-3}
msgs=${MSGS:-20000}
subs=50
idle=${IDLE:-"5000:1 10000:1 10000:10000"}  # connections:rooms
hold=${HOLD:-5s}
servers=${SERVERS:-"chatctl nats mqtt"}
latency_duration=${LATENCY_DURATION:-10s}
scenarios=${SCENARIOS:-"fanout latency idle"}
export PATH="$PATH:/usr/sbin:/sbin"

[ -x "$chatctl" ] || { echo "peers.sh: no chatctl at $chatctl (set CHATCTL)" >&2; exit 2; }
if ! command -v nats-server >/dev/null || ! command -v mosquitto >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y nats-server mosquitto >/dev/null ||
    { $sudo apt-get update >/dev/null && $sudo apt-get install -y nats-server mosquitto >/dev/null; }
fi
# 10,000 connections need as many descriptors in the server and in the load generator.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {  # up to 10 s
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }  # fields 14 and 15
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
established() { ss -Htn state established "( sport = :$1 )" | wc -l; }
hz=$(getconf CLK_TCK)

# start_server NAME: sets $server_pid, $server_port and $server_url.
start_server() {
  local name=$1 dir
  dir=$(mktemp -d "$work/$name.XXXX")
  case $name in
    chatctl)
      server_port=$(free_port)
      # No rate limit for a load test; a bigger outbound queue so that a subscriber that falls
      # behind during the burst is not closed with 4408.
      "$chatctl" serve --listen "127.0.0.1:$server_port" --data "$dir/data" --rate-limit 0 \
        --max-outbound-bytes $((256 << 20)) --log-level warn >"$dir/log" 2>&1 &
      server_url="ws://127.0.0.1:$server_port/ws"
      ;;
    nats)
      local client_port
      client_port=$(free_port)
      server_port=$(free_port)
      cat >"$dir/nats.conf" <<EOF
port: $client_port
host: 127.0.0.1
websocket { port: $server_port, host: 127.0.0.1, no_tls: true }
EOF
      nats-server -c "$dir/nats.conf" >"$dir/log" 2>&1 &
      server_url="ws://127.0.0.1:$server_port/"
      ;;
    mqtt)
      local client_port
      client_port=$(free_port)
      server_port=$(free_port)
      # A websockets listener alone does not start in 2.0.11; a plain one first makes it start.
      cat >"$dir/mosquitto.conf" <<EOF
listener $client_port 127.0.0.1
listener $server_port 127.0.0.1
protocol websockets
allow_anonymous true
max_queued_messages 100000
EOF
      mosquitto -c "$dir/mosquitto.conf" >"$dir/log" 2>&1 &
      server_url="ws://127.0.0.1:$server_port/mqtt"
      ;;
  esac
  server_pid=$!
  pids+=("$server_pid")
  server_log=$dir/log
  wait_port "$server_port" || { echo "peers.sh: $name did not listen:" >&2; cat "$dir/log" >&2; exit 1; }
  sleep 0.3
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

# bench PROTOCOL URL LIMIT_SECONDS ARGS...: the report's JSON line on stdout, or {"failed": why}.
bench() {
  local protocol=$1 url=$2 limit=$3 out err
  shift 3
  err=$(mktemp "$work/bench-err.XXXX")
  out=$(timeout "$limit" "$chatctl" bench -u "$url" --protocol "$protocol" --json "$@" \
    2>"$err") || true
  if [ -n "$out" ]; then
    echo "$out"
  else
    python3 -c 'import json,sys; print(json.dumps({"failed": sys.argv[1] or "timed out"}))' \
      "$(tail -c 300 "$err")"
  fi
}

results=$work/results.jsonl
: >"$results"

wants() { [[ " $scenarios " == *" $1 "* ]]; }

# --- 1. fan-out ---------------------------------------------------------------------------------
# The servers take turns, run by run, so that a noisy spell of the VM falls on all of them.
wants fanout && for run in $(seq "$runs"); do
  for name in $servers; do
    start_server "$name"
    before=$(cpu_ticks "$server_pid")
    json=$(bench "$name" "$server_url" 90 --subs "$subs" --pubs 1 --channels 1 --size 64 \
      --msgs "$msgs" --window 100)
    after=$(cpu_ticks "$server_pid")
    stop_server
    echo "{\"scenario\":\"fanout\",\"server\":\"$name\",\"run\":$run,\"cpu_ticks\":$((after - before)),\"hz\":$hz,\"bench\":$json}" >>"$results"
    echo "fanout $name run $run: cpu $((after - before)) ticks; $json" >&2
  done
done

# --- 2. latency at a fixed rate -----------------------------------------------------------------
# One load-generator thread, as in relay.sh: the server needs the other CPU. Turns as above.
wants latency && for run in $(seq "$runs"); do
  for name in $servers; do
    start_server "$name"
    before=$(cpu_ticks "$server_pid") started=$(date +%s%N)
    json=$(bench "$name" "$server_url" 120 --subs "$subs" --pubs 1 --channels 1 --size 64 \
      --rate 1000 --duration "$latency_duration" --warmup 2s --threads 1)
    after=$(cpu_ticks "$server_pid") wall_ms=$((($(date +%s%N) - started) / 1000000))
    stop_server
    echo "{\"scenario\":\"latency\",\"server\":\"$name\",\"run\":$run,\"cpu_ticks\":$((after - before)),\"hz\":$hz,\"wall_ms\":$wall_ms,\"bench\":$json}" >>"$results"
    echo "latency $name run $run: cpu $((after - before)) ticks; $json" >&2
  done
done

# --- 3. idle memory -----------------------------------------------------------------------------
# N connections joined to ROOMS rooms (connection i to room i % ROOMS), 10 messages published, then
# held. In one room chatctl also tells every member of every other member's join (presence), N^2/2
# events, which the peers do not have; a room each measures what a connection alone costs.
wants idle && for name in $servers; do
  for spec in $idle; do
    n=${spec%:*} rooms=${spec#*:}
    start_server "$name"
    rss_before=$(rss_kib "$server_pid")
    bench "$name" "$server_url" 120 --subs "$n" --channels "$rooms" --pubs 1 --msgs 10 \
      --hold "$hold" >"$work/idle.json" &
    bench_pid=$!
    pids+=("$bench_pid")
    # Held: the last sample while every connection (the publisher too) is still open, that is at
    # the end of the hold; the peak over the whole run beside it.
    rss_held="" rss_peak=0 held=0
    for _ in $(seq 1200); do
      kill -0 "$bench_pid" 2>/dev/null || break
      rss=$(rss_kib "$server_pid")
      [ "$rss" -gt "$rss_peak" ] && rss_peak=$rss
      count=$(established "$server_port")
      [ "$count" -gt "$held" ] && held=$count
      [ "$count" -ge $((n + 1)) ] && rss_held=$rss
      sleep 0.5
    done
    wait "$bench_pid" || true
    stop_server
    json=$(cat "$work/idle.json")
    echo "{\"scenario\":\"idle\",\"server\":\"$name\",\"conns\":$n,\"rooms\":$rooms,\"max_established\":$held,\"rss_before_kib\":$rss_before,\"rss_held_kib\":${rss_held:-null},\"rss_peak_kib\":$rss_peak,\"bench\":$json}" >>"$results"
    echo "idle $name $n in $rooms rooms: rss $rss_before -> ${rss_held:-?} KiB (peak $rss_peak), at most $held established" >&2
  done
done

# --- report -------------------------------------------------------------------------------------
mkdir -p "$repo/bench/results"
out=$repo/bench/results/peers-$(date +%Y%m%d-%H%M%S).json
python3 - "$results" "$out" "$msgs" "$subs" "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
  "$(nats-server --version 2>&1 | head -1)" "$(mosquitto -h 2>&1 | head -1)" <<'EOF'
import datetime, json, statistics, sys
path, out, msgs, subs, nproc, cpu, nats_v, mosq_v = sys.argv[1:]
rows = [json.loads(line) for line in open(path)]

def fanout_figures(r):
    b = r["bench"]
    delivered = b.get("delivered", 0)
    cpu_s = r["cpu_ticks"] / r["hz"]
    lat = b.get("latency_us", {})
    return {"cpu_us_per_delivery": cpu_s * 1e6 / delivered if delivered else None,
            "server_cpu_s": cpu_s, "deliveries_per_s": b.get("deliveries_per_second"),
            "p50_us": lat.get("p50"), "p99_us": lat.get("p99"), "loss": b.get("loss"),
            "expected": b.get("expected"), "delivered": delivered,
            "errors": b.get("errors"), "first_error": b.get("first_error"),
            "failed": b.get("failed")}

def latency_figures(r):
    f = fanout_figures(r)
    lat = r["bench"].get("latency_us", {})
    # Connection set-up and warm-up included on both sides of the division.
    f.update(p99_9_us=lat.get("p99_9"), max_us=lat.get("max"),
             cpu_percent=100 * f["server_cpu_s"] / (r["wall_ms"] / 1000))
    return f

def by_server(scenario_rows, figures):  # {server: [figures of each run]}, in order of first run
    out = {}
    for r in scenario_rows:
        out.setdefault(r["server"], []).append(figures(r))
    return out

def losses_and_errors(figs):  # "0/0/0 (0/0/0)"
    return ("/".join(fmt(f["loss"], "d") for f in figs) + " (" +
            "/".join(fmt(f["errors"], "d") for f in figs) + ")")

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

def fmt(v, spec):  # "-" for a missing figure, as wide as the figure would be
    width = int("".join(c for c in spec.split(".")[0] if c.isdigit()) or 0)
    return "-".rjust(width) if v is None else format(v, spec)

summary = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
           "nproc": int(nproc), "cpu": cpu, "nats": nats_v, "mosquitto": mosq_v,
           "fanout_load": {"publishers": 1, "subscribers": int(subs), "channels": 1, "size": 64,
                           "messages": int(msgs), "window": 100},
           "fanout": {}, "idle": [], "runs": rows}
fanout_rows = [r for r in rows if r["scenario"] == "fanout"]
if fanout_rows:
    print(f"\nfan-out: 1 publisher -> {subs} subscribers, one channel, 64 B, {int(msgs):,} messages, "
          f"window 100 (median of the runs; loss and errors: every run)")
    print(f"{'server':8} | {'us CPU/delivery':>15} | {'deliveries/s':>12} | {'p50 ms':>8} | "
          f"{'p99 ms':>8} | loss (errors)")
for server, figs in by_server(fanout_rows, fanout_figures).items():
    med = {k: median([f[k] for f in figs]) for k in
           ("cpu_us_per_delivery", "deliveries_per_s", "p50_us", "p99_us")}
    summary["fanout"][server] = {"median": med, "runs": figs}
    print(f"{server:8} | {fmt(med['cpu_us_per_delivery'], '15.2f')} | "
          f"{fmt(med['deliveries_per_s'], '12,.0f')} | "
          f"{fmt(med['p50_us'] and med['p50_us'] / 1000, '8.2f')} | "
          f"{fmt(med['p99_us'] and med['p99_us'] / 1000, '8.2f')} | {losses_and_errors(figs)}")

latency_rows = [r for r in rows if r["scenario"] == "latency"]
if latency_rows:
    summary["latency"] = {}
    print(f"\nlatency: 1 publisher at 1,000 msgs/s -> {subs} subscribers (50,000 deliveries/s), one "
          f"channel, 64 B (median of the runs; every run's p99 after it)")
    print(f"{'server':8} | {'deliveries/s':>12} | {'p50 ms':>7} | {'p99 ms':>7} | {'p99.9 ms':>8} | "
          f"{'max ms':>7} | {'server CPU':>10} | p99 of each run | loss (errors)")
for server, figs in by_server(latency_rows, latency_figures).items():
    med = {k: median([f[k] for f in figs]) for k in
           ("deliveries_per_s", "p50_us", "p99_us", "p99_9_us", "max_us", "cpu_percent")}
    summary["latency"][server] = {"median": med, "runs": figs}
    ms = lambda v: v and v / 1000
    each = "/".join(fmt(ms(f["p99_us"]), ".2f") for f in figs)
    print(f"{server:8} | {fmt(med['deliveries_per_s'], '12,.0f')} | {fmt(ms(med['p50_us']), '7.3f')} | "
          f"{fmt(ms(med['p99_us']), '7.3f')} | {fmt(ms(med['p99_9_us']), '8.3f')} | "
          f"{fmt(ms(med['max_us']), '7.3f')} | {fmt(med['cpu_percent'], '9.0f')}% | "
          f"{each:15} | {losses_and_errors(figs)}")

idle_rows = [r for r in rows if r["scenario"] == "idle"]
if idle_rows:
    print(f"\nidle memory: N connections joined to R rooms (+1 publisher, 10 messages), held open; "
          f"server VmRSS")
    print(f"{'server':8} | {'conns':>6} | {'rooms':>6} | {'RSS before':>10} | {'RSS held':>10} | "
          f"{'RSS peak':>10} | {'KiB RSS/conn':>12} | bench")
for r in idle_rows:
    b = r["bench"]
    per = ((r["rss_held_kib"] - r["rss_before_kib"]) / r["conns"]
           if r["rss_held_kib"] is not None else None)
    note = (f"failed: {b.get('failed', '').strip()}" if "loss" not in b else
            f"loss {b['loss']}, errors {b['errors']}")
    if r["rss_held_kib"] is None:
        note += f"; never all connected (at most {r['max_established']})"
    entry = dict(r, kib_per_conn=per, note=note)
    entry.pop("bench")
    summary["idle"].append(entry)
    print(f"{r['server']:8} | {r['conns']:6} | {r['rooms']:6} | {r['rss_before_kib'] / 1024:6.1f} MiB | "
          f"{fmt(r['rss_held_kib'] and r['rss_held_kib'] / 1024, '6.1f')} MiB | "
          f"{r['rss_peak_kib'] / 1024:6.1f} MiB | {fmt(per, '12.2f')} | {note}")
with open(out, "w") as f:
    json.dump(summary, f, indent=1)
print(f"\n{nproc} CPUs ({cpu}); {nats_v}; {mosq_v}; figures in {out}")
EOF
