/* Each public header compiles on its own as strict C11 (-pedantic), in any
 * order: see test/api/meson.build. */
#include <ehcp.h>

int main(void) {
  return ehcp_strerror(EHCP_OK)[0] == 'o' ? 0 : 1;
}
