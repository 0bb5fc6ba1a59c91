// The review page's style sheet and script, written inline into every page: the page must open
// from a mail attachment or a USB stick, with no network and nothing beside it. Private to
// src/core.
#pragma once

#include <string_view>

namespace cohort_sync::review {

extern const std::string_view k_review_style;
extern const std::string_view k_review_script;

} // namespace cohort_sync::review
