#include "cohort_sync/text_pool.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace cohort_sync {
namespace {

constexpr std::uint64_t k_golden = 0x9E3779B97F4A7C15ULL;

std::uint64_t load8(const char* data) {
    std::uint64_t word = 0;
    std::memcpy(&word, data, sizeof word);
    return word;
}

std::uint64_t load4(const char* data) {
    std::uint32_t word = 0;
    std::memcpy(&word, data, sizeof word);
    return word;
}

std::uint64_t mix(std::uint64_t hash, std::uint64_t word) {
    hash = (hash ^ word) * k_golden;
    return hash ^ (hash >> 29);
}

// Eight bytes at a time, each word multiplied in: student numbers and codes are 6 to 10 bytes, so
// one or two multiplications each, where a byte-at-a-time hash takes ten. The last bytes are read
// as a word overlapping the previous one (the length, mixed in first, tells texts apart), not
// copied byte by byte.
std::uint64_t hash_of(std::string_view text) {
    const char* data = text.data();
    const std::size_t size = text.size();
    std::uint64_t hash = (size + 1) * k_golden;
    if (size >= 8) {
        std::size_t i = 0;
        for (; i + 8 < size; i += 8) {
            hash = mix(hash, load8(data + i));
        }
        hash = mix(hash, load8(data + size - 8));
    } else if (size >= 4) {
        hash = mix(hash, load4(data) | load4(data + size - 4) << 32);
    } else if (size > 0) {
        const auto byte = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(data[i])}; };
        hash = mix(hash, byte(0) | byte(size / 2) << 8 | byte(size - 1) << 16);
    }
    return hash * k_golden;
}

// Labels are 10 to 60 bytes: a block holds a thousand of them, and a pool of a hundred thousand
// student numbers takes a few dozen blocks.
constexpr std::size_t k_block_bytes = 64 * 1024;
constexpr std::size_t k_first_slots = 1024;

} // namespace

std::string_view TextPool::intern(std::string_view text) {
    if (2 * (m_size + 1) > m_slots.size()) {
        grow();
    }
    const std::uint64_t hash = hash_of(text);
    const std::size_t mask = m_slots.size() - 1;
    // The hash's high bits are its best mixed; the probe walks on from there.
    for (std::size_t i = static_cast<std::size_t>(hash >> 32) & mask;; i = (i + 1) & mask) {
        Slot& slot = m_slots[i];
        if (slot.data == nullptr) {
            slot = Slot{copy(text), text.size(), hash};
            ++m_size;
            return {slot.data, slot.size};
        }
        if (slot.hash == hash && slot.size == text.size() &&
            std::memcmp(slot.data, text.data(), text.size()) == 0) {
            return {slot.data, slot.size};
        }
    }
}

// Never null, even for the empty text: a null `data` marks a free slot.
const char* TextPool::copy(std::string_view text) {
    if (text.size() > k_block_bytes / 4) {
        // A long text gets a block of its own, so that the current block's free end is not lost.
        auto& block = m_blocks.emplace_back(std::make_unique_for_overwrite<char[]>(text.size()));
        std::memcpy(block.get(), text.data(), text.size());
        return block.get();
    }
    if (m_free == nullptr || text.size() > m_free_bytes) {
        m_free = m_blocks.emplace_back(std::make_unique_for_overwrite<char[]>(k_block_bytes)).get();
        m_free_bytes = k_block_bytes;
    }
    char* kept = m_free;
    std::memcpy(kept, text.data(), text.size());
    m_free += text.size();
    m_free_bytes -= text.size();
    return kept;
}

void TextPool::grow() {
    std::vector<Slot> old =
        std::exchange(m_slots, std::vector<Slot>(std::max(k_first_slots, 2 * m_slots.size())));
    const std::size_t mask = m_slots.size() - 1;
    for (const Slot& slot : old) {
        if (slot.data == nullptr) {
            continue;
        }
        std::size_t i = static_cast<std::size_t>(slot.hash >> 32) & mask;
        while (m_slots[i].data != nullptr) {
            i = (i + 1) & mask;
        }
        m_slots[i] = slot;
    }
}

} // namespace cohort_sync
