#!/usr/bin/env bash
# Run a command with a throw-away PostgreSQL cluster: initdb in a temporary directory,
# listening on 127.0.0.1 only (no Unix socket outside that directory) on a free port,
# FLAREO_TEST_POSTGRES_URL exported for the command, and the cluster stopped and removed
# whatever the command does. Needs Debian's `postgresql` package (or PG_BIN pointing at the
# directory of initdb and pg_ctl). Run as root, the cluster runs as the `postgres` user.
#
#   scripts/with-postgres.sh npx vitest run test/storage.test.ts
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres: no PostgreSQL server binaries (apt-get install postgresql, or set PG_BIN)" >&2
  exit 1
fi

# As root, the server must run as an unprivileged user.
as_owner=()
owner="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner=(runuser -u postgres --)
fi

dir="$(mktemp -d /tmp/flareo-pg.XXXXXX)"
chown "$owner" "$dir"
chmod 700 "$dir"

# A free loopback port: bind port 0 and read what the kernel gave.
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"

stop() {
  "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT INT TERM

"${as_owner[@]}" "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}
"${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off" \
  start >/dev/null || {
  cat "$dir/server.log" >&2
  exit 1
}
"${as_owner[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres flareo

export FLAREO_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/flareo"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
set +e
"$@"
status=$?
set -e
exit "$status"
