#!/usr/bin/env bash
# A PostgreSQL cluster that survives its primary, on loopback, for make test-ha: one etcd member and
# two PostgreSQL 15 + PostGIS nodes managed by Patroni (a primary and a synchronous replica,
# synchronous_mode on), kept under the project's .data/ha.
#
#   scripts/ha.sh start         install Patroni, etcd and PostgreSQL + PostGIS if missing (as root), start
#                               what is not running, wait until a primary has a synchronous replica
#   scripts/ha.sh stop          stop Patroni (and its PostgreSQL) and etcd
#   scripts/ha.sh wipe          stop, then delete the cluster's data
#   scripts/ha.sh hosts         print the PostgreSQL nodes as host:port,host:port
#   scripts/ha.sh primary       print the name of the node that is primary now
#   scripts/ha.sh kill-primary  SIGKILL the primary's Patroni and every PostgreSQL process of it, as if
#                               its machine were lost; print the killed node's name
#   scripts/ha.sh status        print Patroni's view of the cluster
#   scripts/ha.sh backup        a full pgBackRest backup of the primary (WAL is archived continuously)
#   scripts/ha.sh archive-check switch the primary to a new WAL file and wait until it is archived
#   scripts/ha.sh restore TIME  restore the last backup and the archived WAL up to TIME into a fresh
#                               cluster, start it on port +31 and print the port
#   scripts/ha.sh restore-stop  stop and delete that restored cluster
#
# Ports (STREETCHIEF_HA_PORT_BASE, 56200 by default): etcd client +1, peer +2; Patroni REST +11, +12;
# PostgreSQL +21, +22; a restored cluster +31. PostgreSQL refuses to run as root, so as root everything runs as the 'postgres'
# system user, as scripts/pg.sh does; when that user cannot reach the project folder the data lives
# in /var/lib/streetchief/<key>/ha and .data/ha is a link to it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
base=${STREETCHIEF_HA_PORT_BASE:-56200}
etcd_client=$((base + 1))
etcd_peer=$((base + 2))
nodes=(node1 node2)
superuser=streetchief
link="$root/.data/ha"

say() { printf 'ha: %s\n' "$*" >&2; }

rest_port() { echo $((base + 10 + ${1#node})); }
pg_port() { echo $((base + 20 + ${1#node})); }

install_packages() {
    "$root/scripts/pg.sh" install
    local missing=()
    command -v patroni >/dev/null 2>&1 || missing+=(patroni)
    command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v pgbackrest >/dev/null 2>&1 || missing+=(pgbackrest)
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        say "missing ${missing[*]}; install them, then run this again:"
        say "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
        exit 1
    fi
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian's etcd-server package starts a member of its own on 2379; this project starts its own.
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now etcd >/dev/null 2>&1 || true; fi
}

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

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# data_dir prints the cluster folder, creating it (or the link to it) when needed.
data_dir() {
    if [ -L "$link" ]; then
        readlink -f "$link"
        return
    fi
    if [ -d "$link" ]; then
        echo "$link"
        return
    fi
    mkdir -p "$root/.data" "$link"
    if [ "$(id -u)" -ne 0 ]; then
        echo "$link"
        return
    fi
    chown postgres: "$link"
    if runuser -u postgres -- test -w "$link"; then
        echo "$link"
        return
    fi
    rmdir "$link"
    local key dir
    key=$(printf '%s' "$root" | sha1sum | cut -c1-12)
    dir="/var/lib/streetchief/$key/ha"
    mkdir -p "$dir"
    chown -R postgres: "/var/lib/streetchief/$key"
    chmod 755 /var/lib/streetchief
    ln -s "$dir" "$link"
    say "postgres cannot reach $root; cluster kept in $dir (linked from .data/ha)"
    echo "$dir"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# start_detached starts a long-running command as the owner, in its own session, its pid in pidfile.
start_detached() {
    local pidfile=$1 log=$2
    shift 2
    as_owner bash -c 'log=$1; pidfile=$2; shift 2; setsid "$@" >>"$log" 2>&1 </dev/null & echo $! >"$pidfile"' \
        start "$log" "$pidfile" "$@"
}

write_patroni_config() {
    local dir=$1 node=$2 bindir=$3 sock=$4
    local conf="$dir/$node.yml"
    as_owner tee "$conf" >/dev/null <<EOF
# written by scripts/ha.sh
scope: streetchief-ha
namespace: /streetchief/
name: $node
log:
  level: INFO
restapi:
  listen: 127.0.0.1:$(rest_port "$node")
  connect_address: 127.0.0.1:$(rest_port "$node")
etcd3:
  hosts: 127.0.0.1:$etcd_client
bootstrap:
  dcs:
    # The leader key lives ttl seconds without renewal: a lost primary is replaced after about that.
    # Patroni asks loop_wait + 2 × retry_timeout <= ttl.
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        max_connections: 200
        wal_keep_size: 256MB
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - auth: trust
  pg_hba:
    - local all all trust
    - local replication all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$(pg_port "$node")
  connect_address: 127.0.0.1:$(pg_port "$node")
  data_dir: $dir/$node
  bin_dir: $bindir
  pgpass: $dir/$node.pgpass
  authentication:
    superuser:
      username: $superuser
    replication:
      username: $superuser
  parameters:
    unix_socket_directories: '$sock'
    shared_buffers: 128MB
    fsync: "on"
    log_min_messages: warning
    # Every WAL file goes to the pgBackRest repository, from whichever node is primary.
    archive_mode: "on"
    archive_command: 'pgbackrest --config=$dir/pgbackrest.conf --stanza=streetchief --pg1-path=$dir/$node archive-push %p'
EOF
}

write_backrest_config() {
    local dir=$1 sock=$2
    as_owner mkdir -p "$dir/backrest" "$dir/backrest-log" "$dir/backrest-lock" "$dir/backrest-spool"
    as_owner tee "$dir/pgbackrest.conf" >/dev/null <<EOF
# written by scripts/ha.sh
[global]
repo1-path=$dir/backrest
repo1-retention-full=2
log-path=$dir/backrest-log
lock-path=$dir/backrest-lock
spool-path=$dir/backrest-spool
log-level-console=warn
start-fast=y

[streetchief]
pg1-path=$dir/node1
pg1-port=$(pg_port node1)
pg1-socket-path=$sock
pg1-user=$superuser
EOF
}

# backrest runs pgBackRest against the node that is primary now.
backrest() {
    local dir node
    dir=$(readlink -f "$link")
    node=$(primary)
    as_owner pgbackrest --config="$dir/pgbackrest.conf" --stanza=streetchief \
        --pg1-path="$dir/$node" --pg1-port="$(pg_port "$node")" "$@"
}

etcd_healthy() { curl -sf "http://127.0.0.1:$etcd_client/health" 2>/dev/null | grep -q '"health":"true"'; }

# cluster_json prints Patroni's /cluster answer from the first node that answers.
cluster_json() {
    local node
    for node in "${nodes[@]}"; do
        if curl -sf --max-time 2 "http://127.0.0.1:$(rest_port "$node")/cluster" 2>/dev/null; then return 0; fi
    done
    return 1
}

# synchronous_ready: a leader that runs and a synchronous standby that streams.
synchronous_ready() {
    cluster_json | python3 -c '
import json, sys
members = json.load(sys.stdin).get("members", [])
roles = {(m.get("role"), m.get("state")) for m in members}
leader = any(r in ("leader", "master") and s == "running" for r, s in roles)
sync = any(r == "sync_standby" and s in ("running", "streaming") for r, s in roles)
sys.exit(0 if leader and sync else 1)' 2>/dev/null
}

start() {
    install_packages
    local bindir dir sock node
    bindir=$(pg_bindir)
    dir=$(data_dir)
    if [ ${#dir} -lt 80 ]; then sock=$dir; else sock=/tmp; fi
    if ! alive "$dir/etcd.pid"; then
        say "starting etcd on 127.0.0.1:$etcd_client"
        start_detached "$dir/etcd.pid" "$dir/etcd.log" etcd --name ha --data-dir "$dir/etcd" \
            --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
            --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
            --initial-cluster "ha=http://127.0.0.1:$etcd_peer" --initial-cluster-state new \
            --listen-metrics-urls "" --log-level warn
    fi
    local i
    for i in $(seq 1 60); do etcd_healthy && break; sleep 0.5; done
    etcd_healthy || { say "etcd did not become healthy; see $dir/etcd.log"; exit 1; }
    write_backrest_config "$dir" "$sock"
    for node in "${nodes[@]}"; do
        write_patroni_config "$dir" "$node" "$bindir" "$sock"
        if ! alive "$dir/$node.pid"; then
            say "starting Patroni $node (PostgreSQL on 127.0.0.1:$(pg_port "$node"))"
            start_detached "$dir/$node.pid" "$dir/$node.log" patroni "$dir/$node.yml"
        fi
        # The first node bootstraps alone, so the second one clones it instead of racing it.
        if [ "$node" = node1 ]; then
            for i in $(seq 1 120); do
                cluster_json 2>/dev/null | grep -q '"state": *"running"' && break
                sleep 0.5
            done
        fi
    done
    for i in $(seq 1 240); do
        if synchronous_ready; then
            say "primary $(primary) with a synchronous replica; PostgreSQL on $(hosts)"
            backrest stanza-create >/dev/null
            return 0
        fi
        sleep 0.5
    done
    say "no primary with a synchronous replica after 120 s; see $dir/node*.log"
    status >&2 || true
    exit 1
}

stop() {
    [ -e "$link" ] || return 0
    local dir node pid i
    dir=$(readlink -f "$link")
    restore_stop
    for node in "${nodes[@]}"; do
        if alive "$dir/$node.pid"; then
            pid=$(cat "$dir/$node.pid")
            kill -TERM "$pid"
            for i in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
            say "stopped Patroni $node"
        fi
        # A PostgreSQL left without its Patroni (Patroni was killed) is stopped by its own pg_ctl.
        if [ -f "$dir/$node/postmaster.pid" ]; then
            as_owner "$(pg_bindir)/pg_ctl" -D "$dir/$node" -m fast -w stop >/dev/null 2>&1 || true
        fi
    done
    if alive "$dir/etcd.pid"; then
        pid=$(cat "$dir/etcd.pid")
        kill -TERM "$pid"
        for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        say "stopped etcd"
    fi
}

wipe() {
    stop
    [ -e "$link" ] || return 0
    local dir
    dir=$(readlink -f "$link")
    rm -rf "${dir:?}"/*
    say "wiped $dir"
}

hosts() {
    local out=() node
    for node in "${nodes[@]}"; do out+=("127.0.0.1:$(pg_port "$node")"); done
    (IFS=,; echo "${out[*]}")
}

primary() {
    local node
    for node in "${nodes[@]}"; do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$(rest_port "$node")/primary")" = 200 ]; then
            echo "$node"
            return 0
        fi
    done
    say "no primary now"
    return 1
}

kill_primary() {
    local dir node pm pids
    dir=$(readlink -f "$link")
    node=$(primary)
    pm=$(head -1 "$dir/$node/postmaster.pid")
    # Patroni first, so nothing restarts PostgreSQL; then the postmaster and its children at once.
    pids="$(cat "$dir/$node.pid") $pm $(ps -o pid= --ppid "$pm" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    kill -KILL $pids
    echo "$node"
}

# kill_replica loses a node that is not the primary the same way: the reads test's standby dying.
kill_replica() {
    local dir node pm pids lead
    dir=$(readlink -f "$link")
    lead=$(primary)
    for node in "${nodes[@]}"; do
        [ "$node" = "$lead" ] && continue
        alive "$dir/$node.pid" || continue
        pm=$(head -1 "$dir/$node/postmaster.pid")
        pids="$(cat "$dir/$node.pid") $pm $(ps -o pid= --ppid "$pm" | tr '\n' ' ')"
        # shellcheck disable=SC2086
        kill -KILL $pids
        echo "$node"
        return 0
    done
    say "no replica running"
    return 1
}

restore_port() { echo $((base + 31)); }

restore() {
    local target=$1 dir bindir sock
    [ -n "$target" ] || { say "restore needs a target time"; exit 2; }
    dir=$(readlink -f "$link")
    bindir=$(pg_bindir)
    if [ ${#dir} -lt 80 ]; then sock=$dir; else sock=/tmp; fi
    restore_stop
    as_owner mkdir -m 700 "$dir/restored"
    as_owner pgbackrest --config="$dir/pgbackrest.conf" --stanza=streetchief --pg1-path="$dir/restored" \
        restore --type=time "--target=$target" --target-action=promote >/dev/null
    # The backup carries the primary's configuration; the restored cluster is alone on its own port,
    # archives nothing, waits for no standby, and is at least as large as the primary (recovery asks).
    as_owner "$bindir/pg_ctl" -D "$dir/restored" -l "$dir/restored.log" -w -t 120 -o "-p $(restore_port) \
        -c listen_addresses=127.0.0.1 -c unix_socket_directories=$sock -c archive_mode=off \
        -c synchronous_standby_names= -c max_connections=200 -c max_wal_senders=10 -c max_worker_processes=8 \
        -c max_locks_per_transaction=64 -c max_prepared_transactions=0 -c hot_standby=on" start >/dev/null
    local i
    for i in $(seq 1 120); do
        if [ "$("$bindir/psql" -h 127.0.0.1 -p "$(restore_port)" -U "$superuser" -d postgres -tAc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; then
            restore_port
            return 0
        fi
        sleep 0.5
    done
    say "the restored cluster did not finish recovery; see $dir/restored.log"
    exit 1
}

restore_stop() {
    local dir
    dir=$(readlink -f "$link")
    [ -d "$dir/restored" ] || return 0
    if [ -f "$dir/restored/postmaster.pid" ]; then
        as_owner "$(pg_bindir)/pg_ctl" -D "$dir/restored" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "${dir:?}/restored"
}

status() { cluster_json | python3 -m json.tool; }

case "${1:-}" in
start) start ;;
stop) stop ;;
wipe) wipe ;;
hosts) hosts ;;
primary) primary ;;
kill-primary) kill_primary ;;
kill-replica) kill_replica ;;
backup) backrest backup --type=full >/dev/null ;;
archive-check) backrest check >/dev/null ;;
restore) restore "${2:-}" ;;
restore-stop) restore_stop ;;
status) status ;;
*)
    echo "usage: $0 start|stop|wipe|hosts|primary|kill-primary|kill-replica|status|backup|archive-check|restore TIME|restore-stop" >&2
    exit 2
    ;;
esac
