# shellcheck shell=bash
# The pedagogical scenarios of bench/run (issue 17, bench/run --pedagogy): the initial sync and a
# no-change night with the element and group cohorts on, against their floors. Sourced, not run.
# Expects what bench/lib/bench.sh expects, plus $generator, $students, $etapes, $started and
# bench/run's helpers (ldap_floor, copy_floor, warm_up, wait_until_quiet, load_average).
# shellcheck disable=SC2154

# The floor of decoding the three files: iconv of the export and both extracts, piped into cut
# picking fields out of every line (COD_IND, which nothing uses, left out). It converts every
# byte and finds every delimiter once, which any reader of these files has to do; it does not
# trim, validate, intern or de-duplicate. cohort-sync reads the three files on threads of their
# own; the floor's two processes also run side by side.
pedagogy_decode_floor() {
    local name=$1 data=$2
    measure "$name" - bash -c 'iconv -f latin1 -t utf8 -- "$@" | cut -d";" -f1,3-9' decode \
        "$data/apogee.csv" "$data/apogee-contracts.csv" "$data/apogee-groups.csv"
}

# The kinds of the initial sync's cohorts and their memberships, from the median run's report.
pedagogy_cohorts_of() {
    jq -r '[.plan.cohorts[]? | {kind: (.kind // "etape"), adds: (.adds | length)}] | group_by(.kind)
        | map("\(.[0].kind) \(length) cohorts, \(map(.adds) | add) memberships") | join("; ")' \
        "$(report_of "$1")"
}

run_pedagogy_bench() {
    section "generating the university: $students students, $etapes étapes, night 0 with its pedagogical extracts"
    year=$(current_academic_year)
    "$generator" --students "$students" --etapes "$etapes" --year "$year" --out "$work/night0"

    section "starting throwaway slapd and PostgreSQL in $work"
    start_servers "$work" 2>>"$work/logs/servers.log" || fail "the servers did not start" "see $work/logs/servers.log"

    section "loading night 0 (slapadd offline, \\copy of Moodle's users)"
    SECONDS=0
    load_ldap "$work/night0"
    load_users moodle "$work/night0"
    printf '  loaded in %ds: %s LDAP entries, %s Moodle users\n' "$SECONDS" \
        "$(jq -r .ldap_entries "$work/night0/summary.json")" "$(sql moodle -c 'SELECT count(*) FROM mdl_user')"
    pedagogy_config "$work/pedagogy.json" "$work/night0" moodle
    snapshot moodle empty_site
    warm_up "$work/night0"
    cat -- "$work/night0/apogee-contracts.csv" "$work/night0/apogee-groups.csv" >/dev/null
    wait_until_quiet
    load_start=$(load_average)

    section "floors, night 0 (each run $repeat times: the wall times, then the medians)"
    ldap_floor floor_ldap
    measure floor_iconv - iconv -f latin1 -t utf8 "$work/night0/apogee.csv"
    pedagogy_decode_floor floor_decode "$work/night0"

    section "cohort-sync: initial sync into an empty site, étape, element and group cohorts"
    measure_sync initial_pedagogy "restore moodle empty_site" moodle "$work/pedagogy.json"
    memberships moodle "$work/initial.sorted"
    sorted_numerically "$work/initial.sorted" >"$work/initial.adds"
    initial_rows=$(count_lines "$work/initial.adds")
    copy_floor floor_copy moodle "$work/initial.adds"

    section "cohort-sync: the next night, no change"
    sql moodle -c 'VACUUM ANALYZE'
    measure_sync nochange_pedagogy - moodle "$work/pedagogy.json"
    load_end=$(load_average)
    "$servers" stop "$work" >/dev/null 2>&1 || true

    section "results"
    {
        local p=$work/night0/summary.json
        printf '%s students, %s étapes: %s export rows, %s contract rows (%s followed this year, %s carried over,\n' \
            "$students" "$etapes" "$(jq -r .export_rows "$p")" "$(jq -r .pedagogy.contract_rows "$p")" \
            "$(jq -r .pedagogy.followed_rows "$p")" "$(jq -r .pedagogy.carried_over_rows "$p")"
        printf '%s of last year), %s group rows; %s elements (%s shared by several étapes), %s groups;\n' \
            "$(jq -r .pedagogy.previous_year_rows "$p")" "$(jq -r .pedagogy.group_rows "$p")" \
            "$(jq -r .pedagogy.elements "$p")" "$(jq -r .pedagogy.shared_elements "$p")" "$(jq -r .pedagogy.groups "$p")"
        printf '%s memberships after the initial sync: %s\n' "$initial_rows" "$(pedagogy_cohorts_of initial_pedagogy)"
        printf 'files: apogee.csv %s MB, apogee-contracts.csv %s MB, apogee-groups.csv %s MB\n' \
            "$(du -m "$work/night0/apogee.csv" | cut -f1)" "$(du -m "$work/night0/apogee-contracts.csv" | cut -f1)" \
            "$(du -m "$work/night0/apogee-groups.csv" | cut -f1)"
        printf 'source: %s; machine: %s cores, Linux %s\n' \
            "$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)" "$(nproc)" "$(uname -r)"
        printf 'load average (1, 5, 15 min) when measuring began: %s, at the end: %s; 1-min load when each run began: %s to %s\n' \
            "$load_start" "$load_end" "$load_low" "$load_high"
        if ((repeat == 1)); then
            printf 'one run of each. '
        else
            printf 'medians of %d runs of each. ' "$repeat"
        fi
        printf 'wall: seconds (and range); CPU: user + sys of the client process; srv: CPU of\n'
        printf 'slapd + PostgreSQL meanwhile; RSS: the client'"'"'s peak, MB\n\n'
        printf '| %-52s | %7s | %11s | %6s | %6s | %6s |\n' scenario 'wall s' range 'CPU s' 'srv s' 'RSS MB'
        printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" --------: ------------: -------: -------: -------:
        row floor_ldap "floor: paged ldapsearch of the students"
        row floor_iconv "floor: iconv of apogee.csv alone"
        row floor_decode "floor: iconv | cut of the three files"
        row floor_copy "floor: \\copy of $initial_rows memberships"
        row initial_pedagogy "cohort-sync: initial sync (+$initial_rows)"
        row nochange_pedagogy "cohort-sync: no change"

        local floor_initial floor_reads r_initial r_nochange bound_nochange peak
        floor_initial=$(sum "${wall[floor_ldap]}" "${wall[floor_decode]}" "${wall[floor_copy]}")
        floor_reads=$(sum "${wall[floor_ldap]}" "${wall[floor_decode]}")
        r_initial=$(ratio "${wall[initial_pedagogy]}" "$floor_initial")
        r_nochange=$(ratio "${wall[nochange_pedagogy]}" "$(sum "$floor_reads" 1)")
        bound_nochange=$(awk -v r="$floor_reads" 'BEGIN { printf "%.2f", 1.3 * r + 1 }')
        peak=$(printf '%s\n' "${rss[initial_pedagogy]}" "${rss[nochange_pedagogy]}" | sort -g | tail -n 1)
        printf '\nratios of wall times (the decode floor is iconv | cut of the three files)\n'
        printf '  initial sync / (LDAP + decode + COPY floors = %ss)            %6s   target <= 1.5: %s\n' \
            "$floor_initial" "$r_initial" "$(verdict "$r_initial" 1.5 le)"
        printf '  no change / (LDAP + decode floors + 1 s = %ss)                %6s   target <= 1.3: %s\n' \
            "$(sum "$floor_reads" 1)" "$r_nochange" "$(verdict "$r_nochange" 1.3 le)"
        printf '  no change, %ss, against 1.3 x read floors + 1 s = %ss                    %s\n' \
            "${wall[nochange_pedagogy]}" "$bound_nochange" "$(verdict "${wall[nochange_pedagogy]}" "$bound_nochange" le)"
        printf '  peak RSS of the two, %s MB                                              target <= 800: %s\n' \
            "$peak" "$(verdict "$peak" 800 le)"

        printf '\ncohort-sync phases of the median run (seconds, from the run reports; the export and the\n'
        printf 'extracts are read alongside the directory; other = start-up, recording the run, report, exit)\n'
        for name in initial_pedagogy nochange_pedagogy; do
            printf '  %-17s %s   [%s]\n' "$name" "$(phases_of "$name")" "$(plan_of "$name")"
        done
        printf '\nbench/run --pedagogy finished in %ds\n' $(($(date +%s) - started))
    } | tee "$work/results.txt"
    results_copy=$build_dir/bench-results-pedagogy-$(date +%Y%m%dT%H%M%S).txt
    cp -- "$work/results.txt" "$results_copy"
    printf '\nthese results are also in %s\n' "$results_copy"
}
