#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# fetch-kernel-trees.sh: fetch Debian's linux-source-<version> packages and
# extract the parts of each kernel tree gpuvm-check builds and reads into a
# cache directory, reusing what is already there.
#
#   scripts/fetch-kernel-trees.sh [--cache DIR] [--full] [VERSION...]
#
# VERSION defaults to "6.12 7.3". Each tree lands in DIR/linux-VERSION (DIR
# defaults to .cache/kernel beside this script's repository) and is reused
# when its stamp file is present. --full extracts the whole tree (for a UML
# KUnit run), else only the files the kernel subject, the KUnit export and
# checkpatch need.
#
# Nothing here names a package registry: the Debian mirror is the one the
# machine's own apt sources use. apt runs with a private sources list and
# private state and cache directories, so the system's apt state is never
# touched and no root is needed. Debian release names (trixie and its
# backports, which carry 6.12 and 7.x) are overridable with GPUVM_CHECK_SUITES.

set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache="$repo/.cache/kernel"
full=0
versions=()

while [ $# -gt 0 ]; do
	case "$1" in
	--cache) cache=$2; shift 2 ;;
	--full) full=1; shift ;;
	-h|--help) sed -n '4,20p' "$0"; exit 0 ;;
	-*) echo "fetch-kernel-trees: unknown option $1" >&2; exit 2 ;;
	*) versions+=("$1"); shift ;;
	esac
done
[ ${#versions[@]} -gt 0 ] || versions=(6.12 7.3)
suites=${GPUVM_CHECK_SUITES:-"trixie trixie-backports"}

# The first Debian archive URI of the machine's apt sources (deb822 .sources
# files first, then one-line sources.list entries), leaving out security.
mirror_uri() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk '
			/^URIs:/ { u = $2 }
			/^Suites:/ { s = $0 }
			/^$/ { if (u != "" && s !~ /security/ && u !~ /security/) { print u; exit } u = ""; s = "" }
			END { if (u != "" && s !~ /security/ && u !~ /security/) print u }
		' "$f" | head -n1)
		if [ -n "$uri" ]; then echo "$uri"; return; fi
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(awk '$1 == "deb" && $0 !~ /security/ {
			for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit }
		}' "$f" | head -n1)
		if [ -n "$uri" ]; then echo "$uri"; return; fi
	done
}

# Paths of a tree (relative to its top) extracted unless --full.
subset=(
	Makefile
	COPYING
	drivers/gpu/drm/drm_gpuvm.c
	drivers/gpu/drm/Kconfig
	drivers/gpu/drm/Kconfig.debug
	drivers/gpu/drm/Makefile
	drivers/gpu/drm/tests
	include/drm
	include/linux
	include/uapi
	include/kunit
	tools/include
	tools/lib/rbtree.c
	tools/testing/shared
	tools/testing/vma
	tools/testing/radix-tree
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	LICENSES
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
apt_ready=0

apt_setup() {
	[ $apt_ready -eq 1 ] && return
	command -v apt-get >/dev/null || { echo "fetch-kernel-trees: apt-get not found (a Debian machine is needed)" >&2; exit 2; }
	local uri s
	uri=$(mirror_uri)
	[ -n "$uri" ] || { echo "fetch-kernel-trees: no Debian mirror in the machine's apt sources" >&2; exit 2; }
	mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/parts"
	: >"$work/sources.list"
	for s in $suites; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main" >>"$work/sources.list"
	done
	apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/parts"
		-o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
		-o "Dir::State::Status=/dev/null" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
	apt-get "${apt_opts[@]}" -qq update
	apt_ready=1
}

for v in "${versions[@]}"; do
	dest="$cache/linux-$v"
	stamp="$dest/.gpuvm-check-tree"
	if [ -f "$stamp" ] && { [ $full -eq 0 ] || grep -q '^full' "$stamp"; }; then
		echo "linux-$v: cached at $dest ($(cat "$stamp"))"
		continue
	fi
	apt_setup
	pkg="linux-source-$v"
	(cd "$work" && apt-get "${apt_opts[@]}" -qq download "$pkg") ||
		{ echo "fetch-kernel-trees: could not download $pkg from the suites $suites" >&2; exit 2; }
	deb=$(ls "$work"/"$pkg"_*.deb | head -n1)
	pkgver=$(basename "$deb" | sed 's/^[^_]*_\([^_]*\)_.*/\1/')
	tarball="usr/src/linux-source-$v.tar.xz"
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" "./$tarball"
	if [ $full -eq 1 ]; then
		tar -xJf "$work/$tarball" -C "$dest.tmp" --strip-components=1
		kind=full
	else
		# A member missing from an older tree is not an error; drm_gpuvm.c is checked below.
		tar -xJf "$work/$tarball" -C "$dest.tmp" --strip-components=1 \
			$(printf "linux-source-$v/%s " "${subset[@]}") 2>"$work/tar.err" || true
		[ -f "$dest.tmp/drivers/gpu/drm/drm_gpuvm.c" ] ||
			{ echo "fetch-kernel-trees: $pkg has no drivers/gpu/drm/drm_gpuvm.c" >&2; cat "$work/tar.err" >&2 || true; exit 2; }
		kind=subset
	fi
	rm -f "$work/$tarball" "$deb"
	echo "$kind $pkg $pkgver" >"$dest.tmp/.gpuvm-check-tree"
	rm -rf "$dest"
	mv "$dest.tmp" "$dest"
	echo "linux-$v: $pkg $pkgver extracted to $dest ($kind)"
done
