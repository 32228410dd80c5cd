#!/usr/bin/env bash
# Runs a real single-node Elasticsearch 8.19 (the integ-test distribution from Maven Central) on
# 127.0.0.1 without Docker, for trying Peregrine's Elasticsearch sink. Security is off and the
# heap is 512 MB: a local test node, not a production cluster. As root it runs as the system
# user peregrine-es (created if missing), since Elasticsearch refuses to run as root.
#
#   docker/scripts/elasticsearch.sh                       # foreground on 127.0.0.1:9200, Ctrl-C stops it
#   docker/scripts/elasticsearch.sh start                 # in the background; prints URL and pid
#   docker/scripts/elasticsearch.sh stop                  # stops the background node
#   docker/scripts/elasticsearch.sh --data-dir DIR --port 19200 [run|start|stop]
#
# Defaults come from ES_DATA_DIR (${TMPDIR:-/tmp}/peregrine-elasticsearch, kept between runs; as
# root it must be a directory the peregrine-es user can reach) and ES_PORT (9200).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
classes="$root/testbed/target/classes"
# the testbed's runtime classpath (slf4j among it), written by its build
classpath_file="$classes/dev/peregrine/testbed/kafka-broker.classpath"

mode=run
data_dir="${ES_DATA_DIR:-${TMPDIR:-/tmp}/peregrine-elasticsearch}"
port="${ES_PORT:-9200}"
while [ $# -gt 0 ]; do
  case "$1" in
    run|start|stop) mode="$1" ;;
    --data-dir) data_dir="$2"; shift ;;
    --port) port="$2"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "elasticsearch.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

stale() {
  [ ! -f "$classpath_file" ] || [ ! -f "$classes/dev/peregrine/testbed/ElasticsearchNode.class" ] && return 0
  [ -n "$(find "$root/testbed/src/main" "$root/testbed/pom.xml" "$root/pom.xml" -newer "$classpath_file" -print -quit)" ]
}

if stale; then
  echo "elasticsearch.sh: building the testbed module (first run or sources changed)..." >&2
  # install the parent pom too, so the testbed resolves it offline later; the build fetches the Elasticsearch zip
  (cd "$root" && mvn -B -q -ntp -Dstyle.color=never -N install >&2 \
    && mvn -B -q -ntp -Dstyle.color=never -pl testbed -DskipTests package >&2)
fi

if [ "$mode" = stop ]; then
  exec java -cp "$classes:$(cat "$classpath_file")" dev.peregrine.testbed.ElasticsearchNode stop "$data_dir"
fi
exec java -cp "$classes:$(cat "$classpath_file")" dev.peregrine.testbed.ElasticsearchNode "$mode" "$data_dir" "$port"
