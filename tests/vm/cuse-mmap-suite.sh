#!/bin/sh
# cuse-mmap-suite.sh - the C clients' cases that mmap the node, on CUSE nodes with the
# shim preloaded (it maps objects from the memfd it gets on the daemon's aperture
# socket, /run/gemu/char-M:m), run as root inside the VM (cuse-vm.sh).
#
#   cuse-mmap-suite.sh GEMU SHIM BIN_DIR
#
# BIN_DIR/plan: one run per line, "CLIENT CASE [GEMU OPTIONS...]", each against a fresh
# `gemu serve --cuse`. Prints "CLIENT name case: exit N: <last line>"; logs in
# $CUSE_VM_OUT; judged on the host (tests/tests/cuse_vm.rs).
set -u

GEMU=$1
SHIM=$2
BIN=$3
OUT=${CUSE_VM_OUT:?run me through cuse-vm.sh}

wait_for() {
  i=0
  while ! eval "$1"; do
    i=$((i + 1))
    [ $i -gt 200 ] && return 1
    sleep 0.05
  done
}

while read -r name case opts; do
  run=$name-$case
  "$GEMU" serve --cuse $opts >"$OUT/gemu-$run.log" 2>&1 </dev/null &
  daemon=$!
  if ! wait_for "[ -c /dev/dri/card0 ] && [ -c /dev/dri/renderD128 ] && [ -S /run/gemu/char-226:128 ]"; then
    echo "CLIENT $name $case: no nodes: $(cat "$OUT/gemu-$run.log")"
    kill -KILL $daemon 2>/dev/null
    wait $daemon 2>/dev/null
    continue
  fi
  LD_PRELOAD=$SHIM timeout -k 5 120 "$BIN/clients/$name" "$case" >"$OUT/mmap-$run.log" 2>&1 </dev/null
  rc=$?
  echo "CLIENT $name $case: exit $rc: $(tail -n1 "$OUT/mmap-$run.log")"
  kill -TERM $daemon
  wait $daemon
  wait_for "[ ! -e /dev/dri/card0 ] && [ ! -e /run/gemu/char-226:0 ]" || echo "CLIENT $name $case: left nodes or sockets"
done <"$BIN/plan"
exit 0
