#include "ehcp/common.h"

const char *ehcp_strerror(int code) {
  switch (code) {
  case EHCP_OK: return "ok";
  case EHCP_ERR_NOMEM: return "out of memory";
  case EHCP_ERR_INVALID: return "invalid argument";
  case EHCP_ERR_PARSE: return "parse error";
  case EHCP_ERR_RANGE: return "date or value out of range";
  case EHCP_ERR_IO: return "input/output error";
  case EHCP_ERR_NOT_FOUND: return "not found";
  case EHCP_ERR_LIMIT: return "safety limit exceeded";
  default: return "unknown error";
  }
}

const char *ehcp_version(void) { return EHCP_VERSION_STRING; }
