#!/usr/bin/env bash
# Starts a reference server, runs resock-conformance against it with an
# expected-verdicts baseline, and stops the server by PID.
#   run_against_peer.sh <resock-conformance> <outdir> <expected-file> <server command...>
# The server prints "PORT <n>" on stdout once it listens. PEER_PATH (e.g.
# /echo) is the resource to test; default /. PEER_TLS=1: the server gets
# --tls-cert/--tls-key of a CA made for this run and is tested over wss://.
set -euo pipefail
tool=$1 outdir=$2 expected=$3
shift 3

portfile=$(mktemp)
certs=$(mktemp -d)
scheme=ws
tls_args=()
server=("$@")
if [[ ${PEER_TLS:-0} == 1 ]]; then
  bash "$(dirname "$0")/../peers/make_certs.sh" "$certs"
  server+=(--tls-cert "$certs/cert.pem" --tls-key "$certs/key.pem")
  scheme=wss
  tls_args=(--ca "$certs/ca.pem")
fi
"${server[@]}" >"$portfile" 2>"$outdir.server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$portfile" "$certs"' EXIT

for _ in $(seq 100); do
  port=$(awk '/^PORT /{print $2; exit}' "$portfile")
  [[ -n $port ]] && break
  kill -0 $pid 2>/dev/null || { echo "server exited early:"; cat "$outdir.server.log"; exit 1; }
  sleep 0.1
done
[[ -n ${port:-} ]] || { echo "server did not report its port"; exit 1; }

"$tool" fuzzingclient --quiet --url "$scheme://127.0.0.1:$port${PEER_PATH:-}" "${tls_args[@]}" --agent "$(basename "$expected" .txt)" \
  --outdir "$outdir" --expect "$expected" ${RESOCK_CONFORMANCE_ARGS:-}
