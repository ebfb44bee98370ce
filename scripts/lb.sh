#!/usr/bin/env bash
# HAProxy (Debian's package) on loopback in front of several `streetchief serve` replicas on one
# database (docs/scale.md, "Replicas"). Its configuration and pid file live under the project's
# .data/lb (or $STREETCHIEF_LB_DIR).
#
#   scripts/lb.sh start PORT ADDR...   install HAProxy if missing (as root), write the configuration for
#                                      127.0.0.1:PORT over the replicas at ADDR (host:port) and start it
#   scripts/lb.sh config PORT ADDR...  print that configuration
#   scripts/lb.sh stop                 stop it
#   scripts/lb.sh start-districts PORT ADDR|CODES@ADDR...
#                                      the same, routing by district: CODES@ADDR is a replica started with
#                                      --districts CODES (codes joined by +, e.g. 350802+350803@127.0.0.1:8102);
#                                      a request whose X-Streetchief-District header names one of those codes
#                                      goes to the replicas holding it; everything else to the plain ADDR ones,
#                                      which hold the whole territory (docs/scale.md, "Routing by district")
#   scripts/lb.sh config-districts PORT ADDR|CODES@ADDR...  print that configuration
#
# Replicas are named r1, r2, … in the order given. Each answer says which one served it in
# X-Streetchief-Replica; a request that sends that header naming a replica goes to it, even while its
# checks fail (tests and operators use it to reach one replica through the balancer). A replica
# joins once its /readyz answers 200 — the database reachable, the schema current, the lookup index
# loaded — and leaves after three failed checks a second apart.
#
# HAProxy adds the client's address to X-Forwarded-For and connects to the replicas from
# $STREETCHIEF_LB_SOURCE (127.0.0.2 unless set), so that they can tell it from a client on this
# machine: start the replicas with --trusted-proxies 127.0.0.2 and they read the client's address
# (for the report limit and sign-in throttling) from the header HAProxy wrote, and only from it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${STREETCHIEF_LB_DIR:-$root/.data/lb}
source_addr=${STREETCHIEF_LB_SOURCE:-127.0.0.2}
say() { printf 'lb: %s\n' "$*" >&2; }

install_haproxy() {
    command -v haproxy >/dev/null 2>&1 && return 0
    [ -x /usr/sbin/haproxy ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        say "HAProxy is missing. Install it, then run this again:"
        say "  sudo apt-get update && sudo apt-get install -y haproxy"
        exit 1
    fi
    say "installing haproxy"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends haproxy >/dev/null
    # The Debian package may start its own HAProxy on the distribution's configuration; this
    # project runs its own.
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now haproxy >/dev/null 2>&1 || true; fi
}

haproxy_bin() { command -v haproxy 2>/dev/null || echo /usr/sbin/haproxy; }

check_args() {
    [ $# -ge 2 ] || { say "usage: lb.sh start|config PORT ADDR..."; exit 2; }
    [[ $1 =~ ^[0-9]{1,5}$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ] || { say "port $1 is not 1-65535"; exit 2; }
    shift
    local a
    [[ $source_addr =~ ^[0-9a-fA-F.:]+$ ]] || { say "STREETCHIEF_LB_SOURCE=$source_addr is not an address"; exit 2; }
    for a in "$@"; do
        [[ $a =~ ^[A-Za-z0-9.-]+:[0-9]{1,5}$ ]] || { say "replica address $a is not host:port"; exit 2; }
    done
}

# config_head prints what both configurations open with: the process and the defaults of every proxy.
config_head() {
    cat <<CFG
# Written by $1; rewritten on every start.
global
    maxconn 4096
    pidfile $dir/haproxy.pid

defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 130s
    timeout server 130s
    timeout http-request 10s
CFG
}

config() {
    local port=$1 i=0 a
    shift
    config_head "scripts/lb.sh"
    cat <<CFG

frontend streetchief
    bind 127.0.0.1:$port
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    # A check may wait 3 s: a replica busy at start-up (the demo city, its first jobs) is slow, not down.
    timeout check 3s
    default-server inter 1s fall 3 rise 1
    source $source_addr
    http-response set-header X-Streetchief-Replica %s
CFG
    for a in "$@"; do
        i=$((i + 1))
        echo "    use-server r$i if { req.hdr(X-Streetchief-Replica) -m str r$i }"
    done
    echo "    force-persist if { req.hdr(X-Streetchief-Replica) -m found }"
    i=0
    for a in "$@"; do
        i=$((i + 1))
        echo "    server r$i $a check"
    done
}

# check_district_args is check_args for start-districts: at least one whole-territory replica, and
# district codes of digits and letters only (they become backend names and ACL strings).
check_district_args() {
    [ $# -ge 2 ] || { say "usage: lb.sh start-districts PORT ADDR|CODES@ADDR..."; exit 2; }
    local port=$1 a whole=0
    shift
    local addrs=()
    for a in "$@"; do
        if [[ $a == *@* ]]; then
            [[ ${a%@*} =~ ^[A-Za-z0-9]+(\+[A-Za-z0-9]+)*$ ]] || { say "district codes ${a%@*} are not codes joined by +"; exit 2; }
            addrs+=("${a#*@}")
        else
            whole=$((whole + 1))
            addrs+=("$a")
        fi
    done
    [ "$whole" -ge 1 ] || { say "start-districts needs at least one replica holding the whole territory, for everything not routed by district"; exit 2; }
    check_args "$port" "${addrs[@]}"
}

# config_districts: the frontend sends a request naming a replica in X-Streetchief-Replica to it
# (backend pinned, every replica), one naming a district in X-Streetchief-District to the replicas
# holding that district, and the rest to the whole-territory replicas.
config_districts() {
    local port=$1 i=0 a code codes=()
    shift
    config_head "scripts/lb.sh start-districts"
    cat <<CFG
    option httpchk GET /readyz
    http-check expect status 200
    timeout check 3s
    default-server inter 1s fall 3 rise 1

frontend streetchief
    bind 127.0.0.1:$port
    use_backend pinned if { req.hdr(X-Streetchief-Replica) -m found }
CFG
    for a in "$@"; do
        [[ $a == *@* ]] || continue
        IFS=+ read -r -a list <<<"${a%@*}"
        for code in "${list[@]}"; do
            [[ " ${codes[*]} " == *" $code "* ]] || codes+=("$code")
        done
    done
    for code in "${codes[@]}"; do
        echo "    use_backend district_$code if { req.hdr(X-Streetchief-District) -m str $code }"
    done
    echo "    default_backend replicas"
    server_lines() { # $filter: whole, pinned or a district code
        local j=0 b list
        for b in "${all[@]}"; do
            j=$((j + 1))
            case $filter in
            pinned) echo "    server r$j ${b#*@} check" ;;
            whole) [[ $b == *@* ]] || echo "    server r$j $b check" ;;
            *)
                [[ $b == *@* ]] || continue
                IFS=+ read -r -a list <<<"${b%@*}"
                if [[ " ${list[*]} " == *" $filter "* ]]; then echo "    server r$j ${b#*@} check"; fi
                ;;
            esac
        done
    }
    all=("$@")
    printf '\nbackend replicas\n    balance roundrobin\n    source %s\n    http-response set-header X-Streetchief-Replica %%s\n' "$source_addr"
    filter=whole server_lines
    for code in "${codes[@]}"; do
        printf '\nbackend district_%s\n    balance roundrobin\n    source %s\n    http-response set-header X-Streetchief-Replica %%s\n' "$code" "$source_addr"
        filter=$code server_lines
    done
    printf '\nbackend pinned\n    source %s\n    http-response set-header X-Streetchief-Replica %%s\n' "$source_addr"
    for a in "$@"; do
        i=$((i + 1))
        echo "    use-server r$i if { req.hdr(X-Streetchief-Replica) -m str r$i }"
    done
    echo "    force-persist if { req.hdr(X-Streetchief-Replica) -m found }"
    filter=pinned server_lines
}

stop() {
    local pid
    [ -f "$dir/haproxy.pid" ] || return 0
    pid=$(cat "$dir/haproxy.pid")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$dir/haproxy.pid"
}

case "${1:-}" in
start)
    shift
    check_args "$@"
    install_haproxy
    stop
    mkdir -p "$dir"
    config "$@" >"$dir/haproxy.cfg"
    "$(haproxy_bin)" -c -q -f "$dir/haproxy.cfg" || { say "HAProxy refuses $dir/haproxy.cfg"; exit 1; }
    "$(haproxy_bin)" -D -f "$dir/haproxy.cfg"
    say "balancing http://127.0.0.1:$1 over $(($# - 1)) replicas ($dir/haproxy.cfg)"
    ;;
config)
    shift
    check_args "$@"
    config "$@"
    ;;
start-districts)
    shift
    check_district_args "$@"
    install_haproxy
    stop
    mkdir -p "$dir"
    config_districts "$@" >"$dir/haproxy.cfg"
    "$(haproxy_bin)" -c -q -f "$dir/haproxy.cfg" || { say "HAProxy refuses $dir/haproxy.cfg"; exit 1; }
    "$(haproxy_bin)" -D -f "$dir/haproxy.cfg"
    say "balancing http://127.0.0.1:$1 over $(($# - 1)) replicas by district ($dir/haproxy.cfg)"
    ;;
config-districts)
    shift
    check_district_args "$@"
    config_districts "$@"
    ;;
stop) stop ;;
*)
    say "usage: lb.sh start PORT ADDR... | config PORT ADDR... | start-districts PORT ADDR|CODES@ADDR... | config-districts ... | stop"
    exit 2
    ;;
esac
