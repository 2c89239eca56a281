#!/usr/bin/env bash
# ctest run of session_bench: the quick form (or the full one with --full)
# must exit 0 and print every figure as one JSON line (the targets
# themselves are not checked: the figures of a 2-core shared machine are
# too noisy for a gate).
#   session_bench_test.sh SESSION_BENCH RESOCKD LWS_ECHO_SERVER [--full]
set -u
bench=$1 resockd=$2 lws=$3
mode=--quick limit=120
if [ "${4:-}" = --full ]; then mode= limit=600; fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout $limit "$bench" $mode --resockd "$resockd" --lws-echo "$lws" >"$out"
rc=$?
cat "$out"
if [ "$rc" -ne 0 ]; then
  echo "FAIL: session_bench $mode exited with $rc" >&2
  exit 1
fi
fail=0
# Lines expected per figure: two loads for echo and session, two sizes for fanout.
for spec in echo:2 session:2 fanout:2 idle:1 rate:1; do
  fig=${spec%%:*} want=${spec##*:}
  got=$(grep -c "^{\"figure\":\"$fig\"" "$out")
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $got \"$fig\" lines, expected $want" >&2
    fail=1
  fi
done
if grep -q '"figure":"[a-z]*","error"' "$out"; then
  echo "FAIL: a figure could not run (see its error)" >&2
  fail=1
fi
[ "$fail" -eq 0 ] && echo "session_bench --quick: all figures printed"
exit "$fail"
