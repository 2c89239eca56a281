#!/usr/bin/env bash
# The chaos test: real resockd, real resock-client processes, and
# chaos_relay between them cutting connections. Proves DESIGN.md's delivery
# contract end to end (every message handed over exactly once, in order;
# every route handler run once per client message; loss never silent).
#
#   chaos_test.sh SCENARIO RESOCKD RESOCK_CLIENT CHAOS_RELAY CHAOS_CHECK
#
# SCENARIO:
#   cuts      10,000 messages each way through >= 50 random cuts
#   ttl       a client held away longer than the session TTL: lost(expired)
#   overflow  the replay buffer overflows while a client is away: lost(overflow)
#
# Ports are chosen at run time (port 0, read back from "PORT" lines);
# processes are stopped by PID. Set CHAOS_SEED to replay a run, KEEP=1 to
# keep the work directory.
set -u
scenario=$1 resockd=$2 client=$3 relay=$4 check=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/resock-chaos-$scenario.XXXXXX")
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 0.2
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  if [[ ${KEEP:-0} == 1 || ${failed:-0} == 1 ]]; then echo "work dir: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

fail() {
  failed=1
  echo "FAIL: $*"
  for f in "$work"/*.err; do
    [[ -s $f ]] && { echo "--- tail of $f"; tail -n 15 "$f"; }
  done
  exit 1
}

# wait_for FILE REGEX SECONDS: until a line of FILE matches.
wait_for() {
  local deadline=$((SECONDS + $3))
  until grep -qE "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "timeout waiting for /$2/ in $(basename "$1")"
    sleep 0.05
  done
}

# wait_pid PID SECONDS: until the process exits; returns its status.
wait_pid() {
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "process $1 still running after $2 s"
    sleep 0.05
  done
  wait "$1"
}

start_resockd() {  # extra flags...
  "$resockd" --listen 127.0.0.1:0 --secret chaos-test-secret --no-demo "$@" \
    >"$work/resockd.out" 2>"$work/resockd.err" &
  resockd_pid=$!
  pids+=("$resockd_pid")
  wait_for "$work/resockd.out" '^PORT [0-9]+$' 10
  port=$(awk '/^PORT /{print $2; exit}' "$work/resockd.out")
}

start_relay() {  # flags...
  "$relay" --target "127.0.0.1:$port" "$@" >"$work/relay.out" 2>"$work/relay.err" &
  relay_pid=$!
  pids+=("$relay_pid")
  wait_for "$work/relay.out" '^PORT 0 ' 10
}

relay_port() { awk -v i="$1" '$1=="PORT" && $2==i {print $3}' "$work/relay.out"; }

stop_resockd() {
  kill -TERM "$resockd_pid"
  wait_pid "$resockd_pid" 15 || fail "resockd exited with status $?"
  stats=$(grep '^resockd: stats' "$work/resockd.out") || fail "no stats line from resockd"
  echo "$stats"
}

stop_relay() {
  kill -TERM "$relay_pid"
  wait_pid "$relay_pid" 10 || fail "relay exited with status $?"
}

field() { sed -n "s/.*[ ]$1=\([0-9]*\).*/\1/p" <<<"$2"; }

case $scenario in
cuts)
  n=10000
  start_resockd
  seed=${CHAOS_SEED:-$RANDOM$RANDOM}
  # Grace: no cut in the first 1.5 s, so both subscriptions to "bulk" are in
  # place before the publisher starts (a subscription made later would
  # rightly miss earlier messages).
  start_relay --listeners 2 --seed "$seed" --grace 1500 --min-life 60 --max-life 350
  echo "seed=$seed resockd port=$port relay ports=$(relay_port 0),$(relay_port 1)"
  t0=$SECONDS
  # A: 10,000 messages to route "count" (c->s), replies (s->c), and B's
  # 10,000 "bulk" messages: 20,000 received.
  "$client" "ws://127.0.0.1:$(relay_port 0)/rs/ws" --json --sub bulk --route count \
    --count $n --rate 1000/s --expect $((2 * n)) >"$work/a.json" 2>"$work/a.err" &
  a_pid=$!
  pids+=("$a_pid")
  wait_for "$work/a.json" '"event":"connected"' 10
  sleep 0.3
  # B: publishes 10,000 to "bulk" (c->s) and, subscribed too, gets them back.
  "$client" "ws://127.0.0.1:$(relay_port 1)/rs/ws" --json --sub bulk --pub bulk \
    --count $n --rate 1000/s --expect $n >"$work/b.json" 2>"$work/b.err" &
  b_pid=$!
  pids+=("$b_pid")
  wait_pid "$a_pid" 90 || fail "client A exited with status $?"
  wait_pid "$b_pid" 30 || fail "client B exited with status $?"
  elapsed=$((SECONDS - t0))
  stop_relay
  cuts=$(grep '^CUTS' "$work/relay.out")
  stop_resockd
  ok=1
  echo "--- client A (route count + bulk subscriber)"
  check_a=$("$check" "$work/a.json" --replies $n --channel bulk $n --no-lost) || ok=0
  echo "$check_a"
  echo "--- client B (bulk publisher + subscriber)"
  check_b=$("$check" "$work/b.json" --channel bulk $n --no-lost) || ok=0
  echo "$check_b"
  routes=$(field routes "$stats")
  [[ $routes == "$n" ]] || { echo "FAIL: route handler ran $routes times for $n messages"; ok=0; }
  total=0 resumes=0
  for i in 0 1; do
    line=$(grep "^CUTS listener=$i " <<<"$cuts")
    f=$([[ $i == 0 ]] && echo a || echo b)
    c=$(field total "$line") w=$(field welcomed "$line")
    r=$(grep -c '"event":"resumed"' "$work/$f.json")
    total=$((total + c)) resumes=$((resumes + r))
    # Every cut of a connection whose welcome reached the client must give
    # exactly one resume; a cut before the welcome (during the handshake or
    # the hello) gives a reconnect but no resume event of its own. So
    # resumes == welcomed cuts, and resumes <= cuts. Tolerance 1 for a cut
    # racing the client's own reading of the welcome.
    echo "client $f: cuts=$c welcomed_cuts=$w resumes=$r"
    if ((r > c || r + 1 < w || r > w + 1)); then
      echo "FAIL: client $f resumes=$r does not match cuts=$c welcomed=$w"
      ok=0
    fi
  done
  ((total >= 50)) || { echo "FAIL: only $total cuts (want >= 50)"; ok=0; }
  dups=$(($(field duplicates "$check_a") + $(field duplicates "$check_b")))
  losses=$(cat "$work"/{a,b}.json | grep -c '"event":"lost"')
  echo "FIGURES cuts=$total resumes=$resumes messages_c2s=$((2 * n)) messages_s2c=$((3 * n))" \
    "route_runs=$routes duplicates=$dups losses=$losses elapsed_s=$elapsed"
  ((ok)) || fail "chaos run failed (seed $seed)"
  ;;
ttl)
  # The client is away 1.5 s > TTL 1 s. Parked rather than refused, so it
  # comes back at 1.5 s whatever its backoff: the core keeps the "expired"
  # tombstone for one TTL after the expiry (until 2 s), after which a resume
  # says lost "unknown" instead, also explicit but less precise.
  start_resockd --session-ttl 1000
  start_relay --listeners 1 --no-chaos --hold 0:1500 --hold-mode park
  "$client" "ws://127.0.0.1:$(relay_port 0)/rs/ws" --json --sub away --exit-after-idle 3000 \
    >"$work/a.json" 2>"$work/a.err" &
  a_pid=$!
  pids+=("$a_pid")
  wait_for "$work/a.json" '"event":"connected"' 10
  kill -USR1 "$relay_pid"  # cut, and park its reconnection for 1.5 s
  wait_for "$work/a.json" '"event":"lost"' 20
  wait_pid "$a_pid" 15 || fail "client exited with status $?"
  stop_relay
  stop_resockd
  "$check" "$work/a.json" --lost expired || fail "no lost(expired)"
  grep -E 'event=disconnect .*reason=expired' "$work/resockd.err" ||
    fail "resockd did not log the disconnect of the expired session"
  ;;
overflow)
  start_resockd --replay-messages 100
  start_relay --listeners 1 --no-chaos --hold 0:3000
  "$client" "ws://127.0.0.1:$(relay_port 0)/rs/ws" --json --sub ov --exit-after-idle 3000 \
    >"$work/a.json" 2>"$work/a.err" &
  a_pid=$!
  pids+=("$a_pid")
  wait_for "$work/a.json" '"event":"connected"' 10
  sleep 0.3  # the subscription is processed
  kill -USR1 "$relay_pid"  # the subscriber is away for 3 s
  sleep 0.2
  # 500 messages to a channel the away client is subscribed to: 5x its
  # replay buffer. B connects directly and exits once all are acked.
  "$client" "ws://127.0.0.1:$port/rs/ws" --json --pub ov --count 500 \
    >"$work/b.json" 2>"$work/b.err" </dev/null
  [[ $? == 0 ]] || fail "publisher failed"
  wait_for "$work/a.json" '"event":"lost"' 20
  wait_pid "$a_pid" 15 || fail "client exited with status $?"
  stop_relay
  stop_resockd
  "$check" "$work/a.json" --lost overflow || fail "no lost(overflow)"
  grep -E 'event=disconnect .*reason=replay_overflow' "$work/resockd.err" ||
    fail "resockd did not log the disconnect of the overflowed session"
  ;;
*)
  echo "unknown scenario $scenario" >&2
  exit 2
  ;;
esac
echo "PASS $scenario"
