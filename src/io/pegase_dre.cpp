#include "cohort_sync/io/pegase_dre.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/redact.hpp"
#include "file_descriptor.hpp"
#include "pg_connection.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace cohort_sync {
namespace {

// A query file is a few kilobytes; anything bigger is the wrong file.
constexpr std::size_t k_max_query_size = 1 << 20;

// The inscriptions as PC-Scol's public code joins them (docs/configuration.md, "pegase"): the
// path an inscription is on (id_odf_chemin) is an offer context, whose last object carries the
// étape-level code and label and belongs to a period (espace, "PER-2026"). The period's code
// names the academic year by its first calendar year, as COD_ANU does.
constexpr std::string_view k_default_query =
    R"(SELECT CAST(substring(espace.code FROM '[0-9]{4}') AS integer) AS year,
       apprenant.code_apprenant AS student_number,
       objet.code AS formation_code,
       objet.libelle_court AS label,
       inscription.statut_inscription AS status
  FROM schema_ins.inscription AS inscription
  JOIN schema_ins.apprenant AS apprenant ON apprenant.id = inscription.id_apprenant
  JOIN schema_odf.contexte AS contexte ON contexte.id = inscription.id_odf_chemin
  JOIN schema_odf.objet_maquette AS objet ON objet.id = contexte.id_objet_maquette
  JOIN schema_odf.espace AS espace ON espace.id = objet.id_espace
 ORDER BY student_number, year, formation_code, status)";

// public.version's shape has not changed across the DRE versions public code shows; its
// columns are cast to text so that their types do not matter.
constexpr const char* k_version_query =
    R"(SELECT concat_ws('.', majeure, mineure, patch) AS version, "timestamp"::text AS dump_date FROM public.version)";

// Integer types a `year` column may have (pg_type OIDs of int2, int4, int8).
constexpr Oid k_integer_types[] = {21, 23, 20};

std::string query_name(const PegaseConfig& config) {
    return config.query_file.empty() ? std::string("the default DRE query") : "'" + config.query_file + "'";
}

std::string read_query_file(const std::string& path) {
    const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) {
        const int error = errno;
        throw ConfigError(
            fmt::format("unable to open pegase.query_file '{}': {}", path,
                        std::error_code(error, std::generic_category()).message()),
            "set pegase.query_file to a file readable by the user cohort-sync runs as, or leave "
            "it empty for the default query");
    }
    std::string text;
    char buffer[65536];
    for (;;) {
        const auto got = ::read(fd.get(), buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            const int error = errno;
            throw ConfigError(fmt::format("unable to read pegase.query_file '{}': {}", path,
                                          std::error_code(error, std::generic_category()).message()));
        }
        if (got == 0) {
            break;
        }
        text.append(buffer, static_cast<std::size_t>(got));
        if (text.size() > k_max_query_size) {
            throw ConfigError(fmt::format("pegase.query_file '{}' is larger than a query can be ({} bytes)",
                                          path, k_max_query_size));
        }
    }
    // The query is wrapped ("SELECT * FROM (query) LIMIT 0" for check): a final ';' must go.
    while (!text.empty() && (std::isspace(static_cast<unsigned char>(text.back())) || text.back() == ';')) {
        text.pop_back();
    }
    if (text.empty()) {
        throw ConfigError(
            fmt::format("pegase.query_file '{}' holds no query", path),
            "write one SELECT returning year, student_number, formation_code, label and status");
    }
    return text;
}

std::string trimmed(std::string_view text) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    return std::string(text);
}

// One read-only snapshot of the DRE, with the cancellation SIGTERM triggers published while it
// lasts. Rolled back (a read-only transaction has nothing to commit) when the connection closes.
class DreSession {
public:
    explicit DreSession(const PegaseConfig& config)
        : m_config(config)
        , m_server(redact_conninfo(config.conninfo)) {
        try {
            m_connection = pgio::connect(pgio::ConnectionSettings{
                config.conninfo, "pegase.conninfo", "the Pégase DRE", config.statement_timeout_seconds, 0});
        } catch (const TargetError& error) {
            throw SourceError(error.what(), error.hint());
        }
        m_cancel.reset(PQgetCancel(m_connection.get()));
        m_published = m_cancel && pgio::publish_cancel(m_cancel.get());
        try {
            exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "open a read-only transaction on");
        } catch (...) {
            // The destructor does not run for a constructor that throws.
            if (m_published) {
                pgio::unpublish_cancel(m_cancel.get());
            }
            throw;
        }
    }
    DreSession(const DreSession&) = delete;
    DreSession& operator=(const DreSession&) = delete;
    ~DreSession() {
        if (m_published) {
            pgio::unpublish_cancel(m_cancel.get());
        }
    }

    const std::string& server() const { return m_server; }

    // The statement's result, or nullopt-like empty Result when a schema or table it reads is
    // missing (then `missing` holds the server's words); throws SourceError otherwise.
    pg::Result query(const std::string& sql, const char* attempt, std::string* missing) {
        pg::Result result(PQexec(m_connection.get(), sql.c_str()));
        if (result.status() == PGRES_TUPLES_OK) {
            return result;
        }
        const std::string sqlstate = result.field(PG_DIAG_SQLSTATE);
        if (missing && (sqlstate == "42P01" || sqlstate == "3F000")) {
            *missing = result.field(PG_DIAG_MESSAGE_PRIMARY);
            return pg::Result();
        }
        fail(result, sqlstate, attempt);
    }

    pg::Result exec(const char* sql, const char* attempt) {
        pg::Result result(PQexec(m_connection.get(), sql));
        if (result.status() != PGRES_COMMAND_OK) {
            fail(result, result.field(PG_DIAG_SQLSTATE), attempt);
        }
        return result;
    }

private:
    [[noreturn]] void fail(const pg::Result& result, const std::string& sqlstate, const char* attempt) {
        if (sqlstate == "57014" && pgio::cancel_requested()) {
            pgio::throw_interrupted(fmt::format("{} the Pégase DRE", attempt));
        }
        std::string cause = result.field(PG_DIAG_MESSAGE_PRIMARY);
        if (cause.empty()) {
            cause = pgio::connection_message(m_connection.get());
        }
        const std::string code = sqlstate.empty() ? "" : fmt::format(" [SQLSTATE {}]", sqlstate);
        std::string hint;
        if (sqlstate == "42501") {
            hint = "grant the DRE role the read-only privileges listed in docs/configuration.md (pegase), "
                   "then check them with 'cohort-sync check'";
        } else if (sqlstate == "57014") {
            hint = fmt::format("the query ran past pegase.statement_timeout_seconds ({}s): raise it, or look "
                               "at the query's plan (EXPLAIN) on the DRE",
                               m_config.statement_timeout_seconds);
        } else if (sqlstate.empty() || sqlstate.starts_with("08") || sqlstate.starts_with("57P")) {
            hint = "the connection to the DRE was lost (perhaps its nightly rebuild dropped the database): "
                   "nothing was read, nothing was changed; the next run reads it again";
        } else if (sqlstate.starts_with("42")) {
            hint = fmt::format("the query {} does not fit this DRE: correct pegase.query_file",
                               query_name(m_config));
        }
        throw SourceError(
            fmt::format("unable to {} the Pégase DRE '{}': {}{}", attempt, m_server, cause, code), hint);
    }

    const PegaseConfig& m_config;
    std::string m_server;
    pg::ConnectionPtr m_connection;
    pg::CancelPtr m_cancel;
    bool m_published = false;
};

// The position of each required column; a missing or mistyped one is the admin's query's fault.
struct Columns {
    int year = -1;
    int student_number = -1;
    int formation_code = -1;
    int label = -1;
    int status = -1;
};

Columns columns_of(const pg::Result& result, const PegaseConfig& config) {
    Columns columns;
    int* slots[] = {&columns.year, &columns.student_number, &columns.formation_code, &columns.label,
                    &columns.status};
    std::size_t i = 0;
    for (const auto name : k_pegase_columns) {
        const int index = PQfnumber(result.get(), std::string(name).c_str());
        if (index < 0) {
            throw ConfigError(
                fmt::format("the Pégase query {} returns no column '{}'", query_name(config), name),
                "the query must name its columns year, student_number, formation_code, label and status "
                "(SELECT ... AS student_number); docs/configuration.md shows the default query");
        }
        *slots[i++] = index;
    }
    const Oid year_type = PQftype(result.get(), columns.year);
    if (std::ranges::find(k_integer_types, year_type) == std::end(k_integer_types)) {
        throw ConfigError(
            fmt::format("the Pégase query {} returns column 'year' as a {} (type oid {}), not an integer",
                        query_name(config), year_type == 25 || year_type == 1043 ? "string" : "non-integer",
                        year_type),
            "cast it: CAST(... AS integer) AS year, the first calendar year of the academic year (2026 for "
            "2026-2027)");
    }
    return columns;
}

DatabaseFacts version_of(DreSession& session, Issues& issues) {
    DatabaseFacts facts{session.server(), {}, {}};
    std::string missing;
    const auto result = session.query(k_version_query, "read public.version of", &missing);
    if (!missing.empty()) {
        issues.push_back({Severity::error, "public.version", missing, IssueKind::missing});
    } else if (result.rows() > 0) {
        facts.version = std::string(result.text(0, 0));
        facts.dump_date = std::string(result.text(0, 1));
    }
    return facts;
}

} // namespace

std::string_view default_dre_query() {
    return k_default_query;
}

PegaseDre::PegaseDre(const PegaseConfig& config)
    : m_config(config) {}

SourceRead PegaseDre::read() {
    const std::string query =
        m_config.query_file.empty() ? std::string(k_default_query) : read_query_file(m_config.query_file);
    DreSession session(m_config);
    ExportRead dre;
    dre.path = "pegase";
    auto facts = version_of(session, dre.issues);
    std::string missing;
    const auto result = session.query(query, "read the inscriptions of", &missing);
    if (!missing.empty()) {
        dre.issues.push_back({Severity::error, "pegase", missing, IssueKind::missing});
        return {"pegase", std::move(dre), std::nullopt, std::move(facts), {}};
    }
    const auto columns = columns_of(result, m_config);
    const int rows = result.rows();
    dre.data_lines = rows;
    dre.rows.reserve(static_cast<std::size_t>(rows));
    // Only a row with a defect is named ("pegase:ROW"): no string is formatted for each of the few
    // hundred thousand good rows.
    const auto locator = [](int row) { return fmt::format("pegase:{}", row + 1); };
    for (int row = 0; row < rows; ++row) {
        // libpq gives a NULL as an empty text.
        Inscription inscription;
        inscription.student_number = trimmed(result.text(row, columns.student_number));
        inscription.etape = trimmed(result.text(row, columns.formation_code));
        inscription.status = trimmed(result.text(row, columns.status));
        inscription.label = std::string(result.text(row, columns.label));
        inscription.line = row + 1;
        const bool year_null = result.is_null(row, columns.year);
        bool year_ok = !year_null;
        if (!year_null) {
            inscription.year = result.number<int>(row, columns.year, year_ok);
        }
        std::string defect;
        if (!year_ok) {
            defect = year_null ? "column 'year' is NULL" : "column 'year' is out of range";
        } else if (inscription.student_number.empty()) {
            defect = "column 'student_number' is NULL or blank";
        } else if (inscription.etape.empty()) {
            defect = "column 'formation_code' is NULL or blank";
        }
        if (!defect.empty()) {
            // The core decides what the row still holds back: what it names is kept for that.
            dre.issues.push_back(
                {Severity::warning, locator(row), std::move(defect), IssueKind::bad_row,
                 DamagedRecord{inscription.student_number, {}, inscription.etape, inscription.line}});
            continue;
        }
        dre.rows.push_back(std::move(inscription));
    }
    return {"pegase", std::move(dre), std::nullopt, std::move(facts), {}};
}

PegaseCheck PegaseDre::check() {
    const std::string query =
        m_config.query_file.empty() ? std::string(k_default_query) : read_query_file(m_config.query_file);
    DreSession session(m_config);
    PegaseCheck check;
    check.server = session.server();
    check.query = query_name(m_config);
    Issues issues;
    const auto facts = version_of(session, issues);
    if (!issues.empty()) {
        throw SourceError(fmt::format("the Pégase DRE '{}' has no public.version: {}", check.server,
                                      issues.front().message),
                          "is pegase.conninfo the DRE? Is it being rebuilt right now?");
    }
    check.version = facts.version;
    check.dump_date = facts.dump_date;
    check.role = std::string(session.query("SELECT current_user", "read the role of", nullptr).text(0, 0));
    // LIMIT 0 still checks every privilege the query needs (at executor start) and gives the
    // columns' names and types, without reading a row.
    std::string missing;
    const auto result =
        session.query("SELECT * FROM (" + query + ") AS inscriptions LIMIT 0", "run the query on", &missing);
    if (!missing.empty()) {
        throw SourceError(fmt::format("the Pégase query {} reads what the DRE '{}' does not have: {}",
                                      check.query, check.server, missing),
                          "correct pegase.query_file for this DRE version, or wait for the rebuild to end");
    }
    columns_of(result, m_config);
    return check;
}

} // namespace cohort_sync
