# Debian's hardening flags, as dpkg-buildflags gives them to every Debian package: FORTIFY_SOURCE,
# the stack protector and stack clash protection, format-string checks, and a read-only GOT
# resolved at load time (RELRO, BIND_NOW). hardening=+all adds BIND_NOW to the release's
# defaults; the flags themselves are the release's own (Debian 12 and 13 differ a little).
#
# On by default for the optimised builds (the package's Release build, the tests' RelWithDebInfo
# build), so that what the tests exercise is what the package ships. Off for Debug, where glibc
# rejects _FORTIFY_SOURCE without optimisation, and for the sanitizer and fuzzing builds, which
# FORTIFY's checked functions would hide from ASan.
find_program(COHORT_SYNC_DPKG_BUILDFLAGS dpkg-buildflags)
set(hardening_default OFF)
if(COHORT_SYNC_DPKG_BUILDFLAGS AND NOT COHORT_SYNC_SANITIZE AND NOT COHORT_SYNC_FUZZ
   AND NOT CMAKE_BUILD_TYPE STREQUAL "Debug" AND NOT CMAKE_BUILD_TYPE STREQUAL "")
  set(hardening_default ON)
endif()
option(COHORT_SYNC_HARDENING "Compile and link with dpkg-buildflags' hardening flags" ${hardening_default})

if(COHORT_SYNC_HARDENING)
  if(NOT COHORT_SYNC_DPKG_BUILDFLAGS)
    message(FATAL_ERROR "COHORT_SYNC_HARDENING needs dpkg-buildflags: apt-get install dpkg-dev, "
                        "or configure with -DCOHORT_SYNC_HARDENING=OFF")
  endif()
  # The admin's own DEB_BUILD_MAINT_OPTIONS come after ours, so that they win.
  set(maint_options "hardening=+all $ENV{DEB_BUILD_MAINT_OPTIONS}")
  foreach(kind CPPFLAGS CXXFLAGS LDFLAGS)
    execute_process(
      COMMAND ${CMAKE_COMMAND} -E env "DEB_BUILD_MAINT_OPTIONS=${maint_options}"
              ${COHORT_SYNC_DPKG_BUILDFLAGS} --get ${kind}
      OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE status)
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "dpkg-buildflags --get ${kind} failed (${status})")
    endif()
    separate_arguments(flags UNIX_COMMAND "${flags}")
    # -O and -g belong to CMAKE_BUILD_TYPE. The prefix maps make a Debian source package's build
    # reproducible; here they would rewrite the source paths in the developers' debug info.
    list(FILTER flags EXCLUDE REGEX "^-(O|g)")
    list(FILTER flags EXCLUDE REGEX "^-f(file|debug|macro)-prefix-map=")
    if(kind STREQUAL "LDFLAGS")
      add_link_options(${flags})
    else()
      add_compile_options(${flags})
    endif()
    string(JOIN " " shown ${flags})
    message(STATUS "Hardening ${kind}: ${shown}")
  endforeach()
endif()
