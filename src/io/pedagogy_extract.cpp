#include "cohort_sync/io/pedagogy_extract.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/pedagogy_parser.hpp"
#include "extract_file.hpp"

#include <fmt/format.h>
#include <string>

namespace cohort_sync {

PedagogyExtractFile::PedagogyExtractFile(const PedagogyConfig& config, Extract extract)
    : m_config(config)
    , m_extract(extract) {}

SourceRead PedagogyExtractFile::read() {
    const bool contracts = m_extract == Extract::contracts;
    const std::string& path = contracts ? m_config.contracts_path : m_config.groups_path;
    const char* source = contracts ? "contracts" : "groups";
    const ExtractNames names{contracts ? "the pedagogical contracts" : "the group assignments",
                             contracts ? "pedagogy.contracts_path" : "pedagogy.groups_path",
                             "pedagogy.max_size_mb"};
    if (path.empty()) {
        throw SourceError(fmt::format("unable to read {}: {} is empty", names.what, names.path_setting),
                          fmt::format("set {}, or turn the cohorts that need it off", names.path_setting));
    }
    auto file = read_extract_file(path, m_config.max_size_mb, names);
    if (file.refusal) {
        PedagogyRead read;
        read.path = path;
        read.issues.push_back(std::move(*file.refusal));
        return SourceRead{source, std::move(read), file.facts};
    }
    return {source,
            contracts ? parse_contracts(file.bytes(), m_config, path)
                      : parse_group_assignments(file.bytes(), m_config, path),
            file.facts};
}

} // namespace cohort_sync
