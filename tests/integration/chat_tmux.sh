#!/usr/bin/env bash
# End to end tests of `chatctl chat` driven through tmux against a real node: each scenario starts
# `chatctl serve` (open mode, loopback, a free port, a temporary data directory) and one or more
# `chatctl chat` in a tmux server of its own (-L, fixed 100x30 window), types with send-keys and
# reads the screen with capture-pane. Every wait polls with a bounded number of tries.
#
# Usage: chat_tmux.sh PATH/TO/chatctl SCENARIO
# Scenarios: history, dm, unread, restart, edit, password, quit, signals, notty, resize, pageup, escapes
# Needs bash, tmux, coreutils and grep.
set -euo pipefail

CHATCTL=${1:?usage: chat_tmux.sh PATH/TO/chatctl SCENARIO}
SCENARIO=${2:?usage: chat_tmux.sh PATH/TO/chatctl SCENARIO}
work=$(mktemp -d "${TMPDIR:-/tmp}/chatctl-chat-XXXXXX")
socket="chatctl-test-$$-$RANDOM"
sockets=("$socket")
node_pid=""
port=""

cleanup() {
    for s in "${sockets[@]}"; do tmux -L "$s" kill-server 2>/dev/null || true; done
    if [[ -n $node_pid ]] && kill -0 "$node_pid" 2>/dev/null; then
        kill -KILL "$node_pid" 2>/dev/null || true
        wait "$node_pid" 2>/dev/null || true
    fi
    # A chat that got SIGHUP from the dying tmux may still be writing its state file.
    for _ in $(seq 20); do rm -rf "$work" 2>/dev/null && break; sleep 0.1; done
}
trap cleanup EXIT

fail() {
    echo "FAIL ($SCENARIO): $*" >&2
    echo "--- screen:" >&2
    tmux -L "$socket" capture-pane -p -t chat >&2 2>/dev/null || true
    echo "--- last lines of the node's log:" >&2
    tail -n 15 "$work/node.log" >&2 || true
    exit 1
}

# start_node [PORT]: runs a node in open mode on PORT (default: one it picks) and sets $port.
start_node() {
    local listen=${1:-0}
    : >"$work/node.log"
    "$CHATCTL" serve --listen "127.0.0.1:$listen" --data "$work/data" --log-level info \
        >"$work/node.log" 2>&1 &
    node_pid=$!
    port=""
    for _ in $(seq 150); do
        port=$(grep -o 'msg=listening.* port=[0-9]*' "$work/node.log" 2>/dev/null |
            grep -o '[0-9]*$' || true)
        [[ -n $port ]] && break
        kill -0 "$node_pid" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n $port ]] || fail "chatctl serve did not start within 15 s"
    export CHATCTL_URL="ws://127.0.0.1:$port"
}

# fresh_tmux: ends this tmux server and moves on to a new socket for the next `chat` (a new
# server on the socket of one still exiting fails with "server exited unexpectedly"; new-window
# on a server whose size is manual crashes tmux 3.3a).
fresh_tmux() {
    tmux -L "$socket" kill-server 2>/dev/null || true
    socket="chatctl-test-$$-$RANDOM"
    sockets+=("$socket")
}

# chat WINDOW ARGS...: starts `chatctl chat ARGS` in a tmux server of its own, in a 100x30
# window named WINDOW. When chat exits, the pane says EXITED-<code> and stays.
chat() {
    local window=$1
    shift
    local command="env LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=$work/state"
    command+=" CHATCTL_URL=$CHATCTL_URL $CHATCTL chat $*; echo EXITED-\$?; sleep 600"
    tmux -L "$socket" -f /dev/null -u new-session -d -s chat -n "$window" -x 100 -y 30 "$command"
    tmux -L "$socket" set-option -t chat -g window-size manual
}

screen() { tmux -L "$socket" capture-pane -p -t "chat:$1"; }

# wait_for WINDOW REGEX: waits up to 10 s for the screen to match.
wait_for() {
    for _ in $(seq 100); do
        if screen "$1" | grep -Eq -- "$2"; then return 0; fi
        sleep 0.1
    done
    fail "window $1 never showed /$2/"
}

# wait_gone WINDOW REGEX: waits up to 10 s for the screen to stop matching.
wait_gone() {
    for _ in $(seq 100); do
        if ! screen "$1" | grep -Eq -- "$2"; then return 0; fi
        sleep 0.1
    done
    fail "window $1 still shows /$2/"
}

type_line() {
    tmux -L "$socket" send-keys -t "chat:$1" -l "$2"
    tmux -L "$socket" send-keys -t "chat:$1" Enter
}

keys() {
    local window=$1
    shift
    tmux -L "$socket" send-keys -t "chat:$window" "$@"
}

send() { timeout 20 "$CHATCTL" send "$@" >/dev/null; }

# stored CHANNEL AS REGEX: the node has a message matching REGEX in CHANNEL.
stored() {
    timeout 20 "$CHATCTL" tail --as "$2" -c "$1" -n 200 | grep -Eq -- "$3" ||
        fail "#$1 holds nothing matching /$3/"
}

# count_on WINDOW TEXT: how many rows of the screen hold TEXT.
count_on() { screen "$1" | grep -cF -- "$2" || true; }

scenario_history() {
    start_node
    for i in 1 2 3; do send --as bob -c general "old message $i"; done
    chat main --as alice -c general
    wait_for main 'old message 1'
    wait_for main 'old message 3'
    wait_for main 'alice@.* connected'
    send --as bob -c general "live from send"
    wait_for main '<bob> live from send'
    type_line main "typed by alice"
    wait_for main '<alice> typed by alice$'
    stored general bob '<alice> typed by alice'
    # Wide characters typed in arrive whole, and the input line edits them as characters.
    tmux -L "$socket" send-keys -t chat:main -l "héllo 中文 😀 xx"
    keys main BSpace BSpace BSpace
    keys main Enter
    wait_for main '<alice> héllo 中文 😀$'
    stored general bob '<alice> héllo 中文 😀$'
    [[ $(count_on main "live from send") == 1 ]] || fail "the live message shows more than once"
}

scenario_dm() {
    start_node
    chat main --as alice -c general
    wait_for main 'connected'
    send --as bob --to alice "psst alice"
    wait_for main '@bob'
    keys main M-2
    wait_for main '<bob> psst alice'
    type_line main "/msg carol hello carol"
    wait_for main '@carol'
    wait_for main '<alice> hello carol$'
    stored dm:alice:carol carol '<alice> hello carol'
    type_line main "back to you bob"
    wait_for main '<alice> back to you bob$'
}

scenario_unread() {
    start_node
    send --as bob -c random "old news"
    chat main --as alice -c general -c random
    wait_for main 'connected'
    # History shown on opening is not news: no unread count for it.
    wait_for main '^2 #random +│'
    send --as bob -c random "one"
    send --as bob -c random "two"
    wait_for main '2 #random +2'
    keys main M-2
    wait_for main '<bob> two'
    wait_gone main '2 #random +2'
    keys main C-p
    send --as bob -c random "alice, look"
    wait_for main '2 #random +!1'
    keys main M-a
    wait_for main '<bob> alice, look'
}

scenario_restart() {
    start_node
    local first_port=$port
    chat main --as alice -c general
    wait_for main 'connected'
    send --as bob -c general "before the kill"
    wait_for main '<bob> before the kill'
    kill -KILL "$node_pid"
    wait "$node_pid" 2>/dev/null || true
    wait_for main 'connection lost'
    type_line main "typed while down"
    wait_for main 'typed while down'
    start_node "$first_port"
    wait_for main 'connection regained'
    wait_for main '<alice> typed while down$'
    send --as bob -c general "after the restart"
    wait_for main '<bob> after the restart'
    stored general bob '<alice> typed while down'
    for text in "before the kill" "typed while down" "after the restart"; do
        [[ $(count_on main "$text") == 1 ]] || fail "'$text' is not on screen exactly once"
    done
}

scenario_quit() {
    start_node
    chat main --as alice -c general
    wait_for main 'connected'
    [[ $(tmux -L "$socket" display -p -t chat:main '#{alternate_on}') == 1 ]] ||
        fail "chat did not take the alternate screen"
    type_line main "/quit"
    wait_for main 'EXITED-0'
    [[ $(tmux -L "$socket" display -p -t chat:main '#{alternate_on}') == 0 ]] ||
        fail "the terminal is still on the alternate screen after /quit"
    # The rooms are remembered for the next run without -c.
    fresh_tmux
    chat main --as alice
    wait_for main '1 #general'
}

scenario_edit() {
    start_node
    chat main --as alice -c general
    wait_for main 'connected'
    type_line main "teh message"
    wait_for main '<alice> teh message$'
    # ↑ on an empty line takes the last message back for editing.
    keys main Up
    wait_for main '^edit> teh message'
    keys main C-u
    type_line main "the message"
    wait_for main '<alice> the message \(edited\)$'
    type_line main "/react 👍"
    wait_for main '<alice> the message \(edited\) \[👍 1\]$'
    stored general bob 'the message'
    type_line main "/frobnicate"
    wait_for main 'unknown command /frobnicate'
}

scenario_password() {
    # A node with accounts: chat --as with no password source asks for it, without echo.
    printf 'chat-tmux-test-secret-%s\n' "$RANDOM$RANDOM" >"$work/secret"
    "$CHATCTL" serve --listen 127.0.0.1:0 --data "$work/data" --secret-file "$work/secret" \
        --log-level info >"$work/node.log" 2>&1 &
    node_pid=$!
    for _ in $(seq 150); do
        port=$(grep -o 'msg=listening.* port=[0-9]*' "$work/node.log" 2>/dev/null |
            grep -o '[0-9]*$' || true)
        [[ -n $port ]] && break
        sleep 0.1
    done
    [[ -n $port ]] || fail "chatctl serve did not start within 15 s"
    export CHATCTL_URL="ws://127.0.0.1:$port"
    printf 'alice-password\n' | CHATCTL_TOKEN=$("$CHATCTL" admin token --user root --admin \
        --secret-file "$work/secret") timeout 20 "$CHATCTL" admin user add alice --password-stdin \
        >/dev/null
    chat main --as alice -c general
    wait_for main '^password for alice:'
    tmux -L "$socket" send-keys -t chat:main -l "alice-password"
    sleep 0.2
    if screen main | grep -q 'alice-password'; then fail "the password was echoed"; fi
    keys main Enter
    wait_for main 'alice@.* connected'
}

scenario_signals() {
    start_node
    chat main --as alice -c general
    wait_for main 'connected'
    local pane chat_pid
    pane=$(tmux -L "$socket" display -p -t chat:main '#{pane_pid}')
    chat_pid=$(pgrep -P "$pane" -f 'chatctl chat' | head -1)
    [[ -n $chat_pid ]] || fail "cannot find the chat process"
    kill -TERM "$chat_pid"
    wait_for main 'EXITED-0'
    [[ $(tmux -L "$socket" display -p -t chat:main '#{alternate_on}') == 0 ]] ||
        fail "the terminal is still on the alternate screen after SIGTERM"
    # A crash: the handler restores the terminal, then dies of the signal (128 + 11).
    fresh_tmux
    chat main --as alice -c general
    wait_for main 'connected'
    pane=$(tmux -L "$socket" display -p -t chat:main '#{pane_pid}')
    chat_pid=$(pgrep -P "$pane" -f 'chatctl chat' | head -1)
    kill -SEGV "$chat_pid"
    wait_for main 'EXITED-139'
    [[ $(tmux -L "$socket" display -p -t chat:main '#{alternate_on}') == 0 ]] ||
        fail "the terminal is still on the alternate screen after SIGSEGV"
}

scenario_notty() {
    start_node
    set +e
    err=$(timeout 20 "$CHATCTL" chat --as alice -c general </dev/null 2>&1 >/dev/null)
    rc=$?
    set -e
    [[ $rc == 2 ]] || fail "chat without a terminal exited $rc, want 2"
    grep -q 'chatctl send' <<<"$err" || fail "chat without a terminal did not point to send: $err"
}

scenario_resize() {
    start_node
    send --as bob -c general "a message wide enough to need wrapping when the window is narrow"
    chat main --as alice -c general
    wait_for main 'wrapping when the window'
    tmux -L "$socket" resize-window -t chat -x 30 -y 6
    wait_for main 'terminal too small'
    tmux -L "$socket" resize-window -t chat -x 100 -y 30
    wait_for main 'wrapping when the window'
    wait_gone main 'terminal too small'
}

scenario_pageup() {
    start_node
    for i in $(seq -w 1 80); do printf 'paged line %s\n' "$i"; done |
        timeout 30 "$CHATCTL" send --as bob -c general >/dev/null
    chat main --as alice -c general -n 20
    wait_for main 'paged line 80'
    for _ in $(seq 30); do
        if screen main | grep -q 'paged line 01'; then break; fi
        keys main PPage
        sleep 0.2
    done
    wait_for main 'paged line 01'
}

scenario_escapes() {
    start_node
    send --as bob -c general $'red \e[31mtext\e[0m and a bell \a'
    chat main --as alice -c general
    wait_for main 'red \\x1b\[31mtext\\x1b\[0m and a bell \\x07'
}

"scenario_$SCENARIO"
echo "ok: chat $SCENARIO"
