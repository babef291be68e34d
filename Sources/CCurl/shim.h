#ifndef PARTNER_RISK_CCURL_SHIM_H
#define PARTNER_RISK_CCURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt / curl_easy_getinfo / curl_multi_setopt are variadic, which Swift cannot
   call. These non-variadic wrappers cover each argument kind PartnerRisk uses. */

typedef size_t (*pr_curl_io_callback)(char *buffer, size_t size, size_t nitems, void *userdata);

static inline CURLcode pr_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode pr_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode pr_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode pr_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode pr_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode pr_curl_setopt_callback(CURL *handle, CURLoption option, pr_curl_io_callback value) {
    return curl_easy_setopt(handle, option, value);
}
typedef int (*pr_curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *userptr);

static inline CURLcode pr_curl_setopt_debug(CURL *handle, pr_curl_debug_callback value) {
    return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, value);
}
static inline CURLcode pr_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode pr_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLMcode pr_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}
static inline curl_version_info_data *pr_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif
