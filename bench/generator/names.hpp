// Given names and family names as they appear in a French university's directory: accents,
// compound names, particles, apostrophes, and names from elsewhere, so that every encoding
// path (LDIF base64, ASCII folding of logins, COPY escaping) is exercised.
#pragma once

#include <span>
#include <string_view>

namespace cohort_sync::generator {

std::span<const std::string_view> given_names();
std::span<const std::string_view> family_names();

} // namespace cohort_sync::generator
