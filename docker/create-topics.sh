#!/usr/bin/env bash
# One-shot topic initialiser for docker-compose.yml; runs in the apache/kafka image.
#
# Creates the classifier's topics with PARTITIONS partitions, or grows them to PARTITIONS when they
# exist with fewer (Kafka cannot shrink a topic). Partitions bound how many classifier instances
# do useful work: each partition of the images topic is owned by one stream thread of one instance.
set -euo pipefail

bootstrap="${BOOTSTRAP_SERVERS:-kafka:19092}"
partitions="${PARTITIONS:-6}"
replication="${REPLICATION_FACTOR:-1}"
read -r -a topics <<<"${TOPICS:-images labels images.dlq}"
kafka_topics=/opt/kafka/bin/kafka-topics.sh

if ! [[ "${partitions}" =~ ^[1-9][0-9]*$ ]]; then
    echo "PARTITIONS must be a positive integer, got '${partitions}'" >&2
    exit 2
fi

partition_count() { # partition_count TOPIC
    "${kafka_topics}" --bootstrap-server "${bootstrap}" --describe --topic "$1" \
        | sed -n 's/.*PartitionCount: *\([0-9][0-9]*\).*/\1/p' | head -n 1
}

for topic in "${topics[@]}"; do
    "${kafka_topics}" --bootstrap-server "${bootstrap}" --create --if-not-exists \
        --topic "${topic}" --partitions "${partitions}" --replication-factor "${replication}"
    current="$(partition_count "${topic}")"
    if [[ -z "${current}" ]]; then
        echo "could not read the partition count of ${topic}" >&2
        exit 1
    fi
    if ((current < partitions)); then
        "${kafka_topics}" --bootstrap-server "${bootstrap}" --alter --topic "${topic}" \
            --partitions "${partitions}"
        echo "${topic}: grown from ${current} to ${partitions} partitions"
    else
        echo "${topic}: ${current} partitions"
    fi
done
