#!/usr/bin/env bash
# Installs the system packages Junction builds and tests with (Debian 12).
# Skips apt when everything is already there. Needs root (or sudo).
# protobuf-compiler (protoc) is for the tests: they compile .proto sources
# into descriptor sets for the schema registry's protobuf cases.
set -euo pipefail
packages=(libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libssl-dev libsqlite3-dev pkg-config python3 python3-venv python3-pip openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6 (https://www.swift.org/install/linux/)" >&2; exit 1; }
