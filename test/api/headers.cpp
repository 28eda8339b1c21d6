// The public headers compile as C++ (and, in headers.c, as C11) on their
// own: every declaration is inside extern "C", no C-only syntax leaks.
#include <ehcp.h>

int main() {
  ehcp_date d = 0;
  return ehcp_date_format(nullptr, d) == EHCP_ERR_INVALID ? 0 : 1;
}
