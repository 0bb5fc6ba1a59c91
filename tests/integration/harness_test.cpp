// The harness itself: the throwaway servers must behave like production in the ways cohort-sync
// relies on (Moodle's index names and constraints; slapd's size limit, paging and ACLs), or the
// other integration tests prove nothing.
#include "servers.hpp"

#include <cstdio>
#include <gtest/gtest.h>
#include <ldap.h>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace cst = cohort_sync::testing;

// ---------------------------------------------------------------------------------------------
// PostgreSQL

TEST(HarnessPostgres, CohortMembersHasMoodlesIndexes) {
    EXPECT_EQ(
        cst::servers().query_value("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND "
                                   "indexname = 'mdl_cohomemb_cohuse_uix'"),
        "CREATE UNIQUE INDEX mdl_cohomemb_cohuse_uix ON public.mdl_cohort_members USING btree (cohortid, "
        "userid)");
    const cst::Rows indexes = cst::servers().query(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'mdl_cohort_members' ORDER BY indexname");
    EXPECT_EQ(indexes, (cst::Rows{{"mdl_cohomemb_coh_ix"},
                                  {"mdl_cohomemb_cohuse_uix"},
                                  {"mdl_cohomemb_id_pk"},
                                  {"mdl_cohomemb_use_ix"}}));
}

TEST(HarnessPostgres, HasNoForeignKeysLikeMoodle) {
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM pg_constraint WHERE contype = 'f'"), "0");
}

TEST(HarnessPostgres, HasTheRowsOfAFreshInstall) {
    EXPECT_EQ(cst::servers().query("SELECT id, username, auth, mnethostid, confirmed, deleted FROM mdl_user "
                                   "ORDER BY id"),
              (cst::Rows{{"1", "guest", "manual", "1", "1", "0"}, {"2", "admin", "manual", "1", "1", "0"}}));
    EXPECT_EQ(cst::servers().query_value("SELECT value FROM mdl_config WHERE name = 'mnet_localhost_id'"),
              "1");
    EXPECT_EQ(cst::servers().query_value("SELECT value FROM mdl_config_plugins WHERE plugin = 'enrol_cohort' "
                                         "AND name = 'roleid'"),
              "5");
    EXPECT_EQ(cst::servers().query_value("SELECT id FROM mdl_role WHERE shortname = 'student'"), "5");
    EXPECT_EQ(cst::servers().query_value("SELECT path FROM mdl_context WHERE contextlevel = 10"), "/1");
}

TEST(HarnessPostgres, RejectsADuplicateCohortMember) {
    cst::servers().reset_moodle();
    cst::servers().psql("INSERT INTO mdl_cohort (contextid, name, idnumber, descriptionformat, timecreated, "
                        "timemodified) VALUES (1, 'L1 Informatique', 'L1INFO', 1, 1, 1);"
                        "INSERT INTO mdl_cohort_members (cohortid, userid, timeadded) VALUES (1, 2, 1)");
    try {
        cst::servers().psql("INSERT INTO mdl_cohort_members (cohortid, userid, timeadded) VALUES (1, 2, 2)");
        ADD_FAILURE() << "a second (cohortid, userid) row was accepted";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("mdl_cohomemb_cohuse_uix"), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort_members"), "1");
}

TEST(HarnessPostgres, ResetMoodleRestoresTheFreshInstall) {
    cst::servers().reset_moodle();
    const std::string fresh_users = cst::servers().table_checksum("mdl_user");
    const std::string fresh_cohorts = cst::servers().table_checksum("mdl_cohort");
    cst::servers().psql(
        "INSERT INTO mdl_user (auth, confirmed, mnethostid, username) VALUES ('ldap', 1, 1, "
        "'etu0001');"
        "INSERT INTO mdl_cohort (contextid, name, descriptionformat, timecreated, timemodified) "
        "VALUES (1, 'M1', 1, 1, 1)");
    EXPECT_NE(cst::servers().table_checksum("mdl_user"), fresh_users);
    EXPECT_NE(cst::servers().table_checksum("mdl_cohort"), fresh_cohorts);

    cst::servers().reset_moodle();
    EXPECT_EQ(cst::servers().table_checksum("mdl_user"), fresh_users);
    EXPECT_EQ(cst::servers().table_checksum("mdl_cohort"), fresh_cohorts);
    // Sequences come back too: the first user created gets id 3, as on a fresh Moodle.
    EXPECT_EQ(cst::servers().query_value(
                  "INSERT INTO mdl_user (username, mnethostid) VALUES ('x', 1) RETURNING id"),
              "3");
}

TEST(HarnessPostgres, RestartsOnTheSamePortWithItsData) {
    cst::servers().reset_moodle();
    cst::servers().psql(
        "INSERT INTO mdl_cohort (contextid, name, descriptionformat, timecreated, timemodified) "
        "VALUES (1, 'kept', 1, 1, 1)");
    cst::servers().stop_postgres();
    EXPECT_THROW(cst::servers().psql("SELECT 1"), std::runtime_error);
    cst::servers().start_postgres();
    EXPECT_EQ(cst::servers().query_value("SELECT name FROM mdl_cohort"), "kept");
}

// ---------------------------------------------------------------------------------------------
// slapd

struct LdapDeleter {
    void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
using Ldap = std::unique_ptr<LDAP, LdapDeleter>;

struct SearchOutcome {
    int result_code = LDAP_OTHER;
    int entries = 0;
    int pages = 0;
};

std::string read_password(const std::string& path) {
    std::string password;
    if (FILE* file = std::fopen(path.c_str(), "rb")) {
        char buffer[256];
        const std::size_t got = std::fread(buffer, 1, sizeof buffer, file);
        password.assign(buffer, got);
        std::fclose(file);
    }
    return password;
}

// Binds (dn empty: anonymously); returns the bind's result code and the handle.
std::pair<int, Ldap> bind_as(const std::string& dn, const std::string& password) {
    LDAP* raw = nullptr;
    if (ldap_initialize(&raw, cst::servers().ldap_uri().c_str()) != LDAP_SUCCESS) {
        return {LDAP_OTHER, nullptr};
    }
    Ldap ld(raw);
    const int version = LDAP_VERSION3;
    ldap_set_option(raw, LDAP_OPT_PROTOCOL_VERSION, &version);
    berval credentials{};
    credentials.bv_len = password.size();
    credentials.bv_val = const_cast<char*>(password.data());
    const int rc =
        ldap_sasl_bind_s(raw, dn.c_str(), LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr, nullptr);
    return {rc, std::move(ld)};
}

Ldap bind_as_reader() {
    auto [rc, ld] =
        bind_as(cst::servers().ldap_reader_dn(), read_password(cst::servers().ldap_reader_password_file()));
    EXPECT_EQ(rc, LDAP_SUCCESS) << ldap_err2string(rc);
    return std::move(ld);
}

// Searches the students below ldap_base(); page_size 0 searches without the paged results
// control, as a client that ignores size limits would.
SearchOutcome search_students(LDAP* ld, int page_size) {
    SearchOutcome outcome;
    char uid[] = "uid";
    char* attributes[] = {uid, nullptr};
    berval cookie{};
    do {
        LDAPControl* page_control = nullptr;
        if (page_size > 0 &&
            ldap_create_page_control(ld, page_size, &cookie, 1, &page_control) != LDAP_SUCCESS) {
            return outcome;
        }
        LDAPControl* controls[] = {page_control, nullptr};
        LDAPMessage* result = nullptr;
        ldap_search_ext_s(ld, cst::servers().ldap_base().c_str(), LDAP_SCOPE_SUBTREE,
                          "(eduPersonAffiliation=student)", attributes, 0, page_size > 0 ? controls : nullptr,
                          nullptr, nullptr, LDAP_NO_LIMIT, &result);
        ldap_control_free(page_control);
        ber_memfree(cookie.bv_val);
        cookie = berval{};
        if (result == nullptr) {
            ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &outcome.result_code);
            return outcome;
        }
        ++outcome.pages;
        outcome.entries += ldap_count_entries(ld, result);
        LDAPControl** returned_controls = nullptr;
        ldap_parse_result(ld, result, &outcome.result_code, nullptr, nullptr, nullptr, &returned_controls, 1);
        if (LDAPControl* response =
                ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, returned_controls, nullptr)) {
            ber_int_t estimate = 0;
            ldap_parse_pageresponse_control(ld, response, &estimate, &cookie);
        }
        ldap_controls_free(returned_controls);
    } while (outcome.result_code == LDAP_SUCCESS && cookie.bv_len > 0);
    ber_memfree(cookie.bv_val);
    return outcome;
}

std::string students_ldif(int count) {
    std::string ldif;
    for (int i = 1; i <= count; ++i) {
        const std::string number = std::to_string(21000000 + i);
        ldif += cst::make_student_ldif("etu" + number, number, {"{UAI:0751717J}L1INFO-101"});
    }
    return ldif;
}

class HarnessLdap : public ::testing::Test {
protected:
    void SetUp() override {
        cst::servers().reset_ldap_people();
        cst::servers().ldap_add_ldif(students_ldif(150));
    }
};

TEST_F(HarnessLdap, UnpagedSearchAsReaderHitsTheSizeLimit) {
    ASSERT_EQ(cst::servers().ldap_size_limit(), 100);
    const Ldap reader = bind_as_reader();
    ASSERT_TRUE(reader);
    const SearchOutcome outcome = search_students(reader.get(), 0);
    EXPECT_EQ(outcome.result_code, LDAP_SIZELIMIT_EXCEEDED) << ldap_err2string(outcome.result_code);
    EXPECT_EQ(outcome.entries, 100);
}

TEST_F(HarnessLdap, PagedSearchAsReaderReadsEveryStudent) {
    const Ldap reader = bind_as_reader();
    ASSERT_TRUE(reader);
    const SearchOutcome outcome = search_students(reader.get(), 40);
    EXPECT_EQ(outcome.result_code, LDAP_SUCCESS) << ldap_err2string(outcome.result_code);
    EXPECT_EQ(outcome.entries, 150);
    EXPECT_EQ(outcome.pages, 4);
}

TEST_F(HarnessLdap, AdminIsNotLimited) {
    EXPECT_EQ(cst::servers().ldap_list(cst::servers().ldap_base()).size(), 150U);
}

TEST_F(HarnessLdap, AnonymousReadsNothing) {
    auto [rc, anonymous] = bind_as("", "");
    ASSERT_EQ(rc, LDAP_SUCCESS) << ldap_err2string(rc);
    const SearchOutcome outcome = search_students(anonymous.get(), 0);
    EXPECT_EQ(outcome.entries, 0);
    // slapd hides the existence of what one may not read.
    EXPECT_EQ(outcome.result_code, LDAP_NO_SUCH_OBJECT) << ldap_err2string(outcome.result_code);
}

TEST_F(HarnessLdap, ReaderCannotWrite) {
    const Ldap reader = bind_as_reader();
    ASSERT_TRUE(reader);
    const std::string dn = "uid=etu21000001," + cst::servers().ldap_base();
    EXPECT_EQ(ldap_delete_ext_s(reader.get(), dn.c_str(), nullptr, nullptr), LDAP_INSUFFICIENT_ACCESS);
}

TEST_F(HarnessLdap, WrongPasswordIsRefused) {
    EXPECT_EQ(bind_as(cst::servers().ldap_reader_dn(), "not-the-password").first, LDAP_INVALID_CREDENTIALS);
}

TEST_F(HarnessLdap, ResetLdapPeopleRemovesEveryStudent) {
    cst::servers().reset_ldap_people();
    EXPECT_TRUE(cst::servers().ldap_list(cst::servers().ldap_base()).empty());
    const Ldap reader = bind_as_reader();
    ASSERT_TRUE(reader);
    const SearchOutcome outcome = search_students(reader.get(), 0);
    EXPECT_EQ(outcome.result_code, LDAP_SUCCESS) << "ou=people itself must survive the reset";
    EXPECT_EQ(outcome.entries, 0);
}

TEST_F(HarnessLdap, StudentLdifKeepsSupannValuesAndAccents) {
    cst::StudentEntry student;
    student.uid = "elodie.lefevre";
    student.etu_id = "22001234";
    student.etapes = {"{UAI:0751717J}L1INFO-101", "{UAI:0751717J}L1MATH-101"};
    student.given_name = "Élodie";
    student.surname = "Lefèvre";
    cst::servers().ldap_add_ldif(cst::make_student_ldif(student));

    const Ldap reader = bind_as_reader();
    ASSERT_TRUE(reader);
    char etape[] = "supannEtuEtape";
    char given_name[] = "givenName";
    char* attributes[] = {etape, given_name, nullptr};
    LDAPMessage* raw = nullptr;
    const int rc = ldap_search_ext_s(reader.get(), cst::servers().ldap_base().c_str(), LDAP_SCOPE_SUBTREE,
                                     "(supannEtuId=22001234)", attributes, 0, nullptr, nullptr, nullptr,
                                     LDAP_NO_LIMIT, &raw);
    const std::unique_ptr<LDAPMessage, int (*)(LDAPMessage*)> result(raw, ldap_msgfree);
    ASSERT_EQ(rc, LDAP_SUCCESS) << ldap_err2string(rc);
    ASSERT_EQ(ldap_count_entries(reader.get(), result.get()), 1);
    LDAPMessage* entry = ldap_first_entry(reader.get(), result.get());
    const auto values_of = [&](const char* attribute) {
        std::vector<std::string> values;
        berval** found = ldap_get_values_len(reader.get(), entry, attribute);
        for (int i = 0; found != nullptr && found[i] != nullptr; ++i) {
            values.emplace_back(found[i]->bv_val, found[i]->bv_len);
        }
        ldap_value_free_len(found);
        return values;
    };
    EXPECT_EQ(values_of("supannEtuEtape"), student.etapes);
    EXPECT_EQ(values_of("givenName"), std::vector<std::string>{"Élodie"});
}

TEST_F(HarnessLdap, SlapdRestartsOnTheSamePortWithItsData) {
    cst::servers().stop_slapd();
    EXPECT_EQ(
        bind_as(cst::servers().ldap_reader_dn(), read_password(cst::servers().ldap_reader_password_file()))
            .first,
        LDAP_SERVER_DOWN);
    cst::servers().start_slapd();
    const Ldap reader = bind_as_reader();
    ASSERT_TRUE(reader);
    EXPECT_EQ(search_students(reader.get(), 50).entries, 150);
}

} // namespace

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/true);
}
