#!/usr/bin/env bash
# Run a step that downloads (pip, Maven, apt-get) up to three times, so that one dropped connection
# to a registry does not fail a whole `make test`. Usage: tools/retry.sh COMMAND [ARG...]
set -u
status=1
for attempt in 1 2 3; do
  "$@" && exit 0
  status=$?
  [ "$attempt" = 3 ] && break
  echo "tools/retry.sh: attempt $attempt of '$*' failed with status $status; retrying in $((attempt * 15)) s" >&2
  sleep $((attempt * 15))
done
echo "tools/retry.sh: '$*' failed 3 times (status $status): check the network or the registry" >&2
exit "$status"
