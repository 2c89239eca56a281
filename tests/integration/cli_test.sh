#!/usr/bin/env bash
# resockd and resock-client command lines: usage errors exit 2 with one line
# and "try --help", config files name a bad key, flags override the file,
# RESOCK_SECRET silences the random-secret warning, SIGTERM exits 0 with
# the stats line.
#
#   cli_test.sh RESOCKD RESOCK_CLIENT
set -u
resockd=$1 client=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/resock-cli.XXXXXX")
pid=
trap '[[ -n $pid ]] && kill -KILL $pid 2>/dev/null; rm -rf "$work"' EXIT
fails=0
check() {  # check DESCRIPTION COMMAND...: the command must succeed
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi
}

# expect_usage_error WHAT PATTERN COMMAND...: exit 2, one stderr line
# matching PATTERN and ending with "(try --help)".
expect_usage_error() {
  local what=$1 pattern=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$work/err")
  if [[ $rc == 2 && $lines == 1 ]] && grep -qE "$pattern" "$work/err" &&
    grep -q '(try --help)$' "$work/err"; then
    echo "ok   $what"
  else
    echo "FAIL $what (status $rc): $(cat "$work/err")"
    fails=$((fails + 1))
  fi
}

# --- resockd -----------------------------------------------------------------
check "resockd --help lists every flag" bash -c "out=\$('$resockd' --help) && for f in \
  --listen --config --prefix --secret --session-ttl --heartbeat --max-message \
  --replay-messages --replay-bytes --echo --no-demo --help --version Examples; do \
  grep -q -- \"\$f\" <<<\"\$out\" || { echo missing \$f; exit 1; }; done"
check "resockd --version" bash -c "'$resockd' --version | grep -qE '^resockd [0-9]+\.[0-9]+\.[0-9]+$'"
expect_usage_error "unknown flag" 'unknown option --bogus' "$resockd" --bogus
expect_usage_error "bad --listen" 'HOST:PORT' "$resockd" --listen nope
expect_usage_error "bad number" 'non-negative integer' "$resockd" --heartbeat 10s
expect_usage_error "missing value" 'needs a value' "$resockd" --session-ttl
echo '{"listen":"127.0.0.1:0","lsten":"x"}' >"$work/bad.json"
expect_usage_error "config: unknown key named" '"lsten"' "$resockd" --config "$work/bad.json"
echo '{"heartbeat_ms":"fast"}' >"$work/type.json"
expect_usage_error "config: wrong type named" 'heartbeat_ms' "$resockd" --config "$work/type.json"
expect_usage_error "config: missing file" 'cannot read' "$resockd" --config "$work/none.json"

# File values apply, flags override them (whatever the order), the env
# secret silences the warning; /rs/info shows the effective values.
cat >"$work/good.json" <<'EOF'
{"listen":"127.0.0.1:8", "prefix":"/file", "heartbeat_ms":1234, "session_ttl_ms":5000,
 "replay_max_messages":77, "echo":false}
EOF
RESOCK_SECRET=from-env "$resockd" --session-ttl 7000 --config "$work/good.json" \
  --listen 127.0.0.1:0 --no-demo >"$work/d.out" 2>"$work/d.err" &
pid=$!
for _ in $(seq 100); do grep -q '^PORT' "$work/d.out" && break; sleep 0.05; done
port=$(awk '/^PORT/{print $2}' "$work/d.out")
info=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; printf 'GET /file/info HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' >&3; cat <&3")
check "config + flags: hb from the file" grep -q '"hb":1234' <<<"$info"
check "config + flags: ttl from the flag" grep -q '"ttl":7000' <<<"$info"
check "config + flags: replay from the file" grep -q '"replay_messages":77' <<<"$info"
check "listening line" grep -q "^resockd: listening on ws://127.0.0.1:$port/file/ws$" "$work/d.out"
check "RESOCK_SECRET: no random-secret warning" bash -c "! grep -q 'random key' '$work/d.err'"
kill -TERM $pid
wait $pid
rc=$?
pid=
check "SIGTERM: exit 0" test $rc = 0
check "SIGTERM: stats line" grep -qE '^resockd: stats routes=0 sessions=0 disconnects=0 publishes=0 encodings=0 ' "$work/d.out"

"$resockd" --listen 127.0.0.1:0 >"$work/w.out" 2>"$work/w.err" &
pid=$!
for _ in $(seq 100); do grep -q '^PORT' "$work/w.out" && break; sleep 0.05; done
check "no secret: warning logged" grep -q 'sessions will not survive a restart' "$work/w.err"
check "demo: listening line" grep -qE '^resockd: listening on http://127.0.0.1:[0-9]+/ \(demo\), ws://' "$work/w.out"
port=$(awk '/^PORT/{print $2}' "$work/w.out")
# --- resock-client against it -------------------------------------------------
out=$(echo '"hi"' | timeout 10 "$client" "ws://127.0.0.1:$port/rs/ws" --route count --json \
  --expect 1)
check "resock-client: route reply" grep -q '"event":"message","seq":1,"data":{"c":1,"n":1}' <<<"$out"
check "resock-client: closed event" grep -q '"event":"closed"' <<<"$out"
out=$(timeout 10 "$client" "ws://127.0.0.1:$port/rs/ws" --route count --count 3 --size 40 --expect 3 2>/dev/null)
check "resock-client: text output" grep -qE '^\[3\] \(direct\): \{"c":3,"n":3\}$' <<<"$out"
kill -TERM $pid
wait $pid
pid=

check "resock-client --help" bash -c "'$client' --help | grep -q Examples"
expect_usage_error "client: missing URL" 'missing URL' "$client" --json
expect_usage_error "client: bad URL" 'ws://' "$client" http://x
expect_usage_error "client: --pub with --route" 'exclude' "$client" ws://x/rs/ws --pub a --route b
expect_usage_error "client: --count alone" 'needs --pub' "$client" ws://x/rs/ws --count 5
expect_usage_error "client: bad rate" 'rate' "$client" ws://x/rs/ws --rate fast

((fails == 0)) || { echo "$fails failure(s)"; exit 1; }
echo PASS
