#!/usr/bin/env bash
# The whole suite on SQLite and on PostgreSQL ($TEST_DATABASE_URL) at the same time, in two
# processes: most of a PostgreSQL run waits on the server, so the two together take little
# longer than the PostgreSQL run alone. A line of progress a minute; then each run's output
# in full; fails when either run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
pytest=.venv/bin/pytest
logs=$(mktemp -d)
env -u TEST_DATABASE_URL "$pytest" "$@" >"$logs/sqlite.log" 2>&1 &
sqlite=$!
"$pytest" "$@" >"$logs/postgresql.log" 2>&1 &
postgresql=$!

progress() {  # the last "[ NN%]" of a run's output
  grep -o '\[ *[0-9]*%\]' "$1" 2>/dev/null | tail -n 1 | tr -d '[] ' || true
}
started=$SECONDS
while kill -0 "$sqlite" 2>/dev/null || kill -0 "$postgresql" 2>/dev/null; do
  sleep 60
  echo "   $(( (SECONDS - started) / 60 )) min: SQLite $(progress "$logs/sqlite.log")," \
       "PostgreSQL $(progress "$logs/postgresql.log")"
done
wait "$sqlite"; sqlite_status=$?
wait "$postgresql"; postgresql_status=$?
echo "== SQLite"
cat "$logs/sqlite.log"
echo "== PostgreSQL: $TEST_DATABASE_URL"
cat "$logs/postgresql.log"
rm -rf "$logs"
[ "$sqlite_status" -eq 0 ] && [ "$postgresql_status" -eq 0 ]
