#!/usr/bin/env bash
# The machine's own PostgreSQL, as CI and the benchmarks use it: started if it is installed
# and down, the current user's role and the database DB (owned by it) created if missing.
#
#   scripts/local_postgres.sh DB     # prints postgresql+psycopg://USER@HOST/DB on stdout
#
# Progress and errors go to stderr. Exit status 1 when PostgreSQL cannot be reached: not
# installed, not started, or no way to act as its superuser. It installs nothing.
set -euo pipefail

PG_HOST=${PG_HOST:-localhost}
PG_USER=${PG_USER:-$(id -un)}
DB=${1:?usage: scripts/local_postgres.sh DATABASE}

fail() {
  echo "PostgreSQL: $*" >&2
  exit 1
}

# Run a PostgreSQL client command as the server's superuser: over TCP when trust allows it,
# else as the postgres system user.
as_pg_admin() {
  if psql -h "$PG_HOST" -U postgres -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
    "$@" -h "$PG_HOST" -U postgres
  elif [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    return 1
  fi
}

command -v pg_isready >/dev/null && command -v psql >/dev/null ||
  fail "the client programs (pg_isready, psql) are not installed"

if ! pg_isready -q -h "$PG_HOST"; then
  [ "$PG_HOST" = localhost ] || fail "the server on $PG_HOST does not answer"
  command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ] ||
    fail "no server answers on $PG_HOST and none is installed here (pg_ctlcluster, /etc/postgresql)"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  [ -n "$version" ] || fail "no cluster in /etc/postgresql"
  echo "Starting PostgreSQL $version ..." >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 ||
    fail "pg_ctlcluster $version main start failed"
  for _ in $(seq 1 30); do pg_isready -q -h "$PG_HOST" && break; sleep 1; done
  pg_isready -q -h "$PG_HOST" || fail "started, but it does not answer on $PG_HOST after 30 s"
fi

# The role and the database: as the role itself when it can already do it, else as the
# server's superuser.
if ! psql -h "$PG_HOST" -U "$PG_USER" -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
  roles=$(as_pg_admin psql -d postgres -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'") ||
    fail "cannot sign in as $PG_USER nor act as the superuser postgres to create that role"
  if ! grep -q 1 <<<"$roles"; then
    echo "Creating the role $PG_USER ..." >&2
    as_pg_admin psql -d postgres -c "CREATE ROLE \"$PG_USER\" LOGIN SUPERUSER" >&2
  fi
fi
exists=$(psql -h "$PG_HOST" -U "$PG_USER" -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = '$DB'" 2>/dev/null ||
  as_pg_admin psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'") ||
  fail "cannot read the list of databases"
if ! grep -q 1 <<<"$exists"; then
  echo "Creating the database $DB owned by $PG_USER ..." >&2
  createdb -h "$PG_HOST" -U "$PG_USER" "$DB" 2>/dev/null ||
    as_pg_admin createdb -O "$PG_USER" "$DB" >&2 ||
    fail "cannot create the database $DB"
fi
psql -h "$PG_HOST" -U "$PG_USER" -d "$DB" -tAc "SELECT 1" >/dev/null 2>&1 ||
  fail "$PG_USER cannot connect to $DB"
echo "postgresql+psycopg://$PG_USER@$PG_HOST/$DB"
