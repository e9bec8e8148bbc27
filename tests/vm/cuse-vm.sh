#!/usr/bin/env bash
# cuse-vm.sh - run one command as root inside a throw-away QEMU guest whose kernel has
# CUSE, for hosts (like our CI machines) whose own kernel has none.
#
#   tests/vm/cuse-vm.sh [--] COMMAND [ARGS...]
#
# The guest boots Debian's stock kernel (the linux-image-amd64 package of the host's
# Debian release: CUSE, FUSE and 9p are modules there) from a tiny busybox initramfs,
# loads the modules, mounts the host's root file system read-only over virtio-9p and
# runs COMMAND chroot'ed into it, from the current directory: the host's binaries,
# libraries and the project's build work unchanged in the guest. Inside the guest,
# /dev, /proc, /sys, /tmp and /run are the guest's own, except that the checkout, the
# cargo target dir, the current directory and every absolute path among COMMAND's
# arguments are bound from the host's (read-only) over them, so a clone under /tmp
# works; $CUSE_VM_OUT is a writable folder shared back to the host.
#
# Exit status: COMMAND's; 124 when the guest ran out of time (QEMU is killed);
# 125 when the VM could not be set up or gave no result.
#
# Environment:
#   CUSE_VM_CACHE  where the kernel, initramfs and run folders are kept
#                  (default: <cargo target dir>/cuse-vm)
#   CUSE_VM_TIMEOUT  wall-clock limit of the guest in seconds (default 300)
#   CUSE_VM_OUT    the shared output folder (default: $CUSE_VM_CACHE/run-<pid>)
#   CUSE_VM_MEM, CUSE_VM_SMP  guest size (default 1G, 1 cpu)
#   NO_APT=1       never install host packages; fail naming them instead
#
# Host packages (installed with apt-get when missing, unless NO_APT=1):
# qemu-system-x86, busybox-static, cpio. The kernel package is only fetched
# (`apt-get download`) and unpacked into the cache, never installed.
#
# The guest runs under TCG (software emulation): a nested or paravirtual /dev/kvm that
# cannot run a stock kernel is common on CI machines, and TCG boots this kernel in a
# few seconds anyway. Set CUSE_VM_KVM=1 to use KVM on a host with real VT-x/AMD-V.
set -euo pipefail

[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || { echo "usage: $0 [--] COMMAND [ARGS...]" >&2; exit 125; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target;; esac
CACHE=${CUSE_VM_CACHE:-$target/cuse-vm}
TIMEOUT=${CUSE_VM_TIMEOUT:-300}
MEM=${CUSE_VM_MEM:-1G}
# One vCPU: under TCG, waking a thread on another vCPU waits for an emulated IPI or
# the next tick, and every ioctl is such a wake-up (client -> daemon -> client): one
# vCPU runs the ioctl round trips about four times faster than two.
SMP=${CUSE_VM_SMP:-1}
# The guest needs these and whatever they depend on (read from each .ko).
MODULES="fuse cuse overlay virtio_pci 9pnet_virtio 9p"

fail() { echo "cuse-vm: $*" >&2; exit 125; }
say() { echo "cuse-vm: $*" >&2; }

mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

# ------------------------------------------------------------------ host packages
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v cpio >/dev/null || missing+=(cpio)
# busybox-static puts a static busybox at /bin/busybox (plain `busybox` is dynamic,
# and the initramfs has no libraries).
static_busybox() { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; }
static_busybox || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  [ -z "${NO_APT:-}" ] || fail "missing host packages: ${missing[*]} (apt-get install ${missing[*]})"
  [ "$(id -u)" = 0 ] || fail "missing host packages: ${missing[*]} (run as root to install them)"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
    fail "apt-get install ${missing[*]} failed"
  static_busybox || fail "/bin/busybox is not statically linked"
fi

# ------------------------------------------------------------------ kernel
# linux-image-amd64 is a metapackage; the image is the package it depends on.
image_package() {
  apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1
}
kpkg=$(image_package)
if [ -z "$kpkg" ] && [ -z "${NO_APT:-}" ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq >&2 # a fresh image has no package lists
  kpkg=$(image_package)
fi
[ -n "$kpkg" ] || fail "apt-cache knows no linux-image-amd64 (is this Debian? run apt-get update)"
kdir=$CACHE/$kpkg
if [ ! -e "$kdir/.unpacked" ]; then
  say "fetching $kpkg"
  rm -rf "$kdir"
  mkdir -p "$kdir/deb"
  # As root apt would fall back to downloading unsandboxed anyway; say so, quietly.
  (cd "$kdir/deb" && apt-get download -q -o APT::Sandbox::User=root "$kpkg" >&2) ||
    fail "apt-get download $kpkg failed"
  # Only the folders the guest's modules and their dependencies live in (40 MB of the
  # package's 400); a dependency elsewhere shows as "no module X" below.
  dpkg-deb --fsys-tarfile "$kdir"/deb/*.deb |
    tar -x -C "$kdir" --wildcards './boot/vmlinuz-*' \
      $(for top in ./lib ./usr/lib; do
          for sub in modules.builtin kernel/fs/\* kernel/net/9p/\* kernel/drivers/virtio/\* kernel/lib/\*; do
            echo "$top/modules/*/$sub"
          done
        done) 2>/dev/null ||
    true
  rm -rf "$kdir/deb"
  ls "$kdir"/boot/vmlinuz-* >/dev/null 2>&1 || fail "$kpkg holds no /boot/vmlinuz-*"
  touch "$kdir/.unpacked"
fi
vmlinuz=$(ls "$kdir"/boot/vmlinuz-* | head -n1)
kver=${vmlinuz##*/vmlinuz-}
moddir=$kdir/lib/modules/$kver
[ -d "$moddir" ] || moddir=$kdir/usr/lib/modules/$kver
[ -d "$moddir" ] || fail "$kpkg has no modules for $kver"

# ------------------------------------------------------------------ initramfs
# Rebuilt when this script changes (it holds the guest's init).
initrd=$CACHE/initramfs-$kver.cpio.gz
if [ ! -e "$initrd" ] || [ "$initrd" -ot "$0" ]; then
  say "building the initramfs for $kver"
  staging=$(mktemp -d "$CACHE/initramfs.XXXXXX")
  mkdir -p "$staging"/{bin,dev,proc,sys,host,share,modules}
  cp /bin/busybox "$staging/bin/busybox"

  unpack_module() { # FILE OUT: a module, decompressed
    case $1 in
      *.ko.xz) xz -dc "$1" >"$2";;
      *.ko.zst) zstd -qdc "$1" >"$2";;
      *.ko.gz) gzip -dc "$1" >"$2";;
      *) cp "$1" "$2";;
    esac
  }
  loaded=" "
  add_module() { # NAME: the module after its dependencies (read from its .modinfo)
    local name=$1 file dep
    case $loaded in *" $name "*) return 0;; esac
    file=$(find "$moddir" -name "$name.ko*" -o -name "${name//_/-}.ko*" | head -n1)
    if [ -z "$file" ]; then
      grep -q "/$name.ko" "$moddir/modules.builtin" 2>/dev/null && return 0
      fail "no module $name for $kver"
    fi
    unpack_module "$file" "$staging/modules/$name.ko"
    for dep in $(tr '\0' '\n' <"$staging/modules/$name.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
      add_module "$dep"
    done
    loaded="$loaded$name "
    echo "$name" >>"$staging/modules/order"
  }
  for m in $MODULES; do add_module "$m"; done

  cat >"$staging/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules/order); do insmod /modules/$m.ko || echo "cuse-vm guest: insmod $m failed"; done
out=$(sed -n 's/.*cuse_vm_out=\([^ ]*\).*/\1/p' /proc/cmdline)
opts=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o $opts,ro,cache=loose hostroot /host || echo "cuse-vm guest: no host root"
mount -t 9p -o $opts share /share || echo "cuse-vm guest: no output share"
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -o bind /dev /host/dev
mkdir -p /dev/shm /dev/pts
mount -t tmpfs tmpfs /host/dev/shm
mount -t devpts devpts /host/dev/pts
# The guest's own /tmp and /run, with the host's folders the command needs (listed in
# /share/keep) bound back into them from the read-only host root.
mkdir -p /hosttmp /hostrun
mount -o bind /host/tmp /hosttmp
mount -o bind /host/run /hostrun
mount -t tmpfs tmpfs /host/tmp
mount -t tmpfs tmpfs /host/run
while read -r p; do
  case $p in
    /tmp/*) src=/hosttmp${p#/tmp};;
    /run/*) src=/hostrun${p#/run};;
    *) continue;;
  esac
  [ -e "/host$p" ] && continue # inside a folder bound already
  if [ -d "$src" ]; then mkdir -p "/host$p"; else mkdir -p "/host${p%/*}"; touch "/host$p"; fi
  mount -o bind "$src" "/host$p" || echo "cuse-vm guest: cannot keep $p"
done </share/keep
mkdir -p "/host$out" 2>/dev/null
mount -o bind /share "/host$out"
chroot /host /bin/sh "$out/guest.sh" </dev/null
rc=$?
echo "$rc" >/share/exit-status
sync
echo "cuse-vm guest: exit $rc"
poweroff -f
INIT
  chmod 755 "$staging/init"
  (cd "$staging" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.new"
  mv "$initrd.new" "$initrd"
  rm -rf "$staging"
fi

# ------------------------------------------------------------------ run
# Earlier runs' folders are kept for an hour, for a look after a failure.
find "$CACHE" -maxdepth 1 -name 'run-*' -mmin +60 -exec rm -rf {} +
out=${CUSE_VM_OUT:-$CACHE/run-$$}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
case $out in *[[:space:]]*) fail "the output folder $out has a space (it travels on the kernel command line)";; esac
# Shortest first, so that a folder inside one already bound is skipped in the guest.
for p in "$root" "$target" "$PWD" "$@"; do
  case $p in /tmp/* | /run/*) [ -e "$p" ] && printf '%s\n' "$(realpath -s "$p")";; esac
done | awk '{ print length($0) " " $0 }' | sort -n | cut -d' ' -f2- >"$out/keep"
{
  echo "cd $(printf %q "$PWD") || exit 125"
  echo "export CUSE_VM_OUT=$(printf %q "$out") HOME=/tmp PATH=$(printf %q "$PATH")"
  printf 'exec'
  printf ' %q' "$@"
  echo
} >"$out/guest.sh"

if [ -n "${CUSE_VM_KVM:-}" ]; then accel=(-accel kvm -cpu host); else accel=(-accel tcg -cpu max); fi
say "booting $kver (${accel[1]}, $SMP cpus, $MEM); output in $out"
start=$(date +%s.%N)
set +e
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 \
  -nodefaults -no-user-config -display none -no-reboot \
  -M pc "${accel[@]}" -m "$MEM" -smp "$SMP" \
  -serial stdio \
  -kernel "$vmlinuz" -initrd "$initrd" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init cuse_vm_out=$out" \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev local,id=share,path="$out",security_model=none \
  -device virtio-9p-pci,fsdev=share,mount_tag=share \
  </dev/null 2>&1 | tr -d '\r'
qemu=${PIPESTATUS[0]}
set -e
say "guest ran $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }") s"
if [ "$qemu" = 124 ] || [ "$qemu" = 137 ]; then
  say "timed out after ${TIMEOUT}s: QEMU killed"
  exit 124
fi
[ -s "$out/exit-status" ] || fail "the guest left no exit status (QEMU exit $qemu)"
exit "$(cat "$out/exit-status")"
