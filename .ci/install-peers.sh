#!/usr/bin/env bash
# Real peers for the ingest tests (test/ingest/peers.test.ts): Prometheus and node_exporter,
# collectd with write_http (JSON needs libyajl2, HTTP needs libcurl), util-linux logger. The
# tests start each binary by hand on loopback; Debian's services are not used.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(prometheus prometheus-node-exporter collectd-core libyajl2 libcurl3-gnutls bsdutils)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ci: installing ingest peers: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's packages may start their services; the tests run their own instances on free ports.
for svc in prometheus prometheus-node-exporter collectd; do
  if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
done
