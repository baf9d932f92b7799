#include <git2.h>

/* git_libgit2_opts is variadic, which Swift cannot call; these fixed-signature wrappers can be. */
static inline int gitopsd_git_set_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}
