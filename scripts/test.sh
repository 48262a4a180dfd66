#!/usr/bin/env bash
# Run Parlo's checks: the layer contracts (import-linter) and the test suite.
# PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379) are used for real by the
# integration tests; without them those tests are skipped locally (never in CI, where CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/lint-imports
exec .venv/bin/python -m pytest "$@"
