// The generator's only source of randomness. The standard distributions are not used: their
// algorithms are implementation-defined, so the same seed could give another university with
// another standard library, and the benchmark's numbers would no longer compare.
#pragma once

#include <cstdint>

namespace cohort_sync::generator {

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for test data.
inline std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// An independent stream for each purpose (catalogue, students, each night), so that adding a
// draw to one of them does not shift every value of the others.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t state = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    splitmix64(state);
    return splitmix64(state);
}

class Rng {
public:
    explicit Rng(std::uint64_t seed)
        : m_state(seed) {}

    std::uint64_t next() { return splitmix64(m_state); }

    // Uniform in [0, n), without the modulo bias. n must be > 0.
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t threshold = (0 - n) % n;
        for (;;) {
            const std::uint64_t r = next();
            if (r >= threshold) {
                return r % n;
            }
        }
    }

    // Uniform in [0, 1).
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    bool chance(double probability) { return unit() < probability; }

private:
    std::uint64_t m_state;
};

} // namespace cohort_sync::generator
