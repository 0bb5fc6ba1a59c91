# shellcheck shell=bash
# Helpers of bench/run: the servers' data, repeated measurements, the results. Sourced, not run.
# Expects: $root (the checkout), $work (the work folder, holding the throwaway servers), $servers
# (the harness), $gnu_time, $cohort_sync, $repeat (runs per measurement), and
# scripts/lib/university.sh sourced (env_value, write_config).
# The results live in global arrays that bench/run reads:
# shellcheck disable=SC2034,SC2154

fail() {
    printf 'bench/run: error: %s\n' "$1" >&2
    [[ $# -gt 1 ]] && printf 'HINT: %s\n' "$2" >&2
    exit 1
}

# ---------------------------------------------------------------------------------------------
# The servers' data

pg_conninfo() {
    local database=${1:-moodle}
    printf 'host=%s port=%s user=%s dbname=%s' "$(env_value "$work/pg.env" PGHOST)" \
        "$(env_value "$work/pg.env" PGPORT)" "$(env_value "$work/pg.env" PGUSER)" "$database"
}

# sql DATABASE ARGS...: psql on one database of the throwaway cluster, quiet, tuples only.
sql() {
    local database=$1
    shift
    PGOPTIONS='-c client_min_messages=warning' psql "$(pg_conninfo "$database")" -X -v ON_ERROR_STOP=1 -q -At "$@"
}

# load_ldap DATA: replaces the directory's people with DATA/people.ldif, offline: slapadd -q
# loads 100,000 entries in seconds where ldapadd takes minutes.
load_ldap() {
    local data=$1
    "$servers" stop-slapd "$work" 2>>"$work/logs/servers.log"
    rm -f -- "$work/ldap-db/data.mdb" "$work/ldap-db/lock.mdb"
    # The harness's base entries, then the people. slapadd does not take LDIF's "version: 1"
    # line (it reads it as an entry without a DN), which ldapadd accepts.
    {
        cat -- "$work/slapd-base.ldif"
        printf '\n'
        sed '1{/^version: /d}' -- "$data/people.ldif"
    } | slapadd -q -n1 -F "$work/slapd.d" >>"$work/logs/slapadd.log" 2>&1 ||
        fail "slapadd of '$data/people.ldif' failed" "see $work/logs/slapadd.log"
    "$servers" resume-slapd "$work" 2>>"$work/logs/servers.log"
}

# load_users DATABASE DATA: DATA's Moodle accounts, in one COPY.
load_users() {
    local database=$1 data=$2
    sql "$database" -c "\\copy mdl_user ($(cat "$data/moodle-users.columns")) FROM '$data/moodle-users.copy'"
    sql "$database" -c 'VACUUM ANALYZE'
}

# new_moodle DATABASE DATA: a fresh Moodle database, as the harness makes 'moodle', with DATA's
# users.
new_moodle() {
    local database=$1 data=$2
    sql postgres -c "CREATE DATABASE $database"
    sql "$database" -f "$root/tests/data/moodle/4.5/moodle_schema.sql" >/dev/null
    load_users "$database" "$data"
}

# snapshot DATABASE COPY / restore DATABASE COPY: whole-database copies, so that each repetition
# of a run that writes starts from the same state. FORCE: an autovacuum worker may be connected.
snapshot() {
    sql postgres -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" -c "CREATE DATABASE $2 TEMPLATE $1"
}
restore() {
    sql postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1 TEMPLATE $2"
}
drop_database() {
    sql postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
}

# memberships DATABASE FILE: every (cohortid, userid) of mdl_cohort_members, sorted as text
# (for comm and cmp).
memberships() {
    local database=$1 file=$2
    sql "$database" -c "\\copy (SELECT cohortid, userid FROM mdl_cohort_members) TO '$file.unsorted'"
    LC_ALL=C sort -o "$file" "$file.unsorted" && rm -f -- "$file.unsorted"
}

# The order in which cohort-sync inserts: by cohort, then user.
sorted_numerically() { LC_ALL=C sort -t $'\t' -k1,1n -k2,2n "$1"; }

count_lines() { wc -l <"$1" | tr -d ' '; }

# bench_config FILE DATA DATABASE: cohort-sync's configuration for these servers. The removal
# guards are opened up: a night of churn removes about 2,000 memberships, more than the default
# guards.max_removals of 1,000, and the benchmark measures the work, not the refusal.
bench_config() {
    local file=$1 data=$2 database=$3 extra=${4:-}
    write_config "$work" "$data" "$file" both "$(pg_conninfo "$database")" "$work/state-$database" \
        '"guards": { "max_removals": 1000000, "max_total_removal_ratio": 1.0, "max_cohort_removal_ratio": 1.0 },'"$extra"
}

# pedagogy_config FILE DATA DATABASE: bench_config with the element and group cohorts on (issue 17),
# reading DATA's pedagogical extracts.
pedagogy_config() {
    local file=$1 data=$2 database=$3
    bench_config "$file" "$data" "$database" \
        '"pedagogy": { "contracts_path": "'"$data"'/apogee-contracts.csv", "groups_path": "'"$data"'/apogee-groups.csv" },
  "element_cohorts": { "enabled": true }, "group_cohorts": { "enabled": true },'
}

# The Pégase query cohort-sync ships, as docs/configuration.md quotes it (a unit test holds the two
# equal), on one line for psql's \copy.
default_dre_query() {
    awk '/^\*\*The default query\*\*/ { section = 1 } section && /^```sql/ { inside = 1; next }
         inside && /^```/ { exit } inside' "$root/docs/configuration.md" | tr '\n' ' '
}

# ---------------------------------------------------------------------------------------------
# Measurement

# Per measurement NAME: the medians over the repetitions, the range of the wall times, and the
# repetition whose wall time is the median (its logs and run report are the ones shown).
declare -A wall=() cpu=() rss=() server=() spread=() median_rep=()
# Per repetition, keyed NAME/REP.
declare -A rep_wall=() rep_cpu=() rep_rss=() rep_server=()
clock_ticks=$(getconf CLK_TCK)
report_folder=''  # set while cohort-sync is measured: where its run reports appear

# CPU ticks slapd and PostgreSQL have used so far: slapd's own, the postmaster's and those of
# the backends it has reaped (a backend's time joins its parent's once it exits). PostgreSQL's
# long-lived helpers (WAL writer, checkpointer) are not counted.
server_ticks() {
    local total=0 pid stat fields
    for pid in "$(cat "$work/slapd.pid" 2>/dev/null)" "$(head -n 1 "$work/pg/postmaster.pid" 2>/dev/null)"; do
        if [[ -z $pid ]] || ! stat=$(cat "/proc/$pid/stat" 2>/dev/null); then
            continue
        fi
        read -r -a fields <<<"${stat##*) }"
        # Fields 14-17 of stat (utime stime cutime cstime), counted after the command name.
        total=$((total + fields[11] + fields[12] + fields[13] + fields[14]))
    done
    printf '%d\n' "$total"
}

# The lowest and highest 1-minute load averages seen when a measurement began.
load_low='' load_high=''
note_load() {
    local now
    now=$(cut -d' ' -f1 /proc/loadavg)
    if [[ -z $load_low ]] || awk -v a="$now" -v b="$load_low" 'BEGIN { exit !(a < b) }'; then
        load_low=$now
    fi
    if [[ -z $load_high ]] || awk -v a="$now" -v b="$load_high" 'BEGIN { exit !(a > b) }'; then
        load_high=$now
    fi
}

# measure_once NAME REP COMMAND...: one run under GNU time; its output in logs/NAME.REP.*, except
# for the floors, whose output goes to /dev/null as the floors are defined.
measure_once() {
    local name=$1 rep=$2 before after status=0 e u s m out base report
    shift 2
    base=$work/logs/$name.$rep
    out=$base.out
    note_load
    [[ $name == floor_* || $name == warmup_* ]] && out=/dev/null
    before=$(server_ticks)
    "$gnu_time" -f '%e %U %S %M' -o "$base.time" "$@" >"$out" 2>"$base.err" || status=$?
    # Let the postmaster reap the backend, whose CPU then joins its own.
    sleep 0.3
    after=$(server_ticks)
    if ((status != 0)); then
        printf 'FAILED (exit %d)\n' "$status" >&2
        tail -n 20 "$base.err" >&2
        fail "'$*' failed (exit $status)" "its output is in $base.{out,err}; rerun with --keep to look at it"
    fi
    read -r e u s m < <(tail -n 1 "$base.time")
    rep_wall[$name/$rep]=$e
    rep_cpu[$name/$rep]=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    rep_rss[$name/$rep]=$(awk -v m="$m" 'BEGIN { printf "%.0f", m / 1024 }')
    rep_server[$name/$rep]=$(awk -v t=$((after - before)) -v hz="$clock_ticks" 'BEGIN { printf "%.2f", t / hz }')
    if [[ -n $report_folder ]]; then
        # shellcheck disable=SC2012 # names are run ids: no blank, no newline
        report=$(ls -t "$report_folder"/*.json 2>/dev/null | head -n 1)
        [[ -n $report ]] || fail "cohort-sync wrote no run report for $name" "see $base.err"
        cp -- "$report" "$base.report.json"
    fi
}

# median_of VALUES...: the middle value (the lower middle for an even count).
median_of() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }

# measure NAME RESET COMMAND...: $repeat runs of COMMAND, each after RESET (a command line run
# unmeasured, to put the state back; '-' for none).
measure() {
    local name=$1 reset=$2 rep walls=() cpus=() rsss=() servers_cpu=() middle
    shift 2
    printf '  %-24s' "$name" >&2
    for ((rep = 1; rep <= repeat; rep++)); do
        [[ $reset == - ]] || eval "$reset" >>"$work/logs/reset.log" 2>&1 ||
            fail "resetting the state before $name failed: $reset" "see $work/logs/reset.log"
        measure_once "$name" "$rep" "$@"
        walls+=("${rep_wall[$name/$rep]}")
        cpus+=("${rep_cpu[$name/$rep]}")
        rsss+=("${rep_rss[$name/$rep]}")
        servers_cpu+=("${rep_server[$name/$rep]}")
        printf ' %6.2fs' "${rep_wall[$name/$rep]}" >&2
    done
    wall[$name]=$(median_of "${walls[@]}")
    cpu[$name]=$(median_of "${cpus[@]}")
    rss[$name]=$(median_of "${rsss[@]}")
    server[$name]=$(median_of "${servers_cpu[@]}")
    spread[$name]="$(printf '%s\n' "${walls[@]}" | sort -g | head -n 1)-$(printf '%s\n' "${walls[@]}" | sort -g | tail -n 1)"
    for ((rep = 1; rep <= repeat; rep++)); do
        [[ ${rep_wall[$name/$rep]} == "${wall[$name]}" ]] && middle=$rep && break
    done
    median_rep[$name]=$middle
    printf '   median %6.2fs wall %6.2fs CPU %5s MB, servers %ss CPU\n' "${wall[$name]}" "${cpu[$name]}" \
        "${rss[$name]}" "${server[$name]}" >&2
}

# measure_sync NAME RESET DATABASE CONFIG [ARGS...]: cohort-sync, with its run reports kept.
measure_sync() {
    local name=$1 reset=$2 database=$3 config=$4
    shift 4
    report_folder=$work/state-$database/reports
    measure "$name" "$reset" "$cohort_sync" --config "$config" "$@"
    report_folder=''
}

# The run report of the median repetition of NAME.
report_of() { printf '%s\n' "$work/logs/$1.${median_rep[$1]}.report.json"; }

# phases_of NAME: "ldap 1.52, export 0.25, ..., other 0.9". "other" is the wall time no phase
# accounts for: start-up, configuration, recording the run, writing the report file, exit. The
# export, the DRE and the pedagogical extracts are read on threads of their own while the directory is read,
# so their phases are not subtracted; Moodle's state (lock, load) is loaded while the sources are merged, so
# only the longer of the two is.
phases_of() {
    jq -r --argjson wall "${rep_wall[$1/${median_rep[$1]}]}" '[.phases[] | "\(.phase) \(.seconds * 100 | round / 100)"]
        + ["other \(($wall - ([.phases[] | select(.phase | IN("export", "pegase", "contracts", "groups", "merge", "lock", "load") | not) | .seconds] | add)
            - ([([.phases[] | select(.phase == "merge") | .seconds] | add // 0),
                ([.phases[] | select(.phase | IN("lock", "load")) | .seconds] | add // 0)] | max)) * 100 | round / 100)"]
        | join(", ")' "$(report_of "$1")"
}

# plan_of NAME: the outcome and the plan's totals.
plan_of() {
    jq -r '"\(.outcome), +\([.plan.cohorts[]?.adds | length] | add // 0) -\([.plan.cohorts[]?.removes | length] | add // 0)"' \
        "$(report_of "$1")"
}

# phase_seconds NAME PHASE...: the seconds of those phases together, in the median repetition.
phase_seconds() {
    local name=$1
    shift
    jq -r '[.phases[] | select(.phase as $p | $ARGS.positional | index($p)) | .seconds] | add // 0 | . * 100 | round / 100' \
        --args "$@" <"$(report_of "$name")"
}

# review_page_of NAME: "BYTES SECONDS" of the review page that the median repetition of NAME
# rendered, from its log line "review page: N bytes rendered in S s".
review_page_of() {
    sed -n 's/.*review page: \([0-9]*\) bytes rendered in \([0-9.]*\)s.*/\1 \2/p' \
        "$work/logs/$1.${median_rep[$1]}.err" | tail -n 1
}

# ready_ms_of NAME: the milliseconds the page measured itself to open in (its data-ready-ms:
# from navigation to the end of its script, a first layout included), in the median repetition
# of NAME (measure_browser).
ready_ms_of() {
    grep -o 'data-ready-ms="[0-9]*"' "$work/logs/$1.${median_rep[$1]}.out" | grep -o '[0-9]*' | head -n 1
}

# A page with nothing in it: what opening any page in the browser costs, subtracted from the
# review page's time.
empty_page() {
    printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>empty</title></head><body></body></html>\n' \
        >"$work/empty.html"
    printf '%s\n' "$work/empty.html"
}

# measure_browser NAME PAGE: headless Chromium loading PAGE and printing its DOM once the page's
# script has run, with a fresh profile each time (the flags of tests/integration/review_page_test).
measure_browser() {
    local name=$1 page=$2
    measure "$name" "rm -rf '$work/chromium-profile'" chromium --headless --no-sandbox --disable-gpu \
        --disable-quic --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$work/chromium-profile" --dump-dom "file://$page"
}

# ---------------------------------------------------------------------------------------------
# Arithmetic for the results

sum() { awk 'BEGIN { t = 0; for (i = 1; i < ARGC; i++) t += ARGV[i]; printf "%.2f", t }' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == "le" ? v <= t : v >= t); print (ok ? "met" : "MISSED") }'; }
