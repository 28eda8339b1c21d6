/**
 * @file ehcp/common.h
 * @brief Export macro, error codes and version of the ehcp library.
 *
 * Every fallible function returns an `int`: 0 (::EHCP_OK) on success or one
 * of the negative ::ehcp_error codes below. Codes are part of the ABI and are
 * never renumbered; new codes are only ever appended. Objects that can fail
 * in more detail (calendar builders, readers) also keep a human-readable
 * message, fetched with their own `*_errmsg()` function.
 */
#ifndef EHCP_COMMON_H
#define EHCP_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(EHCP_BUILDING_LIBRARY) && defined(__GNUC__)
#define EHCP_EXPORT __attribute__((visibility("default")))
#else
/** Marks a symbol as part of the public ABI. */
#define EHCP_EXPORT
#endif

/** Library version as "MAJOR.MINOR.PATCH". */
#define EHCP_VERSION_STRING "0.1.0"

/** Error codes returned by ehcp functions. Never renumbered. */
enum ehcp_error {
  EHCP_OK = 0,             /**< success */
  EHCP_ERR_NOMEM = -1,     /**< an allocation failed */
  EHCP_ERR_INVALID = -2,   /**< an argument is invalid (NULL, unknown name, bad option) */
  EHCP_ERR_PARSE = -3,     /**< input text could not be parsed */
  EHCP_ERR_RANGE = -4,     /**< a date or count lies outside the supported range */
  EHCP_ERR_IO = -5,        /**< a file could not be opened or read */
  EHCP_ERR_NOT_FOUND = -6, /**< the requested item does not exist */
  EHCP_ERR_LIMIT = -7      /**< a safety limit was hit (e.g. recurrence expansion) */
};

/**
 * Short English description of an error code.
 * @return a static string, never NULL (unknown codes give "unknown error").
 */
EHCP_EXPORT const char *ehcp_strerror(int code);

/** @return the run-time library version, e.g. "0.1.0" (static string). */
EHCP_EXPORT const char *ehcp_version(void);

#ifdef __cplusplus
}
#endif

#endif
