#ifndef GITOPSD_CPROCESSSPAWN_H
#define GITOPSD_CPROCESSSPAWN_H

#include <sys/types.h>

/// What `gitopsd_spawn` does in the child between fork and exec, in this order: reset signal dispositions,
/// `setsid`, write its pid to each `cgroup_procs_fds` (joining those cgroups while still privileged), drop to
/// `uid`/`gid` (with no supplementary groups but `gid`), `chdir`, standard descriptors, close every other
/// descriptor, unblock signals, `execve`.
///
/// posix_spawn can do neither the cgroup join nor the identity change, and Swift code must not run between
/// fork and exec in a multi-threaded process, hence this one C function: everything the child calls is
/// async-signal-safe.
typedef struct gitopsd_spawn_options {
    const char *executable;
    char *const *argv;
    char *const *envp;
    /// NULL: keep the parent's working directory.
    const char *working_directory;
    /// The child's stdout and stderr; -1 for /dev/null. stdin is always /dev/null.
    int output_fd;
    /// Open `cgroup.procs` files (write-only) the child writes its own pid into.
    const int *cgroup_procs_fds;
    int cgroup_procs_fd_count;
    /// Nonzero: become `uid`/`gid` before `chdir` and exec.
    int change_identity;
    uid_t uid;
    gid_t gid;
} gitopsd_spawn_options;

/// Which step of the child failed (reported with its errno).
enum {
    GITOPSD_SPAWN_STEP_PIPE = 1,
    GITOPSD_SPAWN_STEP_FORK = 2,
    GITOPSD_SPAWN_STEP_SETSID = 3,
    GITOPSD_SPAWN_STEP_CGROUP = 4,
    GITOPSD_SPAWN_STEP_SETGROUPS = 5,
    GITOPSD_SPAWN_STEP_SETGID = 6,
    GITOPSD_SPAWN_STEP_SETUID = 7,
    GITOPSD_SPAWN_STEP_CHDIR = 8,
    GITOPSD_SPAWN_STEP_DESCRIPTORS = 9,
    GITOPSD_SPAWN_STEP_EXEC = 10,
};

/// Starts a child as described by `options`.
///
/// Returns 0 and sets `*pid` once the child has exec'd, or returns an errno and sets `*failed_step` (the child,
/// if one was forked, has then exited and been reaped).
int gitopsd_spawn(const gitopsd_spawn_options *options, pid_t *pid, int *failed_step);

#endif
