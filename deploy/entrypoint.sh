#!/bin/sh
# Comptoir's one entry point for a deployment: the container's, and the systemd units' through
# `comptoir` directly. `entrypoint.sh web` applies migrations then serves; `worker` runs the task queue;
# `scheduler` enqueues the periodic jobs; anything else is passed to `comptoir` (e.g. `backup --out …`).
# Run outside a container by tests/flows/test_deployment_files.py.
set -eu
role="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$role" in
    web)
        comptoir migrate --noinput
        exec comptoir serve "$@"
        ;;
    worker)
        exec comptoir db-worker "$@"
        ;;
    scheduler)
        exec comptoir scheduler "$@"
        ;;
    *)
        exec comptoir "$role" "$@"
        ;;
esac
