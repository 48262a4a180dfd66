#!/usr/bin/env bash
# Run the Parlo demo on the embedded default (SQLite): seeds Barbería Don Carlos and serves the API,
# the web chat and the WhatsApp webhook on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/parlo demo "$@"
