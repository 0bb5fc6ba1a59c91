#include "cohort_sync/error.hpp"
#include "cohort_sync/io/secret.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <sys/stat.h>

namespace cohort_sync {
namespace {

namespace fs = std::filesystem;

// A private temporary folder, removed with what it holds.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "cohort-sync-secret-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        m_path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string write(const std::string& name, const std::string& contents, mode_t mode = 0600) const {
        const auto path = (m_path / name).string();
        std::ofstream(path, std::ios::binary) << contents;
        ::chmod(path.c_str(), mode);
        return path;
    }
    std::string path() const { return m_path.string(); }

private:
    fs::path m_path;
};

LdapConfig with_file(const std::string& path) {
    LdapConfig config;
    config.bind_dn = "cn=cohort-sync,ou=services,dc=univ-test,dc=fr";
    config.password_file = path;
    return config;
}

LdapConfig with_credential(const std::string& name) {
    LdapConfig config;
    config.bind_dn = "cn=cohort-sync,ou=services,dc=univ-test,dc=fr";
    config.password_credential = name;
    return config;
}

TEST(ReadLdapPassword, ReadsTheFile) {
    const TempDir dir;
    const auto secret = read_ldap_password(with_file(dir.write("pw", "s3cret")), nullptr);
    EXPECT_EQ(secret.value, "s3cret");
    EXPECT_TRUE(secret.warnings.empty());
}

TEST(ReadLdapPassword, StripsOneTrailingNewline) {
    const TempDir dir;
    EXPECT_EQ(read_ldap_password(with_file(dir.write("lf", "s3cret\n")), nullptr).value, "s3cret");
    EXPECT_EQ(read_ldap_password(with_file(dir.write("crlf", "s3cret\r\n")), nullptr).value, "s3cret");
    // Only one: the rest belongs to the password (and is worth a warning).
    const auto twice = read_ldap_password(with_file(dir.write("lflf", "s3cret\n\n")), nullptr);
    EXPECT_EQ(twice.value, "s3cret\n");
    ASSERT_EQ(twice.warnings.size(), 1U);
    EXPECT_NE(twice.warnings[0].message.find("more than one line"), std::string::npos);
    EXPECT_EQ(twice.warnings[0].message.find("s3cret"), std::string::npos);
}

TEST(ReadLdapPassword, KeepsInnerSpacesAndTrailingCarriageReturnWithoutNewline) {
    const TempDir dir;
    EXPECT_EQ(read_ldap_password(with_file(dir.write("pw", " a b \r")), nullptr).value, " a b \r");
}

TEST(ReadLdapPassword, AnonymousBindNeedsNoPassword) {
    LdapConfig config;
    config.password_file = "/nonexistent/never-read";
    const auto secret = read_ldap_password(config, nullptr);
    EXPECT_TRUE(secret.value.empty());
    EXPECT_TRUE(secret.warnings.empty());
}

TEST(ReadLdapPassword, ReadsTheSystemdCredential) {
    const TempDir dir;
    dir.write("ldap-password", "from-credential\n", 0400);
    const auto secret = read_ldap_password(with_credential("ldap-password"), dir.path().c_str());
    EXPECT_EQ(secret.value, "from-credential");
    EXPECT_TRUE(secret.warnings.empty());
}

TEST(ReadLdapPassword, CredentialWithoutCredentialsDirectoryIsAConfigErrorWithUnitHint) {
    for (const char* directory : {static_cast<const char*>(nullptr), ""}) {
        try {
            read_ldap_password(with_credential("ldap-password"), directory);
            FAIL() << "expected ConfigError";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("CREDENTIALS_DIRECTORY"), std::string::npos) << e.what();
            EXPECT_NE(e.hint().find("LoadCredential=ldap-password:/etc/cohort-sync/ldap.password"),
                      std::string::npos)
                << e.hint();
            EXPECT_NE(e.hint().find("ldap.password_file"), std::string::npos) << e.hint();
        }
    }
}

TEST(ReadLdapPassword, CredentialUnderSystemdFileByHand) {
    const TempDir dir;
    dir.write("ldap-password", "from-credential\n");
    auto config = with_credential("ldap-password");
    config.password_file = dir.write("ldap.password", "from-file\n");
    EXPECT_EQ(read_ldap_password(config, dir.path().c_str()).value, "from-credential");
    EXPECT_EQ(read_ldap_password(config, nullptr).value, "from-file");
}

TEST(ReadLdapPassword, MissingCredentialNamesItsPath) {
    const TempDir dir;
    try {
        read_ldap_password(with_credential("ldap-password"), dir.path().c_str());
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find(dir.path() + "/ldap-password"), std::string::npos) << e.what();
    }
}

TEST(ReadLdapPassword, RejectsCredentialNameWithSlash) {
    const TempDir dir;
    EXPECT_THROW(read_ldap_password(with_credential("../etc/shadow"), dir.path().c_str()), ConfigError);
}

TEST(ReadLdapPassword, MissingFileErrorNamesThePathAndTheCause) {
    const TempDir dir;
    const auto path = dir.path() + "/absent.password";
    try {
        read_ldap_password(with_file(path), nullptr);
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("'" + path + "'"), std::string::npos) << what;
        EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
        EXPECT_FALSE(e.hint().empty());
    }
}

TEST(ReadLdapPassword, ErrorsNeverQuoteTheContents) {
    const TempDir dir;
    const std::string contents = "TopSecretValue" + std::string(5000, 'x');
    try {
        read_ldap_password(with_file(dir.write("big", contents)), nullptr);
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).find("TopSecret"), std::string::npos) << e.what();
        EXPECT_EQ(e.hint().find("TopSecret"), std::string::npos) << e.hint();
        EXPECT_NE(std::string(e.what()).find(dir.path() + "/big"), std::string::npos) << e.what();
    }
}

TEST(ReadLdapPassword, DirectoryIsNotAPasswordFile) {
    const TempDir dir;
    EXPECT_THROW(read_ldap_password(with_file(dir.path()), nullptr), ConfigError);
}

TEST(ReadLdapPassword, EmptyFileIsAnError) {
    const TempDir dir;
    for (const std::string contents : {"", "\n", "\r\n"}) {
        const auto path = dir.write("empty", contents);
        try {
            read_ldap_password(with_file(path), nullptr);
            FAIL() << "expected ConfigError for '" << contents << "'";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("'" + path + "' is empty"), std::string::npos) << e.what();
        }
    }
}

TEST(ReadLdapPassword, BindDnWithoutAnyPasswordSettingIsAnError) {
    LdapConfig config;
    config.bind_dn = "cn=reader,dc=example,dc=org";
    EXPECT_THROW(read_ldap_password(config, nullptr), ConfigError);
}

TEST(ReadLdapPassword, WarnsWhenOthersCanReadTheFile) {
    const TempDir dir;
    const auto path = dir.write("pw", "s3cret\n", 0644);
    const auto secret = read_ldap_password(with_file(path), nullptr);
    EXPECT_EQ(secret.value, "s3cret");
    ASSERT_EQ(secret.warnings.size(), 1U);
    EXPECT_EQ(secret.warnings[0].severity, Severity::warning);
    EXPECT_EQ(secret.warnings[0].locator, path);
    EXPECT_EQ(secret.warnings[0].message, "password file '" + path +
                                              "' is readable by others (mode 0644); HINT: chmod 600 '" +
                                              path + "'");
}

TEST(ReadLdapPassword, WarnsForGroupBitsToo) {
    const TempDir dir;
    const auto readable = read_ldap_password(with_file(dir.write("r", "pw", 0640)), nullptr);
    ASSERT_EQ(readable.warnings.size(), 1U);
    EXPECT_NE(readable.warnings[0].message.find("readable by its group (mode 0640)"), std::string::npos)
        << readable.warnings[0].message;
    const auto writable = read_ldap_password(with_file(dir.write("w", "pw", 0620)), nullptr);
    ASSERT_EQ(writable.warnings.size(), 1U);
    EXPECT_NE(writable.warnings[0].message.find("writable by its group (mode 0620)"), std::string::npos)
        << writable.warnings[0].message;
}

TEST(ReadLdapPassword, OwnerOnlyModesDoNotWarn) {
    const TempDir dir;
    for (mode_t mode : {0600, 0400, 0700}) {
        EXPECT_TRUE(read_ldap_password(with_file(dir.write("pw", "pw", mode)), nullptr).warnings.empty())
            << mode;
    }
}

} // namespace
} // namespace cohort_sync
