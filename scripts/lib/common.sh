# Shared by scripts/test, scripts/demo and bench/: package installation and the build.
# Sourced, not run.

# Every Debian 12 package the build, the tests and the demo need. Installed non-interactively;
# installing slapd or postgresql does not need (or start) their system services: the tests
# and the demo run their own throwaway servers. chromium opens the review page headless: its
# test, the bench's timing and the documentation's screenshot.
readonly COHORT_SYNC_PACKAGES=(
    build-essential cmake ninja-build pkg-config git
    libldap-dev libpq-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
    libgtest-dev libgmock-dev
    slapd ldap-utils postgresql-15 postgresql-client-15
    python3 php-cli
    clang-format systemd tzdata
    openssl clang-14 libclang-rt-14-dev
    dpkg-dev man-db groff-base
    chromium
)

section() { printf '\n==> %s\n' "$*"; }

install_packages() {
    local missing=()
    for package in "${COHORT_SYNC_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$package")
    done
    if (( ${#missing[@]} == 0 )); then
        return 0
    fi
    section "installing ${missing[*]}"
    if (( EUID != 0 )); then
        echo "cohort-sync: error: packages are missing and this is not root: ${missing[*]}" >&2
        echo "HINT: run as root, or: sudo apt-get install ${missing[*]}" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # policy-rc.d keeps the packages' maintainer scripts from starting system services.
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
    (( created_policy )) && rm -f "$policy"
    return 0
}

# configure_and_build DIR [cmake args...]
configure_and_build() {
    local dir=$1
    shift
    section "build in $dir"
    cmake -S . -B "$dir" -G Ninja -DCOHORT_SYNC_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j"$(nproc)"
}
