#!/usr/bin/env bash
# The full stack of docker/compose.yaml without Docker: a real Kafka broker (KRaft) and a real
# Elasticsearch node, both from Maven Central through kafka.sh and elasticsearch.sh (the ones the
# integration tests use), and Peregrine taking events over HTTP and sending its alerts to both.
# Everything listens on 127.0.0.1 and runs in the background; pids and logs are in the run directory.
#
#   docker/scripts/stack.sh start     # Kafka, Elasticsearch, then Peregrine; returns once all answer
#   docker/scripts/stack.sh demo      # posts examples/incident-credential-theft, shows its alerts in Elasticsearch
#   docker/scripts/stack.sh status    # what runs, where; exit 3 when something is down
#   docker/scripts/stack.sh stop      # Peregrine, Kafka, Elasticsearch; the data stays in the run directory
#
# Environment (the first start saves the ports in the run directory; the other commands read them there):
#   PEREGRINE_STACK_DIR    run directory (default ${TMPDIR:-/tmp}/peregrine-stack); delete it to start afresh
#   KAFKA_PORT, KAFKA_CONTROLLER_PORT   9092, 9093
#   ES_PORT                9200
#   PEREGRINE_HTTP_PORT    8766 (metrics, /healthz, the ingest API)
#   PEREGRINE_BIN          the peregrine command (default bin/peregrine, which builds the jar when needed)
# The ingest token is generated once and kept in RUN_DIR/ingest-token (mode 600).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
run_dir="${PEREGRINE_STACK_DIR:-${TMPDIR:-/tmp}/peregrine-stack}"
settings="$run_dir/stack.env"
index=peregrine-alerts

usage() { sed -n '2,18p' "$0"; }

say() { echo "stack.sh: $*" >&2; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# waits up to $2 seconds for the command after it to succeed; $1 names what is awaited
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "$what did not come up within ${seconds}s"
      return 1
    fi
    sleep 1
  done
}

load_settings() {
  if [ ! -f "$settings" ]; then
    say "nothing started in $run_dir (run: stack.sh start)"
    exit 3
  fi
  # shellcheck source=/dev/null
  . "$settings"
}

# stops the process in pid file $1 with SIGTERM, SIGKILL after $2 seconds
stop_pid() {
  local pid_file=$1 seconds=$2
  alive "$pid_file" || { rm -f "$pid_file"; return 0; }
  local pid
  pid=$(cat "$pid_file")
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "pid $pid did not stop within ${seconds}s of SIGTERM: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$pid_file"
}

kafka_ready() {
  alive "$run_dir/kafka/launcher.pid" || { say "Kafka exited; its log:"; tail -n 30 "$run_dir/kafka/kafka.log" >&2; exit 1; }
  grep -q '^Kafka broker ready' "$run_dir/kafka/kafka.log"
}

peregrine_healthy() {
  alive "$run_dir/peregrine/peregrine.pid" \
    || { say "Peregrine exited; its log:"; tail -n 30 "$run_dir/peregrine/peregrine.log" >&2; exit 1; }
  curl -fsS -o /dev/null "http://127.0.0.1:$PEREGRINE_HTTP_PORT/healthz" 2>/dev/null
}

start() {
  mkdir -p "$run_dir/kafka" "$run_dir/peregrine"
  # as root, Elasticsearch runs as the user peregrine-es, which must be able to reach its directory
  chmod 755 "$run_dir"
  if [ ! -f "$settings" ]; then
    cat > "$settings" <<EOF
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
ES_PORT=${ES_PORT:-9200}
PEREGRINE_HTTP_PORT=${PEREGRINE_HTTP_PORT:-8766}
EOF
  fi
  load_settings
  if [ ! -s "$run_dir/ingest-token" ]; then
    (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$run_dir/ingest-token")
  fi

  if alive "$run_dir/kafka/launcher.pid"; then
    say "Kafka already runs (pid $(cat "$run_dir/kafka/launcher.pid"))"
  else
    say "starting Kafka on 127.0.0.1:$KAFKA_PORT"
    : > "$run_dir/kafka/kafka.log"
    nohup "$root/docker/scripts/kafka.sh" --port "$KAFKA_PORT" --controller-port "$KAFKA_CONTROLLER_PORT" \
      --data-dir "$run_dir/kafka/data" </dev/null >>"$run_dir/kafka/kafka.log" 2>&1 &
    echo $! > "$run_dir/kafka/launcher.pid"
  fi

  # in the meantime (kafka.sh waits for its broker in the background): Elasticsearch, which
  # returns once the node is healthy and leaves it running
  say "starting Elasticsearch on 127.0.0.1:$ES_PORT (10-60 s)"
  "$root/docker/scripts/elasticsearch.sh" --data-dir "$run_dir/elasticsearch" --port "$ES_PORT" start >&2

  wait_for "Kafka" 300 kafka_ready
  sed -n 's/^Kafka broker ready: .* pid=\([0-9]*\) .*/\1/p' "$run_dir/kafka/kafka.log" | tail -n 1 > "$run_dir/kafka/broker.pid"

  if alive "$run_dir/peregrine/peregrine.pid"; then
    say "Peregrine already runs (pid $(cat "$run_dir/peregrine/peregrine.pid"))"
  else
    say "starting Peregrine on 127.0.0.1:$PEREGRINE_HTTP_PORT"
    # the working directory holds what Peregrine keeps by default: state, alert spools, dead letters
    # a subshell for the working directory; $! must be the peregrine process itself, not a shell
    (cd "$run_dir/peregrine"
      PEREGRINE_INGEST_TOKEN="$(cat "$run_dir/ingest-token")" nohup "${PEREGRINE_BIN:-$root/bin/peregrine}" run --ingest \
        --config "$root/docker/peregrine/peregrine.yaml" \
        --kafka-alerts "127.0.0.1:$KAFKA_PORT" --elasticsearch "http://127.0.0.1:$ES_PORT" \
        --http-host 127.0.0.1 --http-port "$PEREGRINE_HTTP_PORT" \
        --alerts-file "$run_dir/peregrine/alerts.ndjson" --no-stdout-alerts \
        </dev/null >>"$run_dir/peregrine/peregrine.log" 2>&1 &
      echo $! > "$run_dir/peregrine/peregrine.pid")
  fi
  # bin/peregrine builds the jar first when it is missing or stale: minutes on a fresh clone
  wait_for "Peregrine" 600 peregrine_healthy
  status
}

status() {
  load_settings
  local down=0
  if alive "$run_dir/kafka/launcher.pid"; then
    echo "kafka          running  127.0.0.1:$KAFKA_PORT  pid $(cat "$run_dir/kafka/broker.pid" 2>/dev/null || cat "$run_dir/kafka/launcher.pid")"
  else
    echo "kafka          stopped"; down=1
  fi
  if alive "$run_dir/elasticsearch/elasticsearch.pid"; then
    echo "elasticsearch  running  http://127.0.0.1:$ES_PORT  pid $(cat "$run_dir/elasticsearch/elasticsearch.pid")"
  else
    echo "elasticsearch  stopped"; down=1
  fi
  if alive "$run_dir/peregrine/peregrine.pid"; then
    echo "peregrine      running  http://127.0.0.1:$PEREGRINE_HTTP_PORT (/metrics, /healthz, POST /v1/events)  pid $(cat "$run_dir/peregrine/peregrine.pid")"
  else
    echo "peregrine      stopped"; down=1
  fi
  echo "run directory  $run_dir (logs, alerts.ndjson, ingest-token)"
  [ "$down" -eq 0 ] || return 3
}

alert_count() {
  curl -fsS "http://127.0.0.1:$ES_PORT/$index/_count" 2>/dev/null | sed -n 's/.*"count":\([0-9]*\).*/\1/p'
}

has_alerts() {
  local count
  count=$(alert_count)
  [ -n "$count" ] && [ "$count" -gt 0 ]
}

demo() {
  load_settings
  alive "$run_dir/peregrine/peregrine.pid" || { say "Peregrine is not running (stack.sh start)"; exit 1; }
  local token example="$root/examples/incident-credential-theft"
  token=$(cat "$run_dir/ingest-token")
  # one body in event-time order, as the sensors would have sent it live: the OS events (evt.time)
  # and the agent platform's events (time) interleaved, so that the CEP rules see the sequence
  say "POST $(basename "$example") (OS and agent events by time) to http://127.0.0.1:$PEREGRINE_HTTP_PORT/v1/events"
  awk 'match($0, /"(evt\.)?time":"[^"]*"/) { t = substr($0, RSTART, RLENGTH); sub(/^.*":"/, "", t); sub(/"$/, "", t); print t "\t" $0 }' \
      "$example/os-events.ndjson" "$example/agent-events.ndjson" | LC_ALL=C sort -s -t "$(printf '\t')" -k1,1 | cut -f2- \
    | curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/x-ndjson' \
      --data-binary @- "http://127.0.0.1:$PEREGRINE_HTTP_PORT/v1/events" >&2
  echo >&2
  wait_for "an alert in Elasticsearch" 120 has_alerts
  # alerts arrive in bulk batches: give the last ones a moment before counting
  sleep 2
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$ES_PORT/$index/_refresh"
  say "$(alert_count) alerts in Elasticsearch index $index; the most severe one:"
  curl -fsS "http://127.0.0.1:$ES_PORT/$index/_search?size=1&sort=event.severity:asc,@timestamp:asc&pretty&filter_path=hits.hits._source.rule,hits.hits._source.peregrine.priority,hits.hits._source.peregrine.agent,hits.hits._source.message,hits.hits._source.@timestamp"
}

stop() {
  load_settings
  say "stopping Peregrine"
  stop_pid "$run_dir/peregrine/peregrine.pid" 30
  say "stopping Kafka"
  stop_pid "$run_dir/kafka/launcher.pid" 60
  # the launcher stops its broker; a launcher killed by SIGKILL leaves it to this
  stop_pid "$run_dir/kafka/broker.pid" 30
  say "stopping Elasticsearch"
  "$root/docker/scripts/elasticsearch.sh" --data-dir "$run_dir/elasticsearch" --port "$ES_PORT" stop >&2
}

case "${1:-}" in
  start) start ;;
  demo) demo ;;
  status) status ;;
  stop) stop ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
