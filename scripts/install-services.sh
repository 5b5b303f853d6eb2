#!/usr/bin/env bash
# Installs the real services the tests run against, from Debian packages, when they are missing:
# Prometheus (dashboard queries), PostgreSQL (retrieval), Chromium (the embedded page),
# docker-compose (validates docker-compose.yml; there is no Docker engine here).
# The tests start and stop their own instances on loopback; this only installs.
set -euo pipefail
need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "missing ${need[*]}: install them (Debian: apt-get install ${need[*]}) or run as root" >&2
  exit 1
fi
echo "installing ${need[*]} from Debian packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
