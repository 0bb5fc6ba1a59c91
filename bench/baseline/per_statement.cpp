// per-statement-baseline: applies a list of cohort membership changes the way per-member tools do
// (Moodle's cohort_add_member() and cohort_remove_member(), most LDAP-to-Moodle scripts): one SQL
// statement, and so one round trip to the server, per membership. bench/run measures it against
// cohort-sync on the same changes and the same database state.
//
// It is generous to the baseline on purpose: all statements run in one transaction (real tools
// usually autocommit each one) and are prepared once (Moodle's driver parses each one anew), and
// nothing else is sent (cohort_add_member() also checks for the row first, reads the cohort and
// logs an event). What is left is the one thing the comparison is about: a round trip per row.
//
// Input files hold one "cohortid<TAB>userid" line per membership, as psql's \copy ... TO writes
// them. Links libpq only, like a small script would.
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <libpq-fe.h>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int k_exit_ok = 0;
constexpr int k_exit_failed = 1;
constexpr int k_exit_usage = 2;

const char* const k_usage =
    "usage: per-statement-baseline --conninfo CONNINFO [--adds FILE] [--removes FILE]\n"
    "                              [--table NAME] [--timeadded UNIX_TIME] [--unprepared]\n"
    "       per-statement-baseline --conninfo CONNINFO --ping N\n"
    "Applies each line \"cohortid<TAB>userid\" of --adds with one INSERT ... ON CONFLICT DO NOTHING\n"
    "and each line of --removes with one DELETE, one round trip per row, in one transaction.\n"
    "--unprepared sends each statement with its text (PQexecParams), as Moodle's driver does;\n"
    "the default prepares both statements once.\n"
    "--ping N sends N empty prepared statements and prints the mean round trip in microseconds.\n";

// A failure with the hint that follows it on its own line.
class Failure : public std::runtime_error {
public:
    Failure(const std::string& message, std::string hint)
        : std::runtime_error(message)
        , m_hint(std::move(hint)) {}
    const std::string& hint() const { return m_hint; }

private:
    std::string m_hint;
};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Options {
    std::string conninfo;
    std::string adds_path;
    std::string removes_path;
    std::string table = "mdl_cohort_members";
    std::string timeadded = "0";
    bool prepared = true;
    long long pings = 0;
};

struct Membership {
    std::int64_t cohort_id = 0;
    std::int64_t user_id = 0;
};

bool parse_id(std::string_view text, std::int64_t& out) {
    if (text.empty() || text.size() > 18) {
        return false;
    }
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
        value = value * 10 + (c - '0');
    }
    out = value;
    return true;
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                throw UsageError("option '" + std::string(arg) + "' needs a value");
            }
            return argv[++i];
        };
        if (arg == "--conninfo") {
            options.conninfo = value();
        } else if (arg == "--adds") {
            options.adds_path = value();
        } else if (arg == "--removes") {
            options.removes_path = value();
        } else if (arg == "--table") {
            options.table = value();
        } else if (arg == "--timeadded") {
            options.timeadded = value();
        } else if (arg == "--unprepared") {
            options.prepared = false;
        } else if (arg == "--ping") {
            const std::string count = value();
            std::int64_t parsed = 0;
            if (!parse_id(count, parsed) || parsed == 0) {
                throw UsageError("--ping '" + count + "' is not a positive number");
            }
            options.pings = parsed;
        } else if (arg == "--help" || arg == "-h") {
            std::fputs(k_usage, stdout);
            std::exit(k_exit_ok);
        } else {
            throw UsageError("unknown option '" + std::string(arg) + "'");
        }
    }
    if (options.conninfo.empty()) {
        throw UsageError("--conninfo is required");
    }
    if (options.pings == 0 && options.adds_path.empty() && options.removes_path.empty()) {
        throw UsageError("give --adds, --removes or both: there is nothing to apply");
    }
    return options;
}

std::vector<Membership> read_memberships(const std::string& path) {
    std::vector<Membership> rows;
    if (path.empty()) {
        return rows;
    }
    std::ifstream in(path);
    if (!in) {
        throw Failure("unable to open '" + path + "': " + std::strerror(errno),
                      "bench/run writes these lists with psql \\copy ... TO; check the path");
    }
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty()) {
            continue;
        }
        const auto tab = line.find('\t');
        Membership row;
        if (tab == std::string::npos || !parse_id(std::string_view(line).substr(0, tab), row.cohort_id) ||
            !parse_id(std::string_view(line).substr(tab + 1), row.user_id)) {
            throw Failure("unable to read '" + path + "' line " + std::to_string(number) + ": '" + line +
                              "' is not \"cohortid<TAB>userid\"",
                          "the lists hold two bare integers per line, separated by one tab");
        }
        rows.push_back(row);
    }
    if (in.bad()) {
        throw Failure("unable to read '" + path + "': " + std::strerror(errno), "check the file");
    }
    return rows;
}

struct ConnectionCloser {
    void operator()(PGconn* connection) const { PQfinish(connection); }
};
struct ResultClearer {
    void operator()(PGresult* result) const { PQclear(result); }
};
using Connection = std::unique_ptr<PGconn, ConnectionCloser>;
using Result = std::unique_ptr<PGresult, ResultClearer>;

std::string message_of(PGconn* connection) {
    std::string message = PQerrorMessage(connection);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    return message;
}

Result expect(PGconn* connection, PGresult* raw, ExecStatusType wanted, const std::string& what) {
    Result result(raw);
    if (!result || PQresultStatus(result.get()) != wanted) {
        throw Failure("unable to " + what + ": " + message_of(connection),
                      "check that the database holds Moodle's tables and that this account may write them");
    }
    return result;
}

std::string quote_identifier(std::string_view name) {
    std::string quoted = "\"";
    for (const char c : name) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    return quoted + '"';
}

struct Totals {
    long long statements = 0;
    long long affected = 0;
};

// One statement per row, each waiting for its answer before the next is sent.
class PerRowWriter {
public:
    PerRowWriter(PGconn* connection, const Options& options)
        : m_connection(connection)
        , m_prepared(options.prepared) {
        const std::string table = quote_identifier(options.table);
        m_insert = "INSERT INTO " + table +
                   " (cohortid, userid, timeadded) VALUES ($1::bigint, $2::bigint, " +
                   "$3::bigint) ON CONFLICT (cohortid, userid) DO NOTHING";
        m_delete = "DELETE FROM " + table + " WHERE cohortid = $1::bigint AND userid = $2::bigint";
        if (m_prepared) {
            expect(connection, PQprepare(connection, "add_member", m_insert.c_str(), 3, nullptr),
                   PGRES_COMMAND_OK, "prepare the INSERT");
            expect(connection, PQprepare(connection, "remove_member", m_delete.c_str(), 2, nullptr),
                   PGRES_COMMAND_OK, "prepare the DELETE");
        }
        m_timeadded = options.timeadded;
    }

    void add(const Membership& row, Totals& totals) {
        const std::string cohort = std::to_string(row.cohort_id);
        const std::string user = std::to_string(row.user_id);
        const char* values[] = {cohort.c_str(), user.c_str(), m_timeadded.c_str()};
        run(m_prepared
                ? PQexecPrepared(m_connection, "add_member", 3, values, nullptr, nullptr, 0)
                : PQexecParams(m_connection, m_insert.c_str(), 3, nullptr, values, nullptr, nullptr, 0),
            "add user " + user + " to cohort " + cohort, totals);
    }

    void remove(const Membership& row, Totals& totals) {
        const std::string cohort = std::to_string(row.cohort_id);
        const std::string user = std::to_string(row.user_id);
        const char* values[] = {cohort.c_str(), user.c_str()};
        run(m_prepared
                ? PQexecPrepared(m_connection, "remove_member", 2, values, nullptr, nullptr, 0)
                : PQexecParams(m_connection, m_delete.c_str(), 2, nullptr, values, nullptr, nullptr, 0),
            "remove user " + user + " from cohort " + cohort, totals);
    }

private:
    void run(PGresult* raw, const std::string& what, Totals& totals) {
        const auto result = expect(m_connection, raw, PGRES_COMMAND_OK, what);
        ++totals.statements;
        totals.affected += std::strtoll(PQcmdTuples(result.get()), nullptr, 10);
    }

    PGconn* m_connection;
    bool m_prepared;
    std::string m_insert;
    std::string m_delete;
    std::string m_timeadded;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Connection connect(const Options& options) {
    Connection connection(PQconnectdb(options.conninfo.c_str()));
    if (!connection || PQstatus(connection.get()) != CONNECTION_OK) {
        throw Failure("unable to connect to PostgreSQL: " + message_of(connection.get()),
                      "check --conninfo (bench/run passes the throwaway server's)");
    }
    return connection;
}

// The cost of a round trip alone, to tell it from the cost of the statements.
int ping(const Options& options) {
    const Connection connection = connect(options);
    PGconn* const pg = connection.get();
    expect(pg, PQprepare(pg, "ping", "SELECT 1", 0, nullptr), PGRES_COMMAND_OK, "prepare SELECT 1");
    const auto start = std::chrono::steady_clock::now();
    for (long long i = 0; i < options.pings; ++i) {
        expect(pg, PQexecPrepared(pg, "ping", 0, nullptr, nullptr, nullptr, 0), PGRES_TUPLES_OK,
               "run SELECT 1");
    }
    std::printf("%.1f\n", seconds_since(start) * 1e6 / static_cast<double>(options.pings));
    return k_exit_ok;
}

int run(const Options& options) {
    if (options.pings > 0) {
        return ping(options);
    }
    const auto adds = read_memberships(options.adds_path);
    const auto removes = read_memberships(options.removes_path);

    const auto start = std::chrono::steady_clock::now();
    const Connection connection = connect(options);
    PGconn* const pg = connection.get();
    expect(pg, PQexec(pg, "BEGIN"), PGRES_COMMAND_OK, "open a transaction");
    PerRowWriter writer(pg, options);

    Totals added;
    for (const auto& row : adds) {
        writer.add(row, added);
    }
    const double add_seconds = seconds_since(start);
    Totals removed;
    for (const auto& row : removes) {
        writer.remove(row, removed);
    }
    const auto commit = expect(pg, PQexec(pg, "COMMIT"), PGRES_COMMAND_OK, "commit");
    if (std::string_view(PQcmdStatus(commit.get())) != "COMMIT") {
        throw Failure("unable to commit: PostgreSQL rolled the transaction back",
                      "an earlier statement failed; see the server's log");
    }
    const double total = seconds_since(start);
    std::printf(
        "per-statement-baseline: %lld INSERT (%lld rows added), %lld DELETE (%lld rows removed), %s, in "
        "%.2fs (adds %.2fs, %.0f statements/s)\n",
        added.statements, added.affected, removed.statements, removed.affected,
        options.prepared ? "prepared" : "unprepared", total, add_seconds,
        total > 0 ? static_cast<double>(added.statements + removed.statements) / total : 0.0);
    return k_exit_ok;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_options(argc, argv));
    } catch (const UsageError& e) {
        std::fprintf(stderr, "per-statement-baseline: error: %s\n%s", e.what(), k_usage);
        return k_exit_usage;
    } catch (const Failure& e) {
        std::fprintf(stderr, "per-statement-baseline: error: %s\nHINT: %s\n", e.what(), e.hint().c_str());
        return k_exit_failed;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "per-statement-baseline: error: %s\n", e.what());
        return k_exit_failed;
    }
}
