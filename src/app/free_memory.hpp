// Giving the memory a run no longer needs back to the system, between its two large allocations.
#pragma once

namespace cohort_sync {

// With tcmalloc (the program's allocator, CMakeLists.txt), the pages of the objects freed so far
// go back to the system. tcmalloc keeps freed memory for later allocations of the same size,
// which makes a night fast, but the first night's plan allocates other sizes than the sources
// it follows: kept, their memory would add a hundred megabytes to its peak. Does nothing with
// another allocator (the sanitizer build's, or -DCOHORT_SYNC_TCMALLOC=OFF).
void return_free_memory();

} // namespace cohort_sync
