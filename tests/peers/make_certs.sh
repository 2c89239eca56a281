#!/usr/bin/env bash
# Makes a private CA and certificates signed by it, for TLS tests (never
# checked in: each run has its own keys).
#   make_certs.sh DIR
# DIR/ca.pem                     the CA certificate (clients trust it: --ca)
# DIR/cert.pem, DIR/key.pem      server for 127.0.0.1, ::1 and localhost
# DIR/other.pem, DIR/other.key   same CA, for other.example only (a name mismatch)
# DIR/self.pem, DIR/self.key     self-signed for 127.0.0.1 (no CA knows it)
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)

openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 -subj "/CN=resock test CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null

leaf() {  # leaf NAME CN SAN
  openssl req "${ec[@]}" -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" \
    -days 2 -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
leaf server localhost "DNS:localhost,IP:127.0.0.1,IP:::1"
mv server.pem cert.pem
mv server.key key.pem
leaf other other.example "DNS:other.example"

openssl req -x509 "${ec[@]}" -keyout self.key -out self.pem -days 2 -subj "/CN=127.0.0.1" \
  -addext subjectAltName=IP:127.0.0.1 2>/dev/null
