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
        const int c_run_id = result.column("run_id");
        const int c_started = result.column("started_at");
        const int c_finished = result.column("finished_at");
        const int c_outcome = result.column("outcome");
        const int c_report = result.column("report");
        for (int row = 0; row < result.rows(); ++row) {
            runs.push_back({std::string(result.text(row, c_run_id)),
                            number_at<long long>(result, row, c_started, statement, "runs.started_at"),
                            number_at<long long>(result, row, c_finished, statement, "runs.finished_at"),
                            std::string(result.text(row, c_outcome)),
                            std::string(result.text(row, c_report))});
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
    const int s_action = settings.column("unenrolaction");
    const int action = settings.is_null(0, s_action)
                           ? 0
                           : number_at<int>(settings, 0, s_action, settings_statement,
                                            "config_plugins.value of unenrolaction");
    const auto& statement = statements[sql::Id::propagation];
    const auto result = execute(connection.get(), statement, {config.component, std::to_string(action)},
                                PGRES_TUPLES_OK, "compare cohort members with course enrolments", config);
    return {number_at<int>(result, 0, result.column("to_enrol"), statement, "count"),
            number_at<int>(result, 0, result.column("to_unenrol"), statement, "count"),
            number_at<int>(result, 0, result.column("instances"), statement, "count"),
            number_at<int>(result, 0, result.column("group_instances"), statement, "count")};
}

} // namespace cohort_sync
