# Shared by scripts/test, scripts/demo and bench/: package installation and the build.
# Sourced, not run.

# Every package the build, the tests and the demo need, by names that exist on Debian 12
# (bookworm) and Debian 13 (trixie) alike: the unversioned metapackages pull each release's own
# PostgreSQL (15 / 17) and clang (14 / 19), so no major version is written here. Installed
# non-interactively; installing slapd or postgresql does not need (or start) their system
# services: the tests and the demo run their own throwaway servers.
# file: CPack's dpkg-shlibdeps step needs it to tell the binary's type.
# lintian, bash-completion: the package checks (ctest -L packaging). ca-certificates: the
# system CA bundle that tls_test shows is not enough to trust a private CA.
# mmdebstrap, zstd: scripts/test-debian13 (a Debian 13 system in a chroot). ccache: the compiler
# cache configure_and_build uses.
# python3: the Moodle fixture script; php-cli: the companion plugin's lint; tzdata: the rollover
# tests' time zones. chromium opens the review page headless: its test, the bench's timing and
# the documentation's screenshot. prometheus: promtool checks the metrics files of two sites
# together (report_files_test).
readonly COHORT_SYNC_PACKAGES=(
    build-essential cmake ninja-build pkg-config git
    libldap-dev libpq-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libgoogle-perftools-dev
    libgtest-dev libgmock-dev
    slapd ldap-utils postgresql postgresql-client
    python3 php-cli
    clang-format systemd tzdata
    openssl clang libclang-rt-dev
    dpkg-dev file lintian man-db groff-base bash-completion ca-certificates
    mmdebstrap zstd ccache
    chromium prometheus
)

section() { printf '\n==> %s\n' "$*"; }

# The release this runs on, for messages: "Debian GNU/Linux 13 (trixie)".
os_description() {
    local pretty=unknown
    if [[ -r /etc/os-release ]]; then
        pretty=$(. /etc/os-release && printf '%s' "${PRETTY_NAME:-${ID:-unknown} ${VERSION_ID:-}}")
    fi
    printf '%s\n' "$pretty"
}

install_packages() {
    local missing=()
    for package in "${COHORT_SYNC_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$package")
    done
    if (( ${#missing[@]} == 0 )); then
        return 0
    fi
    section "installing ${missing[*]} ($(os_description))"
    if (( EUID != 0 )); then
        echo "cohort-sync: error: packages are missing and this is not root: ${missing[*]}" >&2
        echo "HINT: run as root, or: sudo apt-get install ${missing[*]}" >&2
        return 1
    fi
    # A subshell, so that its traps are its own: the callers (scripts/demo) set EXIT traps of
    # their own, which one set here would replace.
    (
        export DEBIAN_FRONTEND=noninteractive
        # policy-rc.d keeps the packages' maintainer scripts from starting system services. It
        # must go whatever happens (a failed download, Ctrl-C): left behind, it would keep every
        # later package on this machine from starting its service. Signals exit through the
        # EXIT trap too.
        policy=/usr/sbin/policy-rc.d
        if [[ ! -e $policy ]]; then
            trap 'rm -f -- "$policy"' EXIT
            trap 'exit 130' INT TERM HUP
            printf '#!/bin/sh\nexit 101\n' >"$policy"
            chmod +x "$policy"
        fi
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
    )
}

# configure_and_build DIR [cmake args...]
# Through ccache when it is installed: a build is two full compilations (scripts/test), and a
# commit changes a few files. The cache is keyed on paths relative to the checkout
# (CCACHE_BASEDIR, CCACHE_NOHASHDIR), so that a fresh clone elsewhere, as CI makes, hits it too; no
# object but tests/build_paths.cpp holds the checkout's path (tests/support/build_paths.hpp).
# COHORT_SYNC_CCACHE=0 builds without it.
configure_and_build() {
    local dir=$1
    shift
    section "build in $dir"
    local launcher=()
    if [[ ${COHORT_SYNC_CCACHE:-1} != 0 ]] && command -v ccache >/dev/null; then
        launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
        export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
    fi
    cmake -S . -B "$dir" -G Ninja -DCOHORT_SYNC_WERROR=ON "${launcher[@]}" "$@" >/dev/null
    cmake --build "$dir" -j"$(nproc)"
    if ((${#launcher[@]})); then
        ccache --show-stats 2>/dev/null | grep -E '^ *(Hits|Misses):' | tr -s ' ' | sed 's/^/ccache:/' || true
    fi
}
