#!/usr/bin/env bash
# `npm test`: everything CI checks, in the order CI runs it, each step timed. The Node versions
# users run: 20.19+ (this machine's), 22 and 24 (fetched from the npm registry by npx).
#   - typecheck, lint (ESLint + Prettier), then ONE build of the package and the sample app and ONE
#     pack; every later step uses them (NESTJS_WEB_PUBSUB_PREBUILT=1, the matrix's --tarball);
#   - the public API against its reports in api/;
#   - the full jest suite (2 workers) and the stress cases, once, on Node 24;
#   - what depends on Node's module loader and runtime on every version: test/packaging and the
#     sample app's smoke spec (`npm run test:runtime`) on 20 and 22 (24 has them in the full suite),
#     the consumer matrix on the oldest and the newest (20 and 24; 22 gave the same results).
set -euo pipefail
cd "$(dirname "$0")/.."

timings=()
started_all=$SECONDS
report() {
  echo
  echo "Test steps (wall time):"
  for line in "${timings[@]}"; do echo "  $line"; done
  echo "  total $((SECONDS - started_all))s"
}
trap report EXIT
step() {
  local name=$1 started=$SECONDS
  shift
  echo
  echo "=== $name: $*"
  "$@"
  timings+=("$(printf '%-46s %5ss' "$name" $((SECONDS - started)))")
}

jest=(--experimental-vm-modules node_modules/jest/bin/jest.js)
tarball=.pack/nestjs-web-pubsub.tgz
here=$(node --version)

step "typecheck" npm run typecheck
step "lint" npm run lint
step "build + sample build + pack" npm run test:prepare
export NESTJS_WEB_PUBSUB_PREBUILT=1
step "public API reports" npm run api:check

step "jest, full suite (Node 24, 2 workers)" npx -y node@24 "${jest[@]}" --maxWorkers=2
step "stress (Node 24)" npx -y node@24 "${jest[@]}" --runInBand -c jest.stress.config.js
step "consumer matrix (Node 24)" npx -y node@24 test/consumers/run-matrix.mjs --tarball "$tarball"
step "packaging + smoke ($here)" npm run test:runtime
step "consumer matrix ($here)" node test/consumers/run-matrix.mjs --tarball "$tarball"
step "packaging + smoke (Node 22)" npx -y node@22 "${jest[@]}" --runInBand test/packaging test/smoke
