# ---- Installation and the Debian package -----------------------------------------------------
# `cmake --install build` (the binary is installed by the top-level file) and `cpack -G DEB` in a
# build dir; scripts/build-deb does the package build end to end. The units name
# /usr/bin/cohort-sync and /usr/libexec/cohort-sync/failure-mail, where the package puts them:
# install with -DCMAKE_INSTALL_PREFIX=/usr, or override ExecStart= with `systemctl edit`. The
# configuration is not installed in /etc: the example goes to the documentation, and the admin
# copies it (a package must not ship a file the admin edits without declaring it a conffile).

# ---- The release the package is built for ---------------------------------------------------
# One package per Debian release, told apart by its version: 0.1.0-1~deb12u1 on Debian 12,
# 0.1.0-1~deb13u1 on Debian 13. Its Depends: are computed by dpkg-shlibdeps on the build host,
# so a package built on one release names that release's libraries (libldap-2.5-0 and libfmt9
# on Debian 12, libldap2 and libfmt10 on Debian 13) and installs there only.
set(os_id "")
set(os_version_id "")
set(os_codename "")
set(os_pretty "")
if(EXISTS /etc/os-release)
  file(STRINGS /etc/os-release os_release_lines)
  foreach(line IN LISTS os_release_lines)
    if(line MATCHES "^([A-Z_]+)=\"?([^\"]*)\"?$")
      set(key ${CMAKE_MATCH_1})
      set(value ${CMAKE_MATCH_2})
      if(key STREQUAL "ID")
        set(os_id ${value})
      elseif(key STREQUAL "VERSION_ID")
        set(os_version_id ${value})
      elseif(key STREQUAL "VERSION_CODENAME")
        set(os_codename ${value})
      elseif(key STREQUAL "PRETTY_NAME")
        set(os_pretty ${value})
      endif()
    endif()
  endforeach()
endif()
if(os_id STREQUAL "debian" AND os_version_id MATCHES "^[0-9]+$")
  set(derived_suffix "~deb${os_version_id}u1")
elseif(os_id AND os_version_id)
  # Another distribution (Ubuntu 24.04: ~ubuntu24.04u1); testing and sid have no VERSION_ID.
  set(derived_suffix "~${os_id}${os_version_id}u1")
else()
  set(derived_suffix "")
endif()
set(COHORT_SYNC_DEB_REVISION "1" CACHE STRING "The Debian revision of the package: 0.1.0-<this>~deb12u1")
set(COHORT_SYNC_DEB_SUFFIX "auto" CACHE STRING
    "The release suffix of the package version; auto: from /etc/os-release (~deb12u1, ~deb13u1)")
if(COHORT_SYNC_DEB_SUFFIX STREQUAL "auto")
  set(deb_suffix "${derived_suffix}")
else()
  set(deb_suffix "${COHORT_SYNC_DEB_SUFFIX}")
endif()
set(COHORT_SYNC_DEB_VERSION "${PROJECT_VERSION}-${COHORT_SYNC_DEB_REVISION}${deb_suffix}")
if(os_codename)
  set(COHORT_SYNC_DEB_DISTRIBUTION "${os_codename}")
else()
  set(COHORT_SYNC_DEB_DISTRIBUTION "unstable")
endif()
if(os_pretty)
  set(COHORT_SYNC_DEB_OS "${os_pretty}")
else()
  set(COHORT_SYNC_DEB_OS "an unknown system")
endif()
message(STATUS "Debian package: cohort-sync ${COHORT_SYNC_DEB_VERSION} for ${COHORT_SYNC_DEB_OS}")

# The Maintainer: field and the changelog's signature. Set it to the team that answers for the
# package at your institution: cmake -DCOHORT_SYNC_MAINTAINER="Équipe Moodle <moodle@univ-x.fr>".
set(COHORT_SYNC_MAINTAINER "cohort-sync team <cohort-sync@univ-exemple.fr>" CACHE STRING
    "The Maintainer: field of the Debian package: 'Name <address>'")
if(NOT COHORT_SYNC_MAINTAINER MATCHES "^[^<>]+ <[^<>@ ]+@[^<>@ ]+\\.[^<>@ ]+>$")
  message(FATAL_ERROR "COHORT_SYNC_MAINTAINER '${COHORT_SYNC_MAINTAINER}' is not 'Name <address>'")
endif()

# ---- What is installed ---------------------------------------------------------------------
set(COHORT_SYNC_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where the systemd units go, relative to the install prefix (/usr/lib/systemd/system)")
install(FILES systemd/cohort-sync.service systemd/cohort-sync.timer
              systemd/cohort-sync@.service systemd/cohort-sync@.timer
              systemd/cohort-sync-failure@.service
        DESTINATION ${COHORT_SYNC_SYSTEMD_UNIT_DIR})
install(PROGRAMS systemd/failure-mail DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/cohort-sync)
install(FILES packaging/cohort-sync.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME cohort-sync)
install(FILES config/cohort-sync.example.json DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES README.md packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")

# Debian wants the man page and the changelog compressed with gzip -9n (no name, no time stamp:
# the same bytes at every build). gzip is in every Debian system (Essential: yes).
find_program(COHORT_SYNC_GZIP gzip REQUIRED)
set(changelog_in "${PROJECT_SOURCE_DIR}/packaging/changelog.in")
file(READ "${changelog_in}" changelog_text)
string(REGEX REPLACE "^(#[^\n]*\n)+" "" changelog_text "${changelog_text}")
file(CONFIGURE OUTPUT "${PROJECT_BINARY_DIR}/packaging/changelog.Debian" CONTENT "${changelog_text}" @ONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${changelog_in}")
add_custom_command(
  OUTPUT "${PROJECT_BINARY_DIR}/packaging/cohort-sync.1.gz"
  COMMAND ${COHORT_SYNC_GZIP} -9nc "${PROJECT_SOURCE_DIR}/docs/cohort-sync.1"
          > "${PROJECT_BINARY_DIR}/packaging/cohort-sync.1.gz"
  DEPENDS "${PROJECT_SOURCE_DIR}/docs/cohort-sync.1" VERBATIM)
add_custom_command(
  OUTPUT "${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz"
  COMMAND ${COHORT_SYNC_GZIP} -9nc "${PROJECT_BINARY_DIR}/packaging/changelog.Debian"
          > "${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz"
  DEPENDS "${PROJECT_BINARY_DIR}/packaging/changelog.Debian" VERBATIM)
add_custom_target(compressed_docs ALL
  DEPENDS "${PROJECT_BINARY_DIR}/packaging/cohort-sync.1.gz"
          "${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz")
install(FILES "${PROJECT_BINARY_DIR}/packaging/cohort-sync.1.gz" DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES "${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz" DESTINATION ${CMAKE_INSTALL_DOCDIR})

# ---- CPack ----------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cohort-sync)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE "${COHORT_SYNC_DEB_REVISION}${deb_suffix}")
set(CPACK_PACKAGE_VENDOR "cohort-sync")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "keeps Moodle's étape cohorts in line with LDAP and APOGÉE")
# The extended description, under the summary as the synopsis; lines of at most 80 columns
# (lintian: extended-description-line-too-long).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "A nightly batch job that reads the university LDAP directory (SupAnn) and\n"
    "the APOGÉE export of administrative enrolments, decides who belongs to which\n"
    "étape cohort, and applies every change to Moodle's PostgreSQL tables in one\n"
    "transaction. Safety guards refuse a plan that looks like the product of a\n"
    "broken source. Ships systemd services and timers, one site or several.")
string(JOIN "" CPACK_DEBIAN_PACKAGE_DESCRIPTION ${CPACK_DEBIAN_PACKAGE_DESCRIPTION})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${COHORT_SYNC_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Depends: computed by dpkg-shlibdeps (package dpkg-dev, which needs `file`) from the libraries
# the binary links, on the release being built on.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "jq, postgresql-client, default-mta | mail-transport-agent")
set(CPACK_STRIP_FILES ON)
# The maintainer scripts: debhelper's systemd snippets, written by hand (packaging/postinst).
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/postinst;${PROJECT_SOURCE_DIR}/packaging/prerm;${PROJECT_SOURCE_DIR}/packaging/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Directories 0755 whatever the builder's umask (lintian: non-standard-dir-perm).
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# `package_source` would otherwise pack every build folder of the checkout too.
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/")
include(CPack)
