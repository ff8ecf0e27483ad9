#!/usr/bin/env bash
# Starts the Foresight demo on this machine, installing what is missing first:
# Prometheus (on 127.0.0.1, long retention, its own data dir under .demo/) filled
# with weeks of generated history and scraping the sample service and itself; the
# sample service's two instances (app-1, app-2) with the traffic of the shared
# service model, so the live scrapes continue the history's series without a
# seam, and with the chaos commands on; and Foresight served by `trunk serve`.
# With --victoria-metrics, the scale-out topology too: one VictoriaMetrics
# holding the same history, written to live by two collectors (Prometheus's
# remote write, and a vmagent scraping a node exporter), that Foresight reads.
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

PROMETHEUS_PORT="${FORESIGHT_PROMETHEUS_PORT:-9090}"
SERVICE_PORT="${FORESIGHT_SERVICE_PORT:-8000}"
APP_PORT="${FORESIGHT_APP_PORT:-8080}"
TRAFFIC_RPS="${FORESIGHT_TRAFFIC_RPS:-model}"
FRESH_HISTORY=0
BREAK=""
VM_PORT=""

usage() {
  cat <<USAGE
usage: scripts/demo.sh [--prometheus-port 9090] [--service-port 8000] [--app-port 8080]
                       [--traffic-rps model|N] [--fresh-history] [--break COMMAND]
                       [--victoria-metrics [PORT]]
Ports also come from FORESIGHT_PROMETHEUS_PORT, FORESIGHT_SERVICE_PORT, FORESIGHT_APP_PORT.
The sample service's instances listen on the service port (app-1) and the next one (app-2).
--traffic-rps model (the default) sends each instance the model's traffic for the time of day.
--fresh-history throws away .demo/ and generates new history ending now.
--break COMMAND sends a chaos command to app-2 a minute after the demo is up,
  e.g. --break 'error-spike?ratio=0.4' or --break 'deploy?version=1.5.0'
  (the same as curl -X POST http://127.0.0.1:<service port + 1>/chaos/COMMAND).
--victoria-metrics [PORT] also starts VictoriaMetrics (default port 8428) with the same
  history, Prometheus remote-writing into it, and a vmagent scraping a node exporter
  (on PORT+1 and PORT+2) into it too: two collectors, one store, Foresight reading it.
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --prometheus-port) PROMETHEUS_PORT="$2"; shift 2 ;;
    --service-port) SERVICE_PORT="$2"; shift 2 ;;
    --app-port) APP_PORT="$2"; shift 2 ;;
    --traffic-rps) TRAFFIC_RPS="$2"; shift 2 ;;
    --fresh-history) FRESH_HISTORY=1; shift ;;
    --break) BREAK="$2"; shift 2 ;;
    --victoria-metrics)
      case "${2:-}" in
        '' | -*) VM_PORT=8428; shift ;;
        *) VM_PORT="$2"; shift 2 ;;
      esac
      ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

case "$SERVICE_PORT" in '' | *[!0-9]*) echo "port '$SERVICE_PORT' is not a number" >&2; exit 2 ;; esac
SECOND_SERVICE_PORT=$((SERVICE_PORT + 1))
PORTS=("$PROMETHEUS_PORT" "$SERVICE_PORT" "$SECOND_SERVICE_PORT" "$APP_PORT")
if [ -n "$VM_PORT" ]; then
  case "$VM_PORT" in *[!0-9]*) echo "port '$VM_PORT' is not a number" >&2; exit 2 ;; esac
  VMAGENT_PORT=$((VM_PORT + 1))
  NODE_EXPORTER_PORT=$((VM_PORT + 2))
  PORTS+=("$VM_PORT" "$VMAGENT_PORT" "$NODE_EXPORTER_PORT")
fi
for port in "${PORTS[@]}"; do
  case "$port" in '' | *[!0-9]*) echo "port '$port' is not a number" >&2; exit 2 ;; esac
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port on 127.0.0.1 is already in use; pick another with the flags above" >&2
    exit 1
  fi
done

. scripts/ensure-tools.sh

DEMO_DIR="$ROOT/.demo"
DATA_DIR="$DEMO_DIR/prometheus-data"
LOG_DIR="$DEMO_DIR/logs"

say "building the sample service and the history generator"
cargo build --release --locked -p sample-service -p history-generator

if [ "$FRESH_HISTORY" = 1 ]; then rm -rf "$DEMO_DIR"; fi
mkdir -p "$LOG_DIR"
# History from an older generator (without the deployments and cascades of
# format 2) is made again, so the change markers have something to show.
if [ -f "$DEMO_DIR/history/history-manifest.json" ] &&
  ! grep -q '"format_version": 2' "$DEMO_DIR/history/history-manifest.json"; then
  say "the history in .demo/ is from an older generator; making it again"
  rm -rf "$DATA_DIR" "$DEMO_DIR/history"
fi
NEW_HISTORY=0
if [ ! -f "$DEMO_DIR/history/history-manifest.json" ] || [ ! -d "$DATA_DIR" ]; then
  rm -rf "$DATA_DIR" "$DEMO_DIR/history"
  mkdir -p "$DATA_DIR"
  NEW_HISTORY=1
else
  say "reusing the history in .demo/ (--fresh-history to make it end where the live samples begin)"
fi

cat >"$DEMO_DIR/prometheus.yml" <<YAML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: prometheus
    static_configs: [{targets: ['127.0.0.1:$PROMETHEUS_PORT']}]
  # Each instance keeps the instance label the history gives it, so the
  # live samples continue the same series.
  - job_name: sample-service
    static_configs:
      - {targets: ['127.0.0.1:$SERVICE_PORT'], labels: {instance: 'app-1:8000'}}
      - {targets: ['127.0.0.1:$SECOND_SERVICE_PORT'], labels: {instance: 'app-2:8000'}}
YAML
if [ -n "$VM_PORT" ]; then
  # The first collector: everything Prometheus scrapes also goes to VictoriaMetrics.
  printf 'remote_write:\n  - url: http://127.0.0.1:%s/api/v1/write\n' "$VM_PORT" >>"$DEMO_DIR/prometheus.yml"
fi

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  if [ "${#PIDS[@]}" -gt 0 ]; then
    say "stopping ${PIDS[*]}"
    kill "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

wait_until_ready() { # url seconds
  for _ in $(seq 1 $(($2 * 10))); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "$1 did not answer within $2 s; logs are in $LOG_DIR" >&2
  return 1
}

# New history ends where the services begin: on a minute (the history's
# step), so the services start on it.
if [ "$NEW_HISTORY" = 1 ]; then
  say "starting the sample service on the next minute, where the new history will end"
  sleep $((60 - $(date +%s) % 60))
  HISTORY_END=$(($(date +%s) / 60 * 60))
fi
./target/release/sample-service --listen "127.0.0.1:$SERVICE_PORT" --instance app-1 \
  --traffic-rps "$TRAFFIC_RPS" --chaos >"$LOG_DIR/sample-service-app-1.log" 2>&1 &
PIDS+=($!)
./target/release/sample-service --listen "127.0.0.1:$SECOND_SERVICE_PORT" --instance app-2 \
  --traffic-rps "$TRAFFIC_RPS" --chaos >"$LOG_DIR/sample-service-app-2.log" 2>&1 &
PIDS+=($!)
# Prometheus after the services, so its first scrape finds them up.
prometheus --config.file="$DEMO_DIR/prometheus.yml" --storage.tsdb.path="$DATA_DIR" \
  --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
  >"$LOG_DIR/prometheus.log" 2>&1 &
PIDS+=($!)
wait_until_ready "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" 60
wait_until_ready "http://127.0.0.1:$SERVICE_PORT/metrics" 30
wait_until_ready "http://127.0.0.1:$SECOND_SERVICE_PORT/metrics" 30

# The new history, ending where the live samples begin, is loaded into the
# running Prometheus: the live samples continue the same series without a gap.
if [ "$NEW_HISTORY" = 1 ]; then
  say "generating history up to now and loading it into Prometheus"
  ./target/release/history-generator --out "$DEMO_DIR/history" --end "$HISTORY_END"
  rm -rf "$DEMO_DIR/blocks"
  promtool tsdb create-blocks-from openmetrics --max-block-duration=240h \
    "$DEMO_DIR/history/history.om" "$DEMO_DIR/blocks" >"$LOG_DIR/backfill.log"
  rm -f "$DEMO_DIR/history/history.om"
  mv "$DEMO_DIR"/blocks/* "$DATA_DIR"/
  rm -rf "$DEMO_DIR/blocks"
  # Prometheus looks for new blocks about once a minute.
  loaded=0
  for _ in $(seq 1 180); do
    if curl -fsS "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query?query=count(http_requests_total)&time=$((HISTORY_END - 3600))" 2>/dev/null |
      grep -q '"value"'; then
      loaded=1
      break
    fi
    sleep 1
  done
  [ "$loaded" = 1 ] || { echo "Prometheus did not load the history; see $LOG_DIR/prometheus.log" >&2; exit 1; }
fi

if [ -n "$VM_PORT" ]; then
  VM_DATA="$DEMO_DIR/victoria-metrics-data"
  if [ "$NEW_HISTORY" = 1 ] || [ ! -f "$DEMO_DIR/victoria-metrics-history-loaded" ]; then
    rm -rf "$VM_DATA" "$DEMO_DIR/victoria-metrics-history-loaded"
  fi
  VM_NEEDS_HISTORY=0
  [ -f "$DEMO_DIR/victoria-metrics-history-loaded" ] || VM_NEEDS_HISTORY=1
  victoria-metrics -storageDataPath="$VM_DATA" -httpListenAddr="127.0.0.1:$VM_PORT" \
    -retentionPeriod=100y -selfScrapeInterval=10s >"$LOG_DIR/victoria-metrics.log" 2>&1 &
  PIDS+=($!)
  wait_until_ready "http://127.0.0.1:$VM_PORT/health" 60
  if [ "$VM_NEEDS_HISTORY" = 1 ]; then
    # The same history (the generator is deterministic), through VictoriaMetrics's
    # own import API: Prometheus's text format, timestamps in milliseconds.
    say "loading the same history into VictoriaMetrics"
    END=$(grep -o '"end": [0-9]*' "$DEMO_DIR/history/history-manifest.json" | head -1 | grep -o '[0-9]*$')
    ./target/release/history-generator --out "$DEMO_DIR/vm-history" --end "$END" >/dev/null
    grep -v '^#' "$DEMO_DIR/vm-history/history.om" | awk '{ $NF = $NF "000"; print }' |
      curl -fsS --data-binary @- "http://127.0.0.1:$VM_PORT/api/v1/import/prometheus"
    curl -fsS "http://127.0.0.1:$VM_PORT/internal/force_flush" >/dev/null
    rm -rf "$DEMO_DIR/vm-history"
    touch "$DEMO_DIR/victoria-metrics-history-loaded"
  fi
  # The second collector: a vmagent scraping a node exporter, writing to the same store.
  prometheus-node-exporter --web.listen-address="127.0.0.1:$NODE_EXPORTER_PORT" \
    >"$LOG_DIR/node-exporter.log" 2>&1 &
  PIDS+=($!)
  cat >"$DEMO_DIR/vmagent.yml" <<YAML
global:
  scrape_interval: 10s
scrape_configs:
  - job_name: node
    static_configs: [{targets: ['127.0.0.1:$NODE_EXPORTER_PORT']}]
YAML
  vmagent -promscrape.config="$DEMO_DIR/vmagent.yml" \
    -remoteWrite.url="http://127.0.0.1:$VM_PORT/api/v1/write" \
    -remoteWrite.tmpDataPath="$DEMO_DIR/vmagent-data" -httpListenAddr="127.0.0.1:$VMAGENT_PORT" \
    >"$LOG_DIR/vmagent.log" 2>&1 &
  PIDS+=($!)
fi

say "building and serving Foresight (first build takes about a minute)"
with_release_toolchain trunk serve --release --offline --address 127.0.0.1 --port "$APP_PORT" >"$LOG_DIR/trunk.log" 2>&1 &
PIDS+=($!)
wait_until_ready "http://127.0.0.1:$APP_PORT/" 600

if [ -n "$BREAK" ]; then
  (sleep 60 && curl -fsS -X POST "http://127.0.0.1:$SECOND_SERVICE_PORT/chaos/$BREAK" >>"$LOG_DIR/chaos.log" 2>&1) &
  say "app-2 breaks in a minute: $BREAK (POST /chaos/clear on port $SECOND_SERVICE_PORT fixes it)"
fi

DASHBOARD_URL="http://127.0.0.1:$APP_PORT/"
if [ "$PROMETHEUS_PORT" != 9090 ]; then
  DASHBOARD_URL="${DASHBOARD_URL}?datasource=http%3A%2F%2F127.0.0.1%3A$PROMETHEUS_PORT"
fi
cat <<READY

  Foresight       $DASHBOARD_URL
  Prometheus      http://127.0.0.1:$PROMETHEUS_PORT/
  Sample service  app-1 http://127.0.0.1:$SERVICE_PORT/metrics   app-2 http://127.0.0.1:$SECOND_SERVICE_PORT/metrics
  Break it        curl -X POST 'http://127.0.0.1:$SECOND_SERVICE_PORT/chaos/error-spike?ratio=0.4'
  Fix it          curl -X POST http://127.0.0.1:$SECOND_SERVICE_PORT/chaos/clear
  History         $(grep -o '"start": [0-9]*' "$DEMO_DIR/history/history-manifest.json" | head -1) … incidents in .demo/history/history-manifest.json
  Logs            $LOG_DIR/
$([ -n "$VM_PORT" ] && printf '  On VictoriaMetrics  http://127.0.0.1:%s/?datasource=http%%3A%%2F%%2F127.0.0.1%%3A%s\n  VictoriaMetrics     http://127.0.0.1:%s/  (history + Prometheus remote write + vmagent with a node exporter)\n' "$APP_PORT" "$VM_PORT" "$VM_PORT")

  Press Ctrl-C to stop everything.

READY
# Stop everything as soon as any one of them dies.
wait -n "${PIDS[@]}" || true
echo "a demo process exited; see $LOG_DIR" >&2
exit 1
