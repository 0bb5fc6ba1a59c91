# Shared by scripts/demo and bench/: throwaway servers holding a generated university.
# Sourced, not run. Expects $root (the project folder), $servers (tests/harness/throwaway-servers) and $generator (the
# built generate-university) to be set.

# env_value FILE KEY: one value of a throwaway-servers .env file (read, never sourced).
env_value() {
    local file=$1 key=$2 line
    while IFS= read -r line; do
        [[ $line == "$key="* ]] && { printf '%s\n' "${line#"$key="}"; return 0; }
    done <"$file"
    return 1
}

# start_servers DIR: slapd and PostgreSQL on free ports, stopped by a watchdog if we die.
start_servers() {
    local dir=$1 attempt
    for attempt in 1 2 3; do
        "$servers" start-postgres "$dir" "$("$servers" free-port)" && break
        [[ $? -eq 75 && $attempt -lt 3 ]] || return 1
    done
    for attempt in 1 2 3; do
        "$servers" start-slapd "$dir" "$("$servers" free-port)" 500 && break
        [[ $? -eq 75 && $attempt -lt 3 ]] || return 1
    done
    "$servers" watch "$dir" $$
}

# The academic year (COD_ANU) in force today: the first calendar year, switching on 1 September.
current_academic_year() {
    local year month
    year=$(date +%Y)
    month=$(date +%-m)
    ((month >= 9)) && echo "$year" || echo $((year - 1))
}

# psql_moodle DIR ARGS...: psql on the throwaway Moodle database.
psql_moodle() {
    local dir=$1
    shift
    psql "$(env_value "$dir/pg.env" CONNINFO)" -v ON_ERROR_STOP=1 -q "$@"
}

# ldap_admin DIR TOOL ARGS...: an ldap tool bound as the throwaway directory's admin.
ldap_admin() {
    local dir=$1 tool=$2
    shift 2
    "$tool" -x -H "$(env_value "$dir/ldap.env" LDAP_URI)" -D "$(env_value "$dir/ldap.env" LDAP_ADMIN_DN)" \
        -y "$dir/ldap.password" "$@"
}

# load_directory DIR DATA: replaces ou=people with DATA/people.ldif.
load_directory() {
    local dir=$1 data=$2 base
    base=$(env_value "$dir/ldap.env" LDAP_BASE)
    ldap_admin "$dir" ldapsearch -LLL -E pr=1000/noprompt -b "$base" -s one dn 2>/dev/null |
        sed -n 's/^dn: //p' | ldap_admin "$dir" ldapdelete -c >/dev/null 2>&1 || true
    ldap_admin "$dir" ldapadd -c -f "$data/people.ldif" >/dev/null
}

# load_moodle_users DIR DATA: the generated Moodle accounts, in one COPY.
load_moodle_users() {
    local dir=$1 data=$2
    psql_moodle "$dir" -c "\\copy mdl_user ($(cat "$data/moodle-users.columns")) FROM '$data/moodle-users.copy'"
}

# write_config DIR DATA FILE [RULE] [CONNINFO] [REPORT_DIR] [EXTRA]: a cohort-sync configuration
# for these servers. CONNINFO defaults to the throwaway database, REPORT_DIR to DIR/state; EXTRA
# is more JSON members ending with a comma (the benchmark's opened-up guards).
write_config() {
    local dir=$1 data=$2 file=$3 rule=${4:-both}
    local conninfo=${5:-$(env_value "$dir/pg.env" CONNINFO)} reports=${6:-$dir/state} extra=${7:-}
    cat >"$file" <<JSON
{
  // Written by scripts/lib/university.sh for throwaway servers.
  "ldap": {
    "uris": ["$(env_value "$dir/ldap.env" LDAP_URI)"],
    "starttls": false,
    "base_dn": "$(env_value "$dir/ldap.env" LDAP_BASE)",
    "bind_dn": "$(env_value "$dir/ldap.env" LDAP_READER_DN)",
    "password_file": "$dir/reader.password",
    "page_size": 500,
    "institution_uai": "0141408E"
  },
  "apogee": { "path": "$data/apogee.csv" },
  "membership": { "rule": "$rule" },
  "moodle": { "conninfo": "$conninfo" },
  $extra
  "report": { "directory": "$reports" }
}
JSON
}

# load_dre DIR DATA: a Pégase DRE-shaped database "dre" (tests/data/pegase/dre_schema.sql) on the
# throwaway PostgreSQL, holding DATA's APOGÉE export as Pégase inscriptions (ETA_IAE 'E' becomes
# VALIDEE, any other ANNULEE), dumped today, and the role cohort_sync_dre with the documented
# read-only grants only (tests/data/pegase/grants.sql). Prints the role's conninfo.
load_dre() {
    local dir=$1 data=$2 conninfo
    conninfo=$(env_value "$dir/pg.env" CONNINFO)
    local admin=${conninfo/dbname=moodle/dbname=postgres} dre=${conninfo/dbname=moodle/dbname=dre}
    PGOPTIONS=--client-min-messages=warning psql "$admin" -v ON_ERROR_STOP=1 -q -c "DROP DATABASE IF EXISTS dre WITH (FORCE)" -c "CREATE DATABASE dre" \
        -c "DO \$\$ BEGIN CREATE ROLE cohort_sync_dre LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >&2
    psql "$dre" -v ON_ERROR_STOP=1 -q -f "$root/tests/data/pegase/dre_schema.sql" >&2
    psql "$dre" -v ON_ERROR_STOP=1 -q >&2 <<SQL
CREATE TEMP TABLE export (cod_anu integer, cod_etu text, cod_etp text, cod_vrs_vet text, num_occ_iae text,
                          eta_iae text, lib_etp text);
\\copy export FROM '$data/apogee.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'LATIN1')
UPDATE export SET cod_etu = btrim(cod_etu), cod_etp = btrim(cod_etp);
INSERT INTO public.version VALUES (32, 0, 1, NULL, to_char(current_date, 'YYYYMMDD'), 'demo', '{}');
INSERT INTO schema_odf.espace (id, type_espace, code, annee_universitaire, temoin_active)
SELECT DISTINCT md5('PER-' || cod_anu)::uuid, 'P', 'PER-' || cod_anu, cod_anu::text, true FROM export;
INSERT INTO schema_odf.objet_maquette (id, id_espace, type_objet_maquette, code, libelle_court)
SELECT DISTINCT ON (cod_etp, cod_anu) md5(cod_etp || '-' || cod_anu)::uuid, md5('PER-' || cod_anu)::uuid, 'F',
       cod_etp, lib_etp
  FROM export ORDER BY cod_etp, cod_anu;
INSERT INTO schema_odf.contexte (id, id_objet_maquette) SELECT id, id FROM schema_odf.objet_maquette;
INSERT INTO schema_ins.apprenant (id, code_apprenant) SELECT DISTINCT md5(cod_etu)::uuid, cod_etu FROM export;
INSERT INTO schema_ins.inscription (id, id_apprenant, id_odf_chemin, statut_inscription, temoin_principale)
SELECT gen_random_uuid(), md5(cod_etu)::uuid, md5(cod_etp || '-' || cod_anu)::uuid,
       CASE eta_iae WHEN 'E' THEN 'VALIDEE' ELSE 'ANNULEE' END, true
  FROM export;
ANALYZE;
SQL
    psql "$dre" -v ON_ERROR_STOP=1 -q -f "$root/tests/data/pegase/grants.sql" >&2
    printf '%s\n' "${dre/user=cohort_admin/user=cohort_sync_dre}"
}
