#include "sources.hpp"

#include "cohort_sync/io/apogee_export.hpp"
#include "cohort_sync/io/ldap_directory.hpp"
#include "cohort_sync/source.hpp"
#include "credentials.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cohort_sync {
namespace {

struct AdapterFactory {
    std::string_view kind;
    std::unique_ptr<Source> (*make)(const Config& config, const AdapterOptions& options);
};

const std::array<AdapterFactory, 2> k_adapters = {{
    {"ldap",
     [](const Config& config, const AdapterOptions& options) -> std::unique_ptr<Source> {
         return std::make_unique<LdapDirectory>(config.ldap, ldap_password(config), options.progress);
     }},
    {"export",
     [](const Config& config, const AdapterOptions&) -> std::unique_ptr<Source> {
         return std::make_unique<ApogeeExportFile>(config.apogee);
     }},
}};

} // namespace

ConfiguredSources::ConfiguredSources(const Config& config, const AdapterOptions& options) {
    for (const auto* kind : needed_source_kinds(config)) {
        const auto factory = std::ranges::find(k_adapters, kind->name(), &AdapterFactory::kind);
        if (factory == k_adapters.end()) {
            throw std::logic_error("no adapter for source kind '" + std::string(kind->name()) + "'");
        }
        m_adapters.push_back(factory->make(config, options));
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
