// What a run writes beside Moodle, with a mode chosen here rather than left to the umask of
// whoever runs cohort-sync. Files that name students (run reports, plan files, the review page)
// are private: an admin's interactive shell usually has umask 022, which would leave a page of
// student names readable by every account on the host. The metrics file is the opposite: the
// unit's UMask=0077 would make it unreadable by node_exporter, so it is explicitly public.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

namespace cohort_sync {

struct FileAccess {
    mode_t mode = 0600;
    std::string group; // empty: the writer's own group; else the group given read access
};

// Owner only (0600), or owner and `group` (0640, that group's) when `group` is set
// (report.group).
FileAccess private_access(const std::string& group = {});

// Readable by everybody (0644): the Prometheus textfile, which names nobody.
FileAccess public_access();

// Writes `content` to `path` with exactly `access`: into a new file created next to it (O_EXCL,
// so nothing already there is reused), flushed to disk, which then replaces `path` in one rename,
// so that a reader never sees half a file and an existing file's wider mode is not inherited.
// Throws Error naming the path and the cause, with `hint`.
void write_file_atomically(const std::string& path, std::string_view content, const FileAccess& access,
                           std::string_view hint);

// write_file_atomically() with private_access(group).
void write_private_file(const std::string& path, std::string_view content, const std::string& group = {},
                        std::string_view hint = "give --output a file in a directory you can write to");

// Creates `directory` (and its parents) when it does not exist, itself with private_access(group)'s
// mode plus search rights (0700 or 0750); an existing directory is left as it is. Throws Error.
void make_private_directory(const std::string& directory, const std::string& group = {});

} // namespace cohort_sync
