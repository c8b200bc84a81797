#!/usr/bin/env bash
# Container health check: exits 0 when GET /health on this container answers 200, 1 otherwise.
#
# The JRE base image has no curl or wget, so this speaks HTTP/1.0 over bash's /dev/tcp: no extra
# package, no second JVM per probe. /health answers 200 only when Kafka Streams is RUNNING or
# REBALANCING and the model is loaded, 503 otherwise. What it prints lands in `docker inspect`.
set -uo pipefail

port="${INCEPTION_HTTP_PORT:-8080}"
if ! { exec 3<>"/dev/tcp/127.0.0.1/${port}"; } 2>/dev/null; then
    echo "nothing listens on port ${port}"
    exit 1
fi
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
status=""
IFS= read -r -t 5 status <&3
exec 3<&-
status="${status%$'\r'}"
echo "${status:-no answer}"
# Status line, e.g. "HTTP/1.1 200 OK".
[[ "${status}" =~ ^HTTP/[0-9.]+\ 200($|[[:space:]]) ]]
