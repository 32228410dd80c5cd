#!/usr/bin/env bash
# Runs a real single-node Kafka broker (KRaft, Kafka 4.1 from Maven Central) on 127.0.0.1 without
# Docker, for trying Peregrine's Kafka sink and distributed mode. Ctrl-C stops it.
#
#   docker/scripts/kafka.sh                          # 127.0.0.1:9092, data deleted on exit
#   docker/scripts/kafka.sh --data-dir ./kafka-data  # keep topics between runs
#   docker/scripts/kafka.sh --port 19092 --controller-port 19093
#
# Defaults come from KAFKA_PORT (9092) and KAFKA_CONTROLLER_PORT (9093); options given on the
# command line win. JVM options of the launcher: KAFKA_LAUNCHER_OPTS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
classes="$root/testbed/target/classes"
classpath_file="$classes/dev/peregrine/testbed/kafka-broker.classpath"

marker="$classes/dev/peregrine/testbed/KafkaBroker.class"

stale() {
  [ ! -f "$classpath_file" ] || [ ! -f "$marker" ] && return 0
  [ -n "$(find "$root/testbed/src/main" "$root/testbed/pom.xml" -newer "$marker" -print -quit)" ]
}

if stale; then
  echo "kafka.sh: building the testbed module (first run or sources changed)..." >&2
  (cd "$root" && mvn -B -q -ntp -Dstyle.color=never -pl testbed -DskipTests package >&2)
fi

# the launcher's own Kafka clients (the readiness check) would print their whole config: keep them to warnings
exec java -Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn ${KAFKA_LAUNCHER_OPTS:-} -cp "$classes:$(cat "$classpath_file")" dev.peregrine.testbed.KafkaBroker \
  --port "${KAFKA_PORT:-9092}" --controller-port "${KAFKA_CONTROLLER_PORT:-9093}" "$@"
