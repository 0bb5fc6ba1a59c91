// What a source is, and the one place where a new one plugs in.
//
// A source has two halves. Its adapter (src/io, behind the Source port) only reads: it hands
// the core a SourceRead, the records it found with their typed defects and the facts about the
// read (a file's size and time, the pages of a search). Its SourceKind (src/core/sources) holds
// every decision about it: which membership rules need it, whether tonight's read is accepted,
// what it counts for the shrink guards and the report. The run logic, the merge and the report
// go through these two and never name a particular source.
//
// Adding a source = an adapter, a SourceKind, and one line in source_kinds() and in the
// program's table of adapters (src/app/sources.cpp).
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"
#include "cohort_sync/run_clock.hpp"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cohort_sync {

// What a source tells about students, which decides the part it plays in the membership rule:
// a directory says who the students are (and may name their étapes); an inscription source
// lists administrative inscriptions, one row per (student, étape, year).
// A pedagogy source (APOGÉE's contracts and group assignments) feeds cohort kinds other than the
// étape's, never the membership rule.
enum class SourceFamily { directory, inscriptions, pedagogy };

// Facts about a file a source read, as the adapter found them (the descriptor's fstat).
struct FileFacts {
    long long size = 0;
    long long modified_at = 0; // Unix seconds
};

// Facts about a database a source read (the Pégase DRE), as the adapter found them.
struct DatabaseFacts {
    std::string server;    // where, for people: the redacted conninfo
    std::string version;   // the database's own version ("32.0.1" from the DRE's public.version)
    std::string dump_date; // the day its data was taken, "YYYYMMDD" as the DRE writes it; empty: unknown
};

// Everything an adapter hands over: never a decision.
struct SourceRead {
    std::string source; // the SourceKind's name: "ldap", "export"
    std::variant<DirectoryRead, ExportRead, PedagogyRead> records;
    std::optional<FileFacts> file;              // for sources read from a file
    std::optional<DatabaseFacts> database = {}; // for sources read from a database
    // Set by the kind's accept: rows it read that do not count, by why ("other year",
    // "status ANNULEE"), for the report.
    std::map<std::string, int> not_counted = {};
};

// How often a source that looks caught in the middle of its own rebuild (the DRE, rebuilt every
// night) is read again before the run gives up.
struct RetryPolicy {
    int tries = 1;
    int interval_seconds = 0;
};

class SourceKind {
public:
    virtual ~SourceKind() = default;

    virtual std::string_view name() const = 0; // "ldap": logs, the report's phases and sources
    virtual SourceFamily family() const = 0;
    // What the guards call it ("directory" in directory_shrink) and what it counts ("entries").
    virtual std::string_view guard_name() const = 0;
    virtual std::string_view record_noun() const = 0;
    // What its count is called in the run's summary line: "directory entries".
    virtual std::string_view summary_noun() const = 0;
    // The key of its count in the report's `counts` and in the runs table: "directory_entries".
    virtual std::string_view count_key() const = 0;
    // The smallest acceptable count (guards.min_...), and that setting's name for the hint.
    virtual int min_records(const GuardConfig& guards) const = 0;
    virtual std::string_view min_setting() const = 0;

    // Whether this configuration reads the source at all.
    virtual bool needed(const Config& config) const = 0;
    // Where it reads, for people: the directory's base DN, the export's path. Never a secret.
    virtual std::string origin(const Config& config) const = 0;

    // Tonight's read, accepted or refused. Takes the read and returns what the merge may use,
    // its defects in the read's issues; throws SourceError (with a hint) when the source must
    // not be used at all (truncated, stale, too many bad rows...), so that nothing is written.
    virtual SourceRead accept(SourceRead read, const Config& config, const RunClock& clock) const = 0;

    // For an inscriptions source: the statuses that make one of its inscriptions count, for the
    // one test that the merge and `explain` share (inscription_state). Empty for a directory.
    virtual const std::vector<std::string>& active_statuses(const Config& config) const;

    // How a member's reason from this source names its record for people (the review page):
    // "export, line 14", "contracts, line 9", "Pégase, row 3".
    virtual std::string_view display_name() const { return name(); }
    virtual bool numbers_rows() const { return false; } // a query's rows, not a file's lines

    // Whether a refused read (SourceError from `accept`, or from the adapter) is tried again.
    virtual RetryPolicy retry(const Config&) const { return {}; }

    // Its part in `cohort-sync explain`: what an accepted read, narrowed to one student, says
    // about them, one line each, judged as a sync on `clock` would judge it.
    virtual std::vector<std::string> explain(const SourceRead& read, const Config& config,
                                             const RunClock& clock) const = 0;
};

// Whether a membership rule takes the records of `family` into account: the one statement of
// which sources a rule needs (SourceKind::needed) and of what the merge uses.
bool rule_reads(MembershipRule rule, SourceFamily family);

// Every source cohort-sync knows, in the order they are read and reported.
std::span<const SourceKind* const> source_kinds();

// The kind registered under `name`; throws std::out_of_range for an unknown name (a bug).
const SourceKind& source_kind(std::string_view name);

// Whether a kind's count is in every run's counts (0 when it was not read): every family's but
// the pedagogy's, which are there only when read, so that a site without element cohorts counts,
// stores and reports what it always did.
bool always_counted(const SourceKind& kind);

// The kinds this configuration reads.
std::vector<const SourceKind*> needed_source_kinds(const Config& config);

// The records of a read, by family: null when the read is of the other family.
const DirectoryRead* directory_records(const SourceRead& read);
const ExportRead* inscription_records(const SourceRead& read);
const PedagogyRead* pedagogy_records(const SourceRead& read);

// The issues of a read, whatever its family.
const Issues& issues_of(const SourceRead& read);

} // namespace cohort_sync
