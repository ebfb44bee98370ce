#!/usr/bin/env bash
# Private PostGIS cluster for development and tests, kept under the project's .data/pg.
#
#   scripts/pg.sh start   install PostgreSQL + PostGIS if missing (as root), init the cluster once, start it
#   scripts/pg.sh stop    stop it
#   scripts/pg.sh url     print the DATABASE_URL of the streetchief database
#   scripts/pg.sh admin-url  print the URL of the maintenance database (tests create databases there)
#   scripts/pg.sh restart restart it (fast mode)
#   scripts/pg.sh install install PostgreSQL + PostGIS if missing (as root), nothing else
#
# STREETCHIEF_PG_DATA=/some/dir (with STREETCHIEF_PG_PORT) runs a second cluster kept in that folder
# instead of .data/pg — make bench-scale's province, which must not weigh on the everyday cluster.
#
# PostgreSQL refuses to run as root, so as root the cluster runs as the 'postgres' system user. When that
# user cannot reach the project folder (a clone under /root, say), the cluster lives in a folder it can
# reach and .data/pg is a link to it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
port=${STREETCHIEF_PG_PORT:-55432}
dbname=${STREETCHIEF_PG_DB:-streetchief}
superuser=streetchief
link="$root/.data/pg"

say() { printf 'pg: %s\n' "$*" >&2; }

pg_bindir() {
    local v
    for v in 18 17 16 15 14 13; do
        if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then
            echo "/usr/lib/postgresql/$v/bin"
            return 0
        fi
    done
    return 1
}

postgis_present() {
    local bindir=$1 sharedir
    sharedir=$("$bindir/pg_config" --sharedir 2>/dev/null || true)
    [ -n "$sharedir" ] || sharedir="/usr/share/postgresql/$(basename "$(dirname "$bindir")")"
    ls "$sharedir"/extension/postgis.control >/dev/null 2>&1
}

install_packages() {
    local bindir major
    bindir=$(pg_bindir || true)
    if [ -n "$bindir" ] && postgis_present "$bindir"; then
        return 0
    fi
    if [ -n "$bindir" ]; then
        major=$(basename "$(dirname "$bindir")")
        pkgs="postgresql-$major-postgis-3 postgresql-contrib"
    else
        pkgs="postgresql postgresql-contrib postgis"
    fi
    if [ "$(id -u)" -ne 0 ]; then
        say "PostgreSQL with PostGIS is missing. Install it, then run this again:"
        say "  sudo apt-get update && sudo apt-get install -y $pkgs"
        exit 1
    fi
    say "installing $pkgs"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
    # The Debian package starts its own cluster on 5432; this project needs only the binaries.
    if command -v pg_lsclusters >/dev/null 2>&1; then
        pg_lsclusters -h 2>/dev/null | while read -r ver name _; do
            pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
        done
    fi
    bindir=$(pg_bindir) || { say "PostgreSQL binaries not found after install"; exit 1; }
    postgis_present "$bindir" || { say "PostGIS extension not found after install"; exit 1; }
}

# as_owner runs a command as the user that owns the cluster.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# data_dir prints the cluster folder, creating it (or the link to it) when needed.
data_dir() {
    if [ -n "${STREETCHIEF_PG_DATA:-}" ]; then
        mkdir -p "$STREETCHIEF_PG_DATA"
        [ "$(id -u)" -ne 0 ] || chown postgres: "$STREETCHIEF_PG_DATA"
        echo "$STREETCHIEF_PG_DATA"
        return
    fi
    if [ -L "$link" ]; then
        readlink -f "$link"
        return
    fi
    if [ -d "$link" ]; then
        echo "$link"
        return
    fi
    mkdir -p "$root/.data"
    if [ "$(id -u)" -ne 0 ]; then
        mkdir -p "$link"
        echo "$link"
        return
    fi
    # As root: use .data/pg itself when the postgres user can reach it, otherwise a folder it can.
    mkdir -p "$link"
    chown postgres: "$link"
    if runuser -u postgres -- test -w "$link"; then
        echo "$link"
        return
    fi
    rmdir "$link"
    local key dir
    key=$(printf '%s' "$root" | sha1sum | cut -c1-12)
    dir="/var/lib/streetchief/$key/pg"
    mkdir -p "$dir"
    chown -R postgres: "/var/lib/streetchief/$key"
    chmod 755 /var/lib/streetchief
    ln -s "$dir" "$link"
    say "postgres cannot reach $root; cluster kept in $dir (linked from .data/pg)"
    echo "$dir"
}

socket_dir() {
    local dir=$1
    # A Unix socket path must stay under ~107 bytes.
    if [ ${#dir} -lt 80 ]; then echo "$dir"; else echo /tmp; fi
}

running() {
    local dir=$1 bindir=$2
    as_owner "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

start() {
    install_packages
    local bindir dir sock
    bindir=$(pg_bindir)
    dir=$(data_dir)
    sock=$(socket_dir "$dir")
    if [ ! -f "$dir/PG_VERSION" ]; then
        say "initialising cluster in $dir"
        as_owner "$bindir/initdb" -D "$dir" -U "$superuser" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"$dir/postgresql.conf" <<EOF
# streetchief private cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
max_connections = 200
shared_buffers = 256MB
fsync = on
log_min_messages = warning
EOF
    fi
    if ! running "$dir" "$bindir"; then
        say "starting PostgreSQL on 127.0.0.1:$port"
        as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 -o "-p $port" start >/dev/null
    fi
    local i
    for i in $(seq 1 60); do
        if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then break; fi
        sleep 0.5
    done
    if ! "$bindir/psql" -h 127.0.0.1 -p "$port" -U "$superuser" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$dbname'" | grep -q 1; then
        "$bindir/psql" -h 127.0.0.1 -p "$port" -U "$superuser" -d postgres -qc "CREATE DATABASE $dbname" >/dev/null
    fi
}

stop() {
    local bindir dir
    bindir=$(pg_bindir) || exit 0
    if [ -n "${STREETCHIEF_PG_DATA:-}" ]; then
        dir=$STREETCHIEF_PG_DATA
    else
        [ -e "$link" ] || exit 0
        dir=$(readlink -f "$link")
    fi
    [ -f "$dir/PG_VERSION" ] || exit 0
    if running "$dir" "$bindir"; then
        as_owner "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
        say "stopped"
    fi
}

restart() {
    local bindir dir
    bindir=$(pg_bindir)
    dir=${STREETCHIEF_PG_DATA:-$(readlink -f "$link")}
    as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -m fast -w -o "-p $port" restart >/dev/null
}

case "${1:-}" in
install) install_packages ;;
start) start ;;
stop) stop ;;
restart) restart ;;
url) echo "postgres://$superuser@127.0.0.1:$port/$dbname?sslmode=disable" ;;
admin-url) echo "postgres://$superuser@127.0.0.1:$port/postgres?sslmode=disable" ;;
*)
    echo "usage: $0 start|stop|restart|install|url|admin-url" >&2
    exit 2
    ;;
esac
