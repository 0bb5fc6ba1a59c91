#include "sources.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/io/apogee_export.hpp"
#include "cohort_sync/io/ldap_directory.hpp"
#include "cohort_sync/io/pedagogy_extract.hpp"
#include "cohort_sync/io/pegase_dre.hpp"
#include "cohort_sync/source.hpp"
#include "credentials.hpp"
#include "signals.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace cohort_sync {
namespace {

struct AdapterFactory {
    std::string_view kind;
    std::unique_ptr<Source> (*make)(const Config& config, const AdapterOptions& options);
};

const std::array<AdapterFactory, 5> k_adapters = {{
    {"ldap",
     [](const Config& config, const AdapterOptions& options) -> std::unique_ptr<Source> {
         return std::make_unique<LdapDirectory>(config.ldap, ldap_password(config), options.progress);
     }},
    {"export",
     [](const Config& config, const AdapterOptions&) -> std::unique_ptr<Source> {
         return std::make_unique<ApogeeExportFile>(config.apogee);
     }},
    {"pegase",
     [](const Config& config, const AdapterOptions&) -> std::unique_ptr<Source> {
         return std::make_unique<PegaseDre>(config.pegase);
     }},
    {"contracts",
     [](const Config& config, const AdapterOptions&) -> std::unique_ptr<Source> {
         return std::make_unique<PedagogyExtractFile>(config.pedagogy,
                                                      PedagogyExtractFile::Extract::contracts);
     }},
    {"groups",
     [](const Config& config, const AdapterOptions&) -> std::unique_ptr<Source> {
         return std::make_unique<PedagogyExtractFile>(config.pedagogy, PedagogyExtractFile::Extract::groups);
     }},
}};

// A source read again, after a wait, while its kind refuses it (the DRE caught in its nightly
// rebuild: missing, empty, half loaded, yesterday's) or it cannot be reached, up to its kind's
// RetryPolicy. The last refusal is the run's.
class RetryingSource final : public Source {
public:
    RetryingSource(std::unique_ptr<Source> inner, const SourceKind& kind, const Config& config,
                   const RunClock& clock)
        : m_inner(std::move(inner))
        , m_kind(kind)
        , m_config(config)
        , m_clock(clock)
        , m_policy(kind.retry(config)) {}

    SourceRead read() override {
        for (int attempt = 1;; ++attempt) {
            try {
                auto read = m_inner->read();
                m_kind.accept(read, m_config, m_clock); // on a copy: the run judges the read again
                return read;
            } catch (const SourceError& error) {
                if (attempt >= m_policy.tries) {
                    throw;
                }
                spdlog::warn("source {}: {}; reading it again in {}s (read {} of {})", m_kind.name(),
                             error.what(), m_policy.interval_seconds, attempt, m_policy.tries);
                wait(m_policy.interval_seconds);
            }
        }
    }

private:
    static void wait(int seconds) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        while (std::chrono::steady_clock::now() < until) {
            throw_if_interrupted();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        throw_if_interrupted();
    }

    std::unique_ptr<Source> m_inner;
    const SourceKind& m_kind;
    const Config& m_config;
    const RunClock& m_clock;
    RetryPolicy m_policy;
};

} // namespace

std::unique_ptr<Source> make_source_adapter(const SourceKind& kind, const Config& config,
                                            const AdapterOptions& options) {
    const auto factory = std::ranges::find(k_adapters, kind.name(), &AdapterFactory::kind);
    if (factory == k_adapters.end()) {
        throw std::logic_error("no adapter for source kind '" + std::string(kind.name()) + "'");
    }
    return factory->make(config, options);
}

ConfiguredSources::ConfiguredSources(const Config& config, const AdapterOptions& options) {
    for (const auto* kind : needed_source_kinds(config)) {
        auto adapter = make_source_adapter(*kind, config, options);
        if (options.clock && kind->retry(config).tries > 1) {
            adapter = std::make_unique<RetryingSource>(std::move(adapter), *kind, config, *options.clock);
        }
        m_adapters.push_back(std::move(adapter));
    }
}

std::vector<Source*> ConfiguredSources::ports() const {
    std::vector<Source*> ports;
    for (const auto& adapter : m_adapters) {
        ports.push_back(adapter.get());
    }
    return ports;
}

} // namespace cohort_sync
