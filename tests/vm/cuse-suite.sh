#!/bin/sh
# cuse-suite.sh - the CUSE end-to-end suite, run as root inside the VM (cuse-vm.sh).
#
#   cuse-suite.sh GEMU BIN_DIR
#
# BIN_DIR holds the C clients of tests/c/ (BIN_DIR/clients/<name>), the plan of which
# to run (BIN_DIR/plan), and this folder's answers and held_open, all built on the
# host. The suite first runs the plan's clients, each against a fresh
# `gemu serve --cuse` (the plan leaves out the cases that mmap the node: the kernel
# refuses mmap on CUSE), for comparison with the FUSE node on the host. Then, on one
# daemon, it checks the nodes are real DRM char devices with --mode/--group, records
# the answers transcript (compared on the host too), and checks the refusal of a taken
# number, --dynamic-major-fallback, a caller in another pid namespace, and that
# stopping the daemon removes the nodes and fails a held-open client's next call.
#
# Logs go to $CUSE_VM_OUT; the exit status is the number of failed checks of this
# script (the clients' results are compared on the host).
set -u

GEMU=$1
BIN=$2
OUT=${CUSE_VM_OUT:?run me through cuse-vm.sh}
CARD=/dev/dri/card0
RENDER=/dev/dri/renderD128
failed=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

# wait_for TEST-EXPRESSION: up to 10 s.
wait_for() {
  i=0
  while ! eval "$1"; do
    i=$((i + 1))
    [ $i -gt 200 ] && return 1
    sleep 0.05
  done
}

# ---------------------------------------------------------------- C clients
# The clients are judged on the host (tests/tests/cuse_vm.rs), against what the same
# client gets from the FUSE node: here they only run, each with its own log. As under
# `gemu run` on the host, each run gets a fresh device, with the client's options.
# BIN_DIR/plan: one run per line, "CLIENT CASE [GEMU OPTIONS...]", CASE "-" for all.
while read -r name case opts; do
  [ "$case" = - ] && case=
  run=$name${case:+-$case}
  "$GEMU" serve --cuse $opts >"$OUT/gemu-$run.log" 2>&1 </dev/null &
  daemon=$!
  if ! wait_for "[ -c $CARD ] && [ -c $RENDER ]"; then
    fail "serve --cuse $opts for $run" "$(cat "$OUT/gemu-$run.log")"
    kill -KILL $daemon 2>/dev/null
    wait $daemon 2>/dev/null
    continue
  fi
  start=$(date +%s.%N)
  timeout -k 5 120 "$BIN/clients/$name" $case >"$OUT/client-$run.log" 2>&1 </dev/null
  rc=$?
  secs=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }")
  echo "CLIENT $name${case:+ $case}: exit $rc in ${secs}s: $(tail -n1 "$OUT/client-$run.log")"
  kill -TERM $daemon
  wait $daemon
  wait_for "[ ! -e $CARD ] && [ ! -e $RENDER ]" || fail "nodes left after $run"
done <"$BIN/plan"

# ---------------------------------------------------------------- serve
RUST_LOG=${RUST_LOG:-info} "$GEMU" serve --cuse --mode 0666 --group video >"$OUT/gemu.log" 2>&1 </dev/null &
gemu=$!
if wait_for "[ -c $CARD ] && [ -c $RENDER ]"; then
  pass "serve --cuse created $CARD and $RENDER"
else
  fail "serve --cuse" "no nodes after 10 s: $(cat "$OUT/gemu.log")"
  exit 1
fi

# ---------------------------------------------------------------- the nodes
card=$(stat -c '%F %t:%T %a %G' "$CARD")
render=$(stat -c '%F %t:%T %a %G' "$RENDER")
# stat prints the numbers in hex: e2 is 226, 80 is 128.
[ "$card" = "character special file e2:0 666 video" ] && pass "card0 is char 226:0, 0666, group video" ||
  fail "card0 node" "$card"
[ "$render" = "character special file e2:80 666 video" ] && pass "renderD128 is char 226:128, 0666, group video" ||
  fail "renderD128 node" "$render"
[ "$(cat /sys/class/cuse/dri!card0/dev 2>/dev/null)" = 226:0 ] && pass "sysfs class cuse lists dri!card0" ||
  fail "sysfs" "$(ls /sys/class/cuse 2>&1)"

# ---------------------------------------------------------------- answers
"$BIN/answers" >"$OUT/answers.cuse" 2>&1 && pass "answers transcript" ||
  fail "answers" "$(tail -n5 "$OUT/answers.cuse")"
# Opened by an unprivileged user, with no mount namespace: --mode 0666 is enough.
if setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/answers" >"$OUT/answers.nobody" 2>&1 &&
  grep -qx done "$OUT/answers.nobody"; then
  pass "an unprivileged user uses the nodes"
else
  fail "unprivileged user" "$(tail -n5 "$OUT/answers.nobody")"
fi

# ---------------------------------------------------------------- a taken number
"$GEMU" serve --cuse --name dri/card9 --render-name dri/renderD137 >"$OUT/taken.log" 2>&1 </dev/null &
second=$!
# A refused device makes it exit at once.
if ! wait_for "! kill -0 $second 2>/dev/null"; then
  kill $second
  fail "226:0 taken" "a second daemon serves it: $(cat "$OUT/taken.log")"
elif grep -q "char device 226:0 is taken" "$OUT/taken.log" && grep -q -- --dynamic-major-fallback "$OUT/taken.log"; then
  pass "226:0 taken is refused, naming the fallback ($(head -c 300 "$OUT/taken.log"))"
else
  fail "226:0 taken" "$(cat "$OUT/taken.log")"
fi
wait $second 2>/dev/null

"$GEMU" serve --cuse --name dri/card9 --render-name dri/renderD137 --dynamic-major-fallback \
  >"$OUT/fallback.log" 2>&1 </dev/null &
second=$!
if wait_for "[ -c /dev/dri/card9 ] && [ -c /dev/dri/renderD137 ]"; then
  major=$(stat -c %t /dev/dri/card9)
  [ "$major" != e2 ] && "$BIN/answers" /dev/dri/card9 /dev/dri/renderD137 >"$OUT/answers.fallback" 2>&1 &&
    pass "--dynamic-major-fallback serves dri/card9 at major $((0x$major))" ||
    fail "--dynamic-major-fallback" "major $major; $(tail -n3 "$OUT/answers.fallback")"
else
  fail "--dynamic-major-fallback" "$(cat "$OUT/fallback.log")"
fi
kill $second 2>/dev/null
wait $second 2>/dev/null

# ---------------------------------------------------------------- an unreachable caller
# A daemon in a child pid namespace cannot see its callers (the kernel sends pid 0):
# no process_vm, so the top-level struct comes through FUSE_IOCTL_RETRY. Calls without
# nested pointers work; VERSION's strings cannot be written (EFAULT), as on FUSE.
unshare --pid --fork --kill-child "$GEMU" serve --cuse --name dri/card8 --render-name dri/renderD136 \
  --minor 8 >"$OUT/pidns.log" 2>&1 </dev/null &
third=$!
if wait_for "[ -c /dev/dri/card8 ] && [ -c /dev/dri/renderD136 ]"; then
  "$BIN/answers" /dev/dri/card8 /dev/dri/renderD136 >"$OUT/answers.pidns" 2>&1
  if grep -q "^card GEM_CREATE 8192: ok(0) handle=1 size=8192$" "$OUT/answers.pidns" &&
    grep -q "^card GEM_CLOSE: ok(0)$" "$OUT/answers.pidns" &&
    grep -q "^card VERSION: EFAULT" "$OUT/answers.pidns"; then
    pass "a caller in another pid namespace gets its structs through FUSE_IOCTL_RETRY"
  else
    fail "retry path" "$(head -n 30 "$OUT/answers.pidns")"
  fi
else
  fail "daemon in a child pid namespace" "$(cat "$OUT/pidns.log")"
fi
# unshare ignores SIGTERM while it waits for its child; --kill-child makes SIGKILL reach
# the daemon through the parent-death signal.
kill -KILL $third 2>/dev/null
wait $third 2>/dev/null

# ---------------------------------------------------------------- stop
rm -f "$OUT/held.ready" "$OUT/held.go"
"$BIN/held_open" "$CARD" "$OUT/held.ready" "$OUT/held.go" >"$OUT/held_open.log" 2>&1 &
held=$!
wait_for "[ -e $OUT/held.ready ]" || fail "held_open" "$(cat "$OUT/held_open.log")"
kill -TERM $gemu
wait $gemu
rc=$?
[ $rc = 0 ] && pass "gemu serve --cuse exits 0 on SIGTERM" || fail "SIGTERM" "exit $rc"
wait_for "[ ! -e $CARD ] && [ ! -e $RENDER ]" && pass "the nodes are gone after the daemon stopped" ||
  fail "nodes after stop" "$(ls -l /dev/dri 2>&1)"
touch "$OUT/held.go"
if wait_for "! kill -0 $held 2>/dev/null"; then
  wait $held && pass "a held-open client's next call fails ($(head -n1 "$OUT/held_open.log" | cut -d: -f3))" ||
    fail "held-open client" "$(cat "$OUT/held_open.log")"
else
  kill -9 $held
  fail "held-open client" "hangs after the daemon stopped"
fi

echo "cuse-suite: $failed failed"
exit $failed
