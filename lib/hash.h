/* uthash, configured for a library. uthash exits the process when it runs
 * out of memory unless told not to, and a library must never exit: here a
 * failed HASH_ADD leaves the element out and sets `hash_oom`, which every
 * caller declares (int hash_oom = 0;) before the add and checks after it.
 * Include this instead of <uthash.h>. Private to lib/. */
#ifndef EHCP_LIB_HASH_H
#define EHCP_LIB_HASH_H

#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(obj) (hash_oom = 1)
#include <uthash.h>

#endif
