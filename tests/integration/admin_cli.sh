#!/usr/bin/env bash
# End to end test of `chatctl admin` against a real node: starts `chatctl serve` with a secret on
# a free loopback port and a temporary data directory, mints an admin token offline, and drives a
# whole operator session through the admin HTTP API (docs/admin-api.md): users, a private room,
# membership, publish, search, disable, ban and unban, kick, tokens, delete, and the exit codes
# of refusals. Every output and exit code is checked; every wait is bounded.
#
# Usage: admin_cli.sh PATH/TO/chatctl
# ADMIN_CLI_KEEP_GOING=1 reports every failed check instead of stopping at the first.
# Needs bash, coreutils (timeout, mktemp) and grep; not jq or python.
set -euo pipefail

CHATCTL=${1:?usage: admin_cli.sh PATH/TO/chatctl}
KEEP_GOING=${ADMIN_CLI_KEEP_GOING:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/chatctl-admin-cli-XXXXXX")
node_pid=""
failures=0
checks=0

cleanup() {
    if [[ -n $node_pid ]] && kill -0 "$node_pid" 2>/dev/null; then
        kill -TERM "$node_pid" 2>/dev/null || true
        # A draining node exits quickly; do not let a stuck one hold the test up.
        for _ in $(seq 50); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$node_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    failures=$((failures + 1))
    echo "FAIL: $*" >&2
    if [[ -z $KEEP_GOING ]]; then
        echo "--- last lines of the node's log:" >&2
        tail -n 20 "$work/node.log" >&2 || true
        exit 1
    fi
}

# run WANT_EXIT ARGS...: runs chatctl with stdin from $input (empty unless set), keeping its
# stdout in $out and stderr in $err; checks the exit code.
input=""
run() {
    local want=$1
    shift
    checks=$((checks + 1))
    set +e
    out=$(printf '%s' "$input" | timeout 30 "$CHATCTL" "$@" 2>"$work/stderr")
    rc=$?
    set -e
    err=$(cat "$work/stderr")
    input=""
    if [[ $rc != "$want" ]]; then
        fail "chatctl $* exited $rc, want $want
  stdout: $out
  stderr: $err"
        return 0
    fi
}

# expect_out REGEX / expect_err REGEX / refute_out REGEX: grep -E on the last run's output.
expect_out() {
    grep -Eq -- "$1" <<<"$out" || fail "stdout lacks /$1/:
$out"
}
refute_out() {
    if grep -Eq -- "$1" <<<"$out"; then fail "stdout has /$1/:
$out"; fi
}
expect_err() {
    grep -Eq -- "$1" <<<"$err" || fail "stderr lacks /$1/:
$err"
}

# --- a node with a secret, on a port it picks itself ----------------------------------------
printf 'admin-cli-test-secret-%s\n' "$RANDOM$RANDOM" >"$work/secret"
"$CHATCTL" serve --listen 127.0.0.1:0 --data "$work/data" --secret-file "$work/secret" \
    --log-level info >"$work/node.log" 2>&1 &
node_pid=$!
port=""
for _ in $(seq 150); do
    port=$(grep -o 'msg=listening.* port=[0-9]*' "$work/node.log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && break
    kill -0 "$node_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -z $port ]]; then
    cat "$work/node.log" >&2
    echo "FAIL: chatctl serve did not start within 15 s" >&2
    exit 1
fi
export CHATCTL_URL="ws://127.0.0.1:$port"
CHATCTL_TOKEN=$("$CHATCTL" admin token --user root --admin --secret-file "$work/secret")
export CHATCTL_TOKEN
echo "node on port $port"

# --- the cluster ------------------------------------------------------------------------------
run 0 admin node list
expect_out '^node: 0$'
expect_out '^meshed: no$'
run 0 admin node list --json
expect_out '^\{.*"meshed":false.*\}$'
# A failover list: the first URL refuses, the second answers.
run 0 admin node list -u "ws://127.0.0.1:1,ws://127.0.0.1:$port/ws"
expect_out '^node: 0$'
run 0 admin stats
expect_out '^sessions: [0-9]+$'
expect_out '^messages_accepted: [0-9]+$'
run 0 admin stats --json
expect_out '"writes_in_flight":[0-9]+'

# --- users ------------------------------------------------------------------------------------
input=$'alice-password\n'
run 0 admin user add alice --password-stdin
expect_out '^added user alice$'
printf 'bob-password\n' >"$work/bob.pw"
run 0 admin user add bob --admin --password-file "$work/bob.pw"
expect_out '^added user bob \(admin\)$'
input='carol-password'
run 0 admin user add carol --password-stdin --json
expect_out '^\{"admin":false,"name":"carol"\}$'
input=$'alice-password\n'
run 1 admin user add alice --password-stdin
expect_err "^chatctl: admin user add: conflict: "
# Passwords never come from the command line, and the length rule is checked before sending.
run 2 admin user add dave dave-password
input='short'
run 2 admin user add dave --password-stdin
expect_err 'password is 8 to 256 bytes'
run 2 admin user add dave
expect_err 'password-stdin'

run 0 admin user list
expect_out '^NAME +ADMIN +DISABLED +BANNED_UNTIL$'
expect_out '^alice +no +no +-$'
expect_out '^bob +yes +no +-$'
expect_out '^carol +no +no +-$'
run 0 admin user list --json
expect_out '"name":"alice"'
expect_out '"more":false'
run 0 admin user search al
expect_out '^alice '
refute_out '^bob '
run 0 admin user list --prefix b --json
expect_out '"name":"bob"'
refute_out '"name":"alice"'
run 0 admin user list --limit 1
expect_out '^alice '
refute_out '^bob '
expect_err '^more users follow: --after alice$'
run 0 admin user list --after alice --limit 1
expect_out '^bob '
refute_out '^alice '
run 2 admin user list --limit 5000

run 0 admin user show alice
expect_out '^name: alice$'
expect_out '^admin: no$'
expect_out '^disabled: no$'
run 1 admin user show nobody
expect_err '^chatctl: admin user show: not_found: '
input=$'alice-password-2\n'
run 0 admin user passwd alice --password-stdin
expect_out '^changed the password of alice$'

# --- a private room ---------------------------------------------------------------------------
run 0 admin channel create ops --private --topic "operations room" --owner bob
expect_out '^created private channel ops$'
run 1 admin channel create ops
expect_err '^chatctl: admin channel create: conflict: '
run 0 admin channel create lobby --json
expect_out '"name":"lobby"'
expect_out '"kind":"public"'
run 0 admin channel info ops
expect_out '^name: ops$'
expect_out '^kind: private$'
expect_out '^topic: operations room$'
expect_out '^owner: bob$'
run 0 admin channel list
expect_out '^NAME +KIND +MESSAGES +LAST_ID$'
expect_out '^ops +private '
expect_out '^lobby +public '
run 0 admin channel list --prefix op --json
expect_out '"name":"ops"'
refute_out '"name":"lobby"'
run 0 admin channel topic ops deploys and incidents
expect_out '^topic: deploys and incidents$'
run 0 admin channel invite ops alice
expect_out '^alice is member of ops$'
run 0 admin channel invite ops carol --role admin --json
expect_out '"role":"admin"'
run 2 admin channel invite ops carol --role king
run 0 admin channel members ops
expect_out '^USER +ROLE$'
expect_out '^alice +member$'
expect_out '^carol +admin$'
run 0 admin channel remove ops carol
expect_out '^removed carol from ops$'
run 0 admin channel members ops --json
expect_out '"user":"alice"'
refute_out '"user":"carol"'
run 0 admin channel presence ops
expect_out '^USER$'

# --- publish, and what a member reads -------------------------------------------------------
run 0 admin publish -c ops "deploy at noon"
expect_out '^published [0-9]+ to ops$'
input=$'from stdin\n'
run 0 admin publish -c ops --from bob - --json
expect_out '"channel":"ops"'
expect_out '"id":"?[0-9]+'
run 0 admin publish --to alice "a word in private"
run 2 admin publish "no target"
run 2 admin publish -c ops --to alice "both targets"
alice_token=$("$CHATCTL" admin token --user alice --secret-file "$work/secret")
run 0 tail -c ops -n 10 --token "$alice_token"
expect_out '<system> deploy at noon$'
expect_out '<bob> from stdin$'

# --- disable, ban, kick -----------------------------------------------------------------------
run 0 admin user disable carol
expect_out '^disabled user carol$'
run 0 admin user show carol --json
expect_out '"disabled":true'
run 0 admin user enable carol
expect_out '^enabled user carol$'
run 0 admin user show carol
expect_out '^disabled: no$'

run 0 admin ban carol --channel ops --for 2h
expect_out '^banned carol from ops until 2[0-9]{3}-[0-9]{2}-[0-9]{2}T'
run 0 admin bans --channel ops
expect_out '^USER +UNTIL$'
expect_out '^carol +2[0-9]{3}-'
run 0 admin ban carol
expect_out '^banned carol from the cluster \(no expiry\)$'
run 0 admin bans --json
expect_out '"user":"carol"'
run 2 admin ban carol --for 2weeks
run 0 admin unban carol --channel ops
expect_out '^unbanned carol from ops$'
run 0 admin bans --channel ops
refute_out '^carol '
run 0 admin unban carol --json
expect_out '"user":"carol"'
run 0 admin bans
refute_out '^carol '

run 0 admin kick alice
expect_out '^kicked alice \(every session\)$'
run 0 admin kick alice --channel ops --json
expect_out '"channel":"ops"'

# --- tokens minted by the node ----------------------------------------------------------------
run 0 admin token --user alice --ttl 1h
expect_out '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'
minted=$out
run 0 send -c lobby --token "$minted" "hello with a token the node minted"
run 0 admin token --user erin --ttl never --json
expect_out '"token":"'
run 0 admin token --user frank --secret-file "$work/secret" --json
expect_out '"exp":[0-9]+'
run 2 admin token --user frank --secret-file "$work/secret" -u "$CHATCTL_URL"

# --- refusals and their exit codes ------------------------------------------------------------
CHATCTL_TOKEN="" run 4 admin user list
expect_err '^chatctl: admin user list: unauthorized: '
run 4 admin user list --token "$alice_token"
expect_err '^chatctl: admin user list: forbidden: '
run 3 admin user list -u ws://127.0.0.1:1
expect_err '^chatctl: admin user list: unavailable: '
run 2 admin user list -u wss://127.0.0.1:1
expect_err 'wss:// is not supported'
run 2 admin user list --as alice
run 2 admin channel
run 2 admin user

# --- deletes ------------------------------------------------------------------------------------
run 0 admin channel delete ops
expect_out '^deleted channel ops$'
run 1 admin channel info ops
expect_err '^chatctl: admin channel info: not_found: '
run 0 admin user delete carol
expect_out '^deleted user carol$'
run 1 admin user show carol
expect_err '^chatctl: admin user show: not_found: '
run 0 admin user list
refute_out '^carol '

if ((failures > 0)); then
    echo "admin cli: $failures checks failed ($checks commands run)" >&2
    exit 1
fi
echo "admin cli: all $checks commands passed"
