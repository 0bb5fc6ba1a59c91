#include "cohort_sync/redact.hpp"

#include <gtest/gtest.h>

namespace cohort_sync {
namespace {

struct Case {
    const char* input;
    const char* expected;
};

TEST(Redact, HidesPasswordsInConninfo) {
    const Case cases[] = {
        {"host=db user=moodle password=s3cret dbname=moodle",
         "host=db user=moodle password=******** dbname=moodle"},
        {"password = 's3 cr\\'et' host=db", "password = '********' host=db"},
        {"password='x'host=db", "password='********'host=db"},
        {"PASSWORD=x sslpassword=y", "PASSWORD=******** sslpassword=********"},
        {"service=moodle", "service=moodle"},
        {"host=a,b port=5432,5433 target_session_attrs=read-write",
         "host=a,b port=5432,5433 target_session_attrs=read-write"},
        {"postgresql://moodle:s3cret@db.example:5432/moodle",
         "postgresql://moodle:********@db.example:5432/moodle"},
        {"postgresql://db/moodle?user=m&password=s3cret&sslmode=require",
         "postgresql://db/moodle?user=m&password=********&sslmode=require"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(redact_conninfo(c.input), c.expected) << c.input;
    }
}

// One reading serves the configuration check (is there a password? can libpq read it?) and the
// messages (the masked text), so the two can never disagree about where a value ends.
TEST(Redact, ScanFindsPasswordsAndMalformedConninfoAsLibpqReadsIt) {
    const auto plain = scan_conninfo("service=moodle application_name=cohort-sync");
    EXPECT_FALSE(plain.has_password);
    EXPECT_FALSE(plain.malformed);

    // An escaped space in an unquoted value belongs to the value: "user" is not a keyword here.
    const auto escaped = scan_conninfo("password=a\\ b user=x");
    EXPECT_TRUE(escaped.has_password);
    EXPECT_FALSE(escaped.malformed);
    EXPECT_EQ(escaped.redacted, "password=******** user=x");

    EXPECT_TRUE(scan_conninfo("host=db moodle").malformed);
    const auto unterminated = scan_conninfo("host=db password='s3cret");
    EXPECT_TRUE(unterminated.malformed);
    EXPECT_TRUE(unterminated.has_password);
    EXPECT_EQ(unterminated.redacted.find("s3cret"), std::string::npos);

    EXPECT_TRUE(scan_conninfo("postgresql://m:s3cret@db/moodle").has_password);
    EXPECT_TRUE(scan_conninfo("postgres://db/moodle?sslpassword=k").has_password);
    EXPECT_FALSE(scan_conninfo("postgresql://m@db/moodle?sslmode=require").has_password);
    // Masked text still holds a password (so the check refuses it too), and masks to itself.
    const auto masked = scan_conninfo("postgresql://m:********@db/moodle?PassWord=********");
    EXPECT_TRUE(masked.has_password);
    EXPECT_EQ(masked.redacted, "postgresql://m:********@db/moodle?PassWord=********");
}

TEST(Redact, HidesUserinfoPasswordsInUris) {
    EXPECT_EQ(redact_uri("ldaps://ldap1.univ.fr:636"), "ldaps://ldap1.univ.fr:636");
    EXPECT_EQ(redact_uri("ldap://admin:s3cret@ldap.univ.fr/"), "ldap://admin:********@ldap.univ.fr/");
    EXPECT_EQ(redact_uri("ldap://user@ldap.univ.fr/"), "ldap://user@ldap.univ.fr/");
    EXPECT_EQ(redact_uri("not a uri"), "not a uri");
}

} // namespace
} // namespace cohort_sync
