// Files that name students (the review page) are written readable by their owner only, whatever
// the umask of whoever runs cohort-sync: an admin's interactive shell usually has 022, which
// would leave a page of student names readable by every account on the host.
#pragma once

#include <string>
#include <string_view>

namespace cohort_sync {

// Writes `content` to `path` with mode 0600: into a new file created next to it (O_EXCL, so
// nothing already there is reused), which then replaces `path` in one rename, so that a reader
// never sees half a page and an existing file's wider mode is not inherited. Throws Error naming
// the path and the cause.
void write_private_file(const std::string& path, std::string_view content);

} // namespace cohort_sync
