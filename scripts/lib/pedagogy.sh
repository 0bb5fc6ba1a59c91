# The demo's pedagogical extracts (contracts and group assignments), derived from a generated
# university's APOGÉE export: the generator (bench/) makes administrative inscriptions only.
# Sourced, not run.

# write_pedagogy DATA YEAR NIGHT: DATA/ip.csv and DATA/groups.csv for the students of L1INFO and
# L1PSYC this year (each row keeps its inscription's étape version, so that the IP matches an IA):
#   - L1INFO follows INF101 "Algorithmique" and INF102 "Programmation", L1PSYC follows PSY101
#     "Psychologie cognitive", and both follow ANG1 "Anglais" (an element shared by two étapes);
#   - INF101 has three TD groups, TD1..TD3 by student number. On night 0 a quarter of the students
#     (number % 4 = 3) are not placed yet; on night 1 they are, and the first student of TD1 (by
#     number) has moved to TD2.
write_pedagogy() {
    local data=$1 year=$2 night=$3
    # COD_ANU;COD_ETU;COD_ETP;COD_VRS_VET;NUM_OCC_IAE;ETA_IAE;LIB_ETP, codes possibly padded.
    tr -d '\r' <"$data/apogee.csv" | tail -n +2 | sort -t';' -k2,2 | awk -F';' -v year="$year" -v night="$night" \
        -v ip="$data/ip.csv" -v groups="$data/groups.csv" '
        BEGIN {
            print "COD_ANU;COD_IND;COD_ETU;COD_ETP;COD_VRS_VET;COD_ELP;LIB_ELP;COD_NEL;TEM_PRC_ICE" > ip
            print "COD_ANU;COD_IND;COD_ETU;COD_ELP;COD_GPE;COD_EXT_GPE;LIB_GPE;COD_TGR" > groups
            moved = 0
        }
        function contract(element, label) {
            printf "%s;9%s;%s;%s;%s;%s;%s;MATI;N\n", year, number, number, etape, version, element, label > ip
        }
        {
            number = $2; etape = $3; version = $4
            gsub(/ /, "", number); gsub(/ /, "", etape)
            if ($1 != year || seen[number, etape]++) next
            if (etape == "L1INFO") {
                contract("INF101", "Algorithmique")
                contract("INF102", "Programmation")
                contract("ANG1", "Anglais")
                td = number % 3 + 1
                if (night == 0 && number % 4 == 3) next
                if (night == 1 && td == 1 && number % 4 != 3 && !moved) { td = 2; moved = 1 }
                printf "%s;9%s;%s;INF101;%d;TD%d;TD%d Algorithmique;TD\n", year, number, number, 4100 + td, td, td > groups
            } else if (etape == "L1PSYC") {
                contract("PSY101", "Psychologie cognitive")
                contract("ANG1", "Anglais")
            }
        }'
}
