#!/usr/bin/env bash
# Installs the Debian tools the integration tests drive for real (they skip without them
# locally, and fail without them under MAPD_REQUIRE_ALL=1, as in CI):
#   prometheus, promtool          scrape the daemon, check /metrics and the alert rules
#   protoc                        check the Python package's generated code against protos/
#   libprotobuf-dev               the well-known types (google/protobuf/*.proto) protoc imports
#   python3-grpcio/-protobuf/-numpy   what the Python package (src/python) runs on
#   python3-venv/-setuptools/-wheel   build its wheel and install it into a virtual environment
#   python3-pytest, mypy          its test suite and type check
#   python3-yaml                  read the Kubernetes manifests
#   systemd-analyze, systemd-socket-activate   verify the units, socket activation
#   setpriv (util-linux)          run clients as another uid
#   zsh, fish                     run mapctl's completion scripts
#   systemd-nspawn, debootstrap   boot a Debian 12 guest under a real systemd (tests/Mapd.SystemTests)
#   nsenter (util-linux)          run commands inside that guest
#   dpkg-deb (dpkg)               build the .deb (deploy/debian/build.sh)
#   podman, runc                  build and run the container image
#   docker (docker.io)            parse the documented docker run flags (the engine is never started)
#   afl-fuzz, afl-cmin (afl++)    fuzz/run.sh's short campaign in .ci/run (SharpFuzz drives AFL++)
# Idempotent: does nothing when every tool is already there.
set -euo pipefail

packages=()
need() { # need COMMAND|py:MODULE|/ABSOLUTE/PATH PACKAGE
    case "$1" in
        py:*) /usr/bin/python3 -c "import ${1#py:}" 2>/dev/null || packages+=("$2") ;;
        /*) [[ -e "$1" ]] || packages+=("$2") ;;
        *) command -v "$1" >/dev/null 2>&1 || packages+=("$2") ;;
    esac
}

need prometheus prometheus
need promtool prometheus
need protoc protobuf-compiler
need /usr/include/google/protobuf/timestamp.proto libprotobuf-dev
need /usr/bin/python3 python3
need py:grpc python3-grpcio
need py:google.protobuf python3-protobuf
need py:numpy python3-numpy
need py:ensurepip python3-venv
need py:setuptools python3-setuptools
need py:wheel python3-wheel
need py:pytest python3-pytest
need py:mypy mypy
need py:yaml python3-yaml
need systemd-analyze systemd
need systemd-socket-activate systemd
need setpriv util-linux
need zsh zsh
need fish fish
need systemd-nspawn systemd-container
need debootstrap debootstrap
need nsenter util-linux
need dpkg-deb dpkg
need podman podman
need runc runc
need docker docker.io
need afl-fuzz afl++

if ((${#packages[@]} == 0)); then
    echo "install-test-tools: everything is installed"
    exit 0
fi

mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
echo "install-test-tools: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Nothing installed here may start a service (docker.io would start dockerd): the tests start
# what they need themselves. policy-rc.d is Debian's switch for that.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 0755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi
# --no-install-recommends keeps prometheus from pulling in its web assets and node exporter.
apt-get install -y -qq --no-install-recommends "${packages[@]}"
