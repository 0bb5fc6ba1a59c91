// Étape codes as the sources spell them.
#pragma once

#include "cohort_sync/model.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace cohort_sync {

// Normalises a code the way APOGÉE compares them: trimmed, upper-case ASCII.
std::string normalise_etape_code(std::string_view code);

// The same without a copy when `code` is already normalised, as nearly every code of an extract
// is: the result views `code`, or else `scratch`, which it overwrites.
std::string_view normalise_etape_code(std::string_view code, std::string& scratch);

struct EtapeValue {
    std::optional<EtapeRef> etape; // empty: the value is not to be used
    std::string rejected_because;  // why, when empty ("institution 0751234X")
};

// Parses one supannEtuEtape value: "{UAI:0141408E}DUCGE1", "DUCGE1" or "DUCGE1-101" (code and
// version). Values of another institution, or with an unknown {LABEL:...} prefix, are rejected.
// `institution_uai` empty: every UAI is accepted.
EtapeValue parse_etape_value(std::string_view raw, std::string_view institution_uai);

// True when `code` matches the glob `pattern` ('*' any run, '?' one character), compared
// as normalised codes.
bool etape_matches(std::string_view pattern, std::string_view code);

} // namespace cohort_sync
