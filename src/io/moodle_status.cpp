#include "cohort_sync/io/moodle_status.hpp"

#include "cohort_sync/error.hpp"
#include "pg_connection.hpp"

namespace cohort_sync {

using namespace pgio;

std::vector<RunHistoryEntry> read_run_history(const MoodleConfig& config, int limit) {
    const sql::Statements statements(config);
    const auto connection = connect(config);
    const auto& statement = statements[sql::Id::recent_runs];
    std::vector<RunHistoryEntry> runs;
    try {
        const auto result = execute(connection.get(), statement, {std::to_string(limit)}, PGRES_TUPLES_OK,
                                    "read the run history", config);
        for (int row = 0; row < result.rows(); ++row) {
            runs.push_back({std::string(result.text(row, 0)),
                            number_at<long long>(result, row, 1, statement, "runs.started_at"),
                            number_at<long long>(result, row, 2, statement, "runs.finished_at"),
                            std::string(result.text(row, 3)), std::string(result.text(row, 4))});
        }
    } catch (const TargetError& error) {
        // 42P01/3F000: the state schema does not exist yet, so no run was ever recorded.
        if (error.sqlstate() != "42P01" && error.sqlstate() != "3F000") {
            throw;
        }
    }
    return runs;
}

Propagation read_propagation(const MoodleConfig& config) {
    const sql::Statements statements(config);
    const auto connection = connect(config);
    const auto& settings_statement = statements[sql::Id::impact_settings];
    const auto settings = execute(connection.get(), settings_statement, {}, PGRES_TUPLES_OK,
                                  "read enrol_cohort's settings", config);
    const int action = settings.is_null(0, 0) ? 0
                                              : number_at<int>(settings, 0, 0, settings_statement,
                                                               "config_plugins.value of unenrolaction");
    const auto& statement = statements[sql::Id::propagation];
    const auto result = execute(connection.get(), statement, {config.component, std::to_string(action)},
                                PGRES_TUPLES_OK, "compare cohort members with course enrolments", config);
    return {number_at<int>(result, 0, 0, statement, "count"),
            number_at<int>(result, 0, 1, statement, "count"),
            number_at<int>(result, 0, 2, statement, "count")};
}

} // namespace cohort_sync
