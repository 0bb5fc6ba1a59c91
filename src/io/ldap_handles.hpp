// RAII owners for libldap's handles, and the small helpers around its C API (error text,
// timeouts) that connecting and searching share. Private to src/io.
#pragma once

#include <ldap.h>
#include <memory>
#include <string>
#include <sys/time.h>

namespace cohort_sync::ldapio {

struct LdapDeleter {
    void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
struct MessageDeleter {
    void operator()(LDAPMessage* message) const { ldap_msgfree(message); }
};
struct BerDeleter {
    void operator()(BerElement* ber) const { ber_free(ber, 0); }
};
struct ControlDeleter {
    void operator()(LDAPControl* control) const { ldap_control_free(control); }
};
struct ControlsDeleter {
    void operator()(LDAPControl** controls) const { ldap_controls_free(controls); }
};
struct BervalDeleter {
    void operator()(struct berval* value) const { ber_bvfree(value); }
};
// The array of an attribute's values from ldap_get_attribute_ber(), ended by a null bv_val:
// the values point into the message's buffer, only the array is ours to free.
struct BerArrayDeleter {
    void operator()(struct berval* values) const { ber_memfree(values); }
};
struct MemDeleter {
    void operator()(char* text) const { ldap_memfree(text); }
};
struct MemArrayDeleter {
    void operator()(char** texts) const { ldap_memvfree(reinterpret_cast<void**>(texts)); }
};

using LdapPtr = std::unique_ptr<LDAP, LdapDeleter>;
using MessagePtr = std::unique_ptr<LDAPMessage, MessageDeleter>;
using BerPtr = std::unique_ptr<BerElement, BerDeleter>;
using ControlPtr = std::unique_ptr<LDAPControl, ControlDeleter>;
using ControlsPtr = std::unique_ptr<LDAPControl*, ControlsDeleter>;
using BervalPtr = std::unique_ptr<struct berval, BervalDeleter>;
using BerArrayPtr = std::unique_ptr<struct berval, BerArrayDeleter>;
using MemPtr = std::unique_ptr<char, MemDeleter>;
using MemArrayPtr = std::unique_ptr<char*, MemArrayDeleter>;

inline std::string to_string(const MemPtr& text) {
    return text ? std::string(text.get()) : std::string();
}

std::string diagnostic_message(LDAP* ld);

// "Size limit exceeded (LDAP result 4)": libldap's text for the code, the code when the
// server sent it (administrators search for it), then the diagnostic when there is one.
std::string describe(int code, const std::string& diagnostic);

struct Timeval {
    struct timeval value {};
    explicit Timeval(int seconds) { value.tv_sec = seconds; }
};

} // namespace cohort_sync::ldapio
