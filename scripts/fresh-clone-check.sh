#!/usr/bin/env bash
# Clones the committed HEAD into an empty temporary folder (nothing beside it: no
# ../shared, no node_modules, no build output) and runs the README's two set-up commands
# there exactly as written: the test command, then the start command, which must serve the
# seeded catalog. Usage: scripts/fresh-clone-check.sh [--keep]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
keep="${1:-}"
outer="$(mktemp -d)"
clone="$outer/flareo"
start_pid=""
cleanup() {
  if [ -n "$start_pid" ]; then kill -TERM -- "-$start_pid" 2>/dev/null || true; fi
  if [ "$keep" = --keep ]; then echo "fresh clone kept at $clone"; else rm -rf "$outer"; fi
}
trap cleanup EXIT

git clone --quiet --no-hardlinks "$repo" "$clone"
cd "$clone"
# Nothing from the outside may leak in: the vectors come from the clone's own fixtures.
unset FLAREO_VECTORS FLAREO_REQUIRE_VECTORS
if [ -e "$outer/shared" ]; then echo "fresh clone has something beside it" >&2; exit 1; fi
echo "== fresh clone at $clone ($(git rev-parse --short HEAD)), nothing beside it"

# The README's test command, verbatim.
readme_test='npx -y pnpm@10 install && npx -y pnpm@10 test'
grep -qF "$readme_test" README.md || { echo "README no longer shows: $readme_test" >&2; exit 1; }
npx -y pnpm@10 install && npx -y pnpm@10 test

# The README's start command, verbatim, on a free port: it must serve the seeded catalog.
readme_start='npx -y pnpm@10 install && npx -y pnpm@10 start'
grep -qF "$readme_start" README.md || { echo "README no longer shows: $readme_start" >&2; exit 1; }
start_log="$(mktemp)"
FLAREO_CATALOG_PORT=0 setsid bash -c "$readme_start" >"$start_log" 2>&1 &
start_pid=$!
url=""
for _ in $(seq 1 240); do
  url="$(grep -o 'listening on http://[0-9.:]*' "$start_log" | awk '{print $3}' || true)"
  [ -n "$url" ] && break
  kill -0 "$start_pid" 2>/dev/null || break
  sleep 1
done
if [ -z "$url" ]; then cat "$start_log" >&2; echo "the catalog did not start" >&2; exit 1; fi
node --input-type=module -e '
  const base = process.argv[1];
  const get = async (path) => { const r = await fetch(base + path); if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`); return r.json(); };
  const health = await get("/healthz");
  if (health.modules !== 5 || health.quarantined !== 0) throw new Error(`healthz: ${JSON.stringify(health)}`);
  const policy = await get("/api/v1/modules/nextcloud/policy");
  if (policy.result.verdict !== "fail") throw new Error(`nextcloud verdict ${policy.result.verdict}`);
  const list = await get("/api/v1/modules");
  if (!Array.isArray(list.modules) || list.modules.length !== 5) throw new Error("module list");
  console.log(`fresh clone: catalog at ${base}: ${JSON.stringify(health)}; nextcloud verdict fail`);
' "$url"
kill -TERM -- "-$start_pid" 2>/dev/null || true
wait "$start_pid" 2>/dev/null || true
start_pid=""
echo "fresh clone: the README's test and start commands pass with nothing beside the clone"
