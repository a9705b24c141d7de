#!/bin/sh
# Unpacks Debian's OpenBLAS (libopenblas0-pthread) into .bench/openblas without installing it, for the bench's
# PyTorch reference: Debian's python3-torch otherwise computes on the netlib reference BLAS (libblas3), ~20x
# slower. Needs apt (no root: apt-get download only fetches the .deb).
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)/.bench"
mkdir -p "$root/download"
cd "$root/download"
apt-get download libopenblas0-pthread
dpkg-deb -x libopenblas0-pthread_*.deb "$root/openblas"
echo "OpenBLAS unpacked in $root/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread"
