#!/usr/bin/env bash
# Runs examples/embed_server and examples/embed_client against each other:
# the server on an ephemeral port (read from its "PORT <n>" line), a client
# that must get its shouted message back on "chat", a client with
# auth "banned" that must be refused, then SIGINT to the server's PID,
# which must exit 0 having logged the sessions that ended.
#   embed_test.sh <embed_server> <embed_client>
set -euo pipefail
server=$1
client=$2
tmp=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "embed_test: $*" >&2
  for f in "$tmp"/*.out "$tmp"/*.err; do [[ -s $f ]] && { echo "--- $f"; cat "$f"; } >&2; done
  exit 1
}

# --once-for-test bounds the server's life if this script dies early.
"$server" --port 0 --once-for-test 60 >"$tmp/server.out" 2>"$tmp/server.err" &
pid=$!
port=
for _ in $(seq 100); do
  port=$(awk '/^PORT /{print $2; exit}' "$tmp/server.out")
  [[ -n $port ]] && break
  kill -0 "$pid" 2>/dev/null || fail "server exited before listening"
  sleep 0.1
done
[[ -n $port ]] || fail "server printed no port"

url="ws://127.0.0.1:$port/rs/ws"
timeout 20 "$client" --url "$url" >"$tmp/client.out" 2>"$tmp/client.err" ||
  fail "client failed (rc $?)"
grep -q '^connected sid=' "$tmp/client.out" || fail "client never connected"
grep -q 'channel=chat data=.*HELLO FROM EMBED_CLIENT' "$tmp/client.out" ||
  fail "no shouted message on chat"
grep -q '^closed' "$tmp/client.out" || fail "client did not close"

timeout 20 "$client" --url "$url" --auth banned --expect-refused >"$tmp/banned.out" \
  2>"$tmp/banned.err" || fail "banned client was not refused"

kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[[ $rc -eq 0 ]] || fail "server exited with $rc"
grep -q '^stopped' "$tmp/server.out" || fail "server did not stop cleanly"
grep -q '^disconnect sid=.* identity=guest-1 reason=closed_by_client' "$tmp/server.out" ||
  fail "no disconnect log for the client"
echo "embed_test: ok (port $port)"
