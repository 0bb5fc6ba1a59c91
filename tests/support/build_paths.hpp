// Where the tests find the checkout's files and the program built from it.
//
// Defined in one file that CMake writes into the build folder (tests/CMakeLists.txt), not passed
// to every test file as a macro or taken from __FILE__: the paths of a checkout are then in one
// object, and the compiler cache (scripts/lib/common.sh) serves every other object from one
// clone to the next, whatever folder it was cloned into.
#pragma once

#include <filesystem>

namespace cohort_sync::testing {

const std::filesystem::path& source_dir();         // the checkout's root
const std::filesystem::path& cohort_sync_binary(); // the cohort-sync program of this build

} // namespace cohort_sync::testing
