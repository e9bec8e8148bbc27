#!/bin/sh
# Make a local Debian 12 base image for the Containerfile where no container registry
# is reachable (only Debian's archive): debootstrap a minimal root file system and
# import it. Usage: tests/container/base-image.sh [podman|docker] [TAG]
# (default: podman, localhost/debian:12). Needs root and the debootstrap package.
set -eu
runtime=${1:-podman}
tag=${2:-localhost/debian:12}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
tar -C "$root" -c . | "$runtime" import - "$tag"
