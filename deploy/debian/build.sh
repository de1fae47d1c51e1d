#!/usr/bin/env bash
# Builds the mapd Debian package with dpkg-deb from `dotnet publish`:
#   artifacts/mapd_<version>_<arch>.deb
#     /usr/lib/mapd/mapd                 the daemon, self-contained (ReadyToRun), no .NET install needed
#     /usr/lib/mapd/mapctl/mapctl        mapctl, self-contained; /usr/bin/mapctl links to it
#     /usr/lib/systemd/system/           mapd.service, mapd.socket, run-mapd-storage.mount
#     /usr/lib/sysusers.d/mapd.conf      the mapd user and group
#     /usr/lib/tmpfiles.d/mapd.conf      /run/mapd and the storage mount point
#     /etc/default/mapd                  settings (a conffile: local edits survive upgrades)
#     /usr/share/doc/mapd/               README, operations guide, copyright
#     shell completions for mapctl
# Installing it (apt install ./mapd_<version>_<arch>.deb) creates the user and enables and
# starts mapd.socket; docs/operations.md walks through it, and tests/Mapd.SystemTests does the
# same inside a Debian 12 guest under a real systemd.
#
# Usage: deploy/debian/build.sh [--output DIR] [--build-dir DIR] [--arch amd64|arm64] [--compression xz|zstd]
#   --output     where the .deb goes (default: artifacts/)
#   --build-dir  dotnet's bin/obj and the staging tree, apart from the source tree's own
#                (default: artifacts/build/deb); reuse it and a rebuild takes seconds
#   --arch       Debian architecture (default: this machine's)
#   --compression  xz (default: the smallest, read by every dpkg) or zstd (a minute faster to
#                build on two cores; dpkg reads it from Debian 12 and Ubuntu 21.10 on)
# Prints the path of the .deb on its last line.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
output="$root/artifacts"
build="$root/artifacts/build/deb"
arch=""
compression=xz
while (($#)); do
    case "$1" in
        --output) output="$2"; shift 2 ;;
        --build-dir) build="$2"; shift 2 ;;
        --arch) arch="$2"; shift 2 ;;
        --compression) compression="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "build.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
    esac
done

for tool in dotnet dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing" >&2; exit 69; }
done

arch="${arch:-$(dpkg --print-architecture)}"
case "$arch" in
    amd64) rid=linux-x64 ;;
    arm64) rid=linux-arm64 ;;
    *) echo "build.sh: no .NET runtime for Debian architecture '$arch' (amd64 or arm64)" >&2; exit 64 ;;
esac

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The one version, from Directory.Build.props; a prerelease suffix sorts before the release
# in Debian's order when written with '~'.
version="$(dotnet msbuild "$root/src/Mapd.Server/Mapd.Server.csproj" -getProperty:Version)"
deb_version="${version//-/\~}"
deb_version="${deb_version%%+*}"

stage="$build/stage"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$output"

publish() { # publish PROJECT DIR [MSBUILD PROPERTY...]
    local project="$1" dir="$2"
    shift 2
    dotnet publish "$root/$project" -c Release -r "$rid" --self-contained \
        --artifacts-path "$build/dotnet" -o "$dir" -p:PublishReadyToRun=true "$@" >&2
}

lib="$stage/usr/lib/mapd"
publish src/Mapd.Server "$lib"
publish src/Mapd.Cli "$lib/mapctl"

# Both carry the same runtime: link mapctl's copies to the daemon's, so the package holds
# (and dpkg installs) one. Each keeps its own deps.json, so each still loads what it built with.
shared=0
for file in "$lib"/mapctl/*; do
    twin="$lib/$(basename "$file")"
    if [[ -f "$file" && -f "$twin" ]] && cmp -s "$file" "$twin"; then
        ln -f "$twin" "$file"
        shared=$((shared + 1))
    fi
done
echo "build.sh: mapctl shares $shared files with the daemon" >&2

# Debug symbols and XML docs stay out of the package (the NuGet symbol packages carry them).
find "$lib" -name '*.pdb' -delete -o -name '*.xml' -delete -o -name '*.dbg' -delete

install -d "$stage/usr/bin"
ln -s ../lib/mapd/mapctl/mapctl "$stage/usr/bin/mapctl"

install -D -m 0644 "$root/mapd.service" "$stage/usr/lib/systemd/system/mapd.service"
install -m 0644 "$root/deploy/systemd/mapd.socket" "$root/deploy/systemd/run-mapd-storage.mount" "$stage/usr/lib/systemd/system/"
install -D -m 0644 "$root/deploy/systemd/mapd.sysusers.conf" "$stage/usr/lib/sysusers.d/mapd.conf"
install -D -m 0644 "$root/deploy/systemd/mapd.tmpfiles.conf" "$stage/usr/lib/tmpfiles.d/mapd.conf"
install -D -m 0644 "$root/deploy/debian/default" "$stage/etc/default/mapd"

doc="$stage/usr/share/doc/mapd"
install -D -m 0644 "$root/README.md" "$doc/README.md"
install -m 0644 "$root/docs/operations.md" "$doc/operations.md"
{
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: mapd"
    echo
    echo "Files: *"
    echo "Copyright: 2026 The mapd contributors"
    echo "License: MIT"
    sed 's/^$/./; s/^/ /' "$root/LICENSE"
} > "$doc/copyright"

completions="$root/src/Mapd.Cli/completions"
install -D -m 0644 "$completions/mapctl.bash" "$stage/usr/share/bash-completion/completions/mapctl"
if [[ -f "$completions/mapctl.zsh" ]]; then
    install -D -m 0644 "$completions/mapctl.zsh" "$stage/usr/share/zsh/vendor-completions/_mapctl"
fi
if [[ -f "$completions/mapctl.fish" ]]; then
    install -D -m 0644 "$completions/mapctl.fish" "$stage/usr/share/fish/vendor_completions.d/mapctl.fish"
fi

install -m 0755 "$root/deploy/debian/postinst" "$root/deploy/debian/prerm" "$root/deploy/debian/postrm" "$stage/DEBIAN/"
echo /etc/default/mapd > "$stage/DEBIAN/conffiles"

# dpkg's own ownership and modes: root, 0755 directories, no group or world write.
find "$stage" -path "$stage/DEBIAN" -prune -o -type d -exec chmod 0755 {} +
find "$stage" -path "$stage/DEBIAN" -prune -o -type f -exec chmod go-w {} +

cat > "$stage/DEBIAN/control" <<CONTROL
Package: mapd
Version: $deb_version
Architecture: $arch
Maintainer: The mapd contributors <mapd@localhost>
Section: admin
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: libc6 (>= 2.31), libgcc-s1, libstdc++6, systemd (>= 247), init-system-helpers (>= 1.54~)
Description: shared-memory region daemon
 mapd serves shared-memory regions to the processes on a machine: files on a
 dedicated tmpfs whose descriptors it hands out over a Unix socket. Regions grow
 and shrink while other processes map them, without copying and without ever
 pulling a page out from under a reader.
 .
 This package holds the daemon (socket-activated by mapd.socket, sandboxed, as
 user mapd), its storage mount and the mapctl operator tool. It carries its own
 .NET runtime.
CONTROL

deb="$output/mapd_${deb_version}_${arch}.deb"
dpkg-deb --root-owner-group "-Z$compression" --build "$stage" "$deb" >&2
echo "$deb"
