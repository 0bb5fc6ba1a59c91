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
        {"password = 's3 cr\\'et' host=db", "password = ******** host=db"},
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

TEST(Redact, HidesUserinfoPasswordsInUris) {
    EXPECT_EQ(redact_uri("ldaps://ldap1.univ.fr:636"), "ldaps://ldap1.univ.fr:636");
    EXPECT_EQ(redact_uri("ldap://admin:s3cret@ldap.univ.fr/"), "ldap://admin:********@ldap.univ.fr/");
    EXPECT_EQ(redact_uri("ldap://user@ldap.univ.fr/"), "ldap://user@ldap.univ.fr/");
    EXPECT_EQ(redact_uri("not a uri"), "not a uri");
}

} // namespace
} // namespace cohort_sync
