#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then builds the consumer
# projects against it twice: with find_package(resock) and with pkg-config:
# the codec alone (resock::wire) and an embedded server + client (resock::resock).
#   check_install.sh <build-dir> <source-dir>
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/include/resock/wire.h"
test -f "$tmp/prefix/lib/cmake/resock/resockConfig.cmake" ||
  test -f "$tmp/prefix/lib/x86_64-linux-gnu/cmake/resock/resockConfig.cmake"

cmake -S "$src/tests/install/consumer" -B "$tmp/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
"$tmp/consumer/consumer"
timeout 20 "$tmp/consumer/consumer_server"

pc=$(dirname "$(find "$tmp/prefix" -name resock.pc | head -1)")
PKG_CONFIG_PATH=$pc c++ -o "$tmp/consumer_pc" "$src/tests/install/consumer/main.cpp" \
  $(PKG_CONFIG_PATH=$pc pkg-config --cflags resock) \
  $(PKG_CONFIG_PATH=$pc pkg-config --libs --static resock)
"$tmp/consumer_pc"
PKG_CONFIG_PATH=$pc c++ -o "$tmp/consumer_server_pc" "$src/tests/install/consumer/server_main.cpp" \
  $(PKG_CONFIG_PATH=$pc pkg-config --cflags resock libuv) \
  $(PKG_CONFIG_PATH=$pc pkg-config --libs --static resock) $(pkg-config --libs libuv)
timeout 20 "$tmp/consumer_server_pc"
echo "install: find_package and pkg-config consumers built and ran"
