#!/bin/sh
# fuse-suite.sh - the C clients under `gemu run` on the guest's kernel (Debian 12's
# 6.1: FUSE without passthrough), run as root inside the VM (cuse-vm.sh).
#
#   fuse-suite.sh GEMU BIN_DIR
#
# BIN_DIR holds the C clients of tests/c/ (BIN_DIR/clients/<name>) and the plan
# (BIN_DIR/plan: "CLIENT [GEMU RUN OPTIONS...]" per line), built on the host. Each
# client runs under a fresh `gemu run` with its options; the shim maps objects from the
# aperture memfd. Prints "CLIENT name: exit N: <last line>" per client, logs in
# $CUSE_VM_OUT; the results are judged on the host (tests/tests/cuse_vm.rs).
set -u

GEMU=$1
BIN=$2
OUT=${CUSE_VM_OUT:?run me through cuse-vm.sh}

while read -r name opts; do
  start=$(date +%s.%N)
  timeout -k 5 120 "$GEMU" run $opts -- "$BIN/clients/$name" >"$OUT/fuse-$name.log" 2>&1 </dev/null
  rc=$?
  secs=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }")
  echo "CLIENT $name: exit $rc in ${secs}s: $(tail -n1 "$OUT/fuse-$name.log")"
done <"$BIN/plan"
exit 0
