#include "free_memory.hpp"

// Weak: resolved when the program is linked with tcmalloc, null otherwise (the tests link this
// library without it).
extern "C" void MallocExtension_ReleaseFreeMemory() __attribute__((weak));

namespace cohort_sync {

void return_free_memory() {
    if (MallocExtension_ReleaseFreeMemory != nullptr) {
        MallocExtension_ReleaseFreeMemory();
    }
}

} // namespace cohort_sync
