#define _GNU_SOURCE
#include "CProcessSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/// Reports a failed step to the parent through the status pipe and ends the child.
static void child_fail(int status_fd, int step) {
    int message[2] = {step, errno};
    ssize_t ignored = write(status_fd, message, sizeof message);
    (void)ignored;
    _exit(127);
}

/// Writes `pid` in decimal without stdio (which is not async-signal-safe).
static int format_pid(char *buffer, pid_t pid) {
    char reversed[24];
    int count = 0;
    do {
        reversed[count++] = (char)('0' + pid % 10);
        pid /= 10;
    } while (pid > 0 && count < (int)sizeof reversed);
    for (int index = 0; index < count; index++) buffer[index] = reversed[count - 1 - index];
    return count;
}

/// Closes every descriptor from `first` on except `keep`.
static void close_from(int first, int keep) {
    if (keep > first && syscall(SYS_close_range, first, keep - 1, 0) != 0) {
        for (int fd = first; fd < keep; fd++) close(fd);
    }
    if (syscall(SYS_close_range, keep + 1, ~0U, 0) != 0) {
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = keep + 1; fd < (max > 0 ? max : 1024); fd++) close((int)fd);
    }
}

static void child(const gitopsd_spawn_options *options, int status_fd) {
    struct sigaction defaults = {0};
    defaults.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &defaults, NULL);  // glibc-reserved ones fail; fine
    }
    if (setsid() < 0) child_fail(status_fd, GITOPSD_SPAWN_STEP_SETSID);
    char digits[24];
    int length = format_pid(digits, getpid());
    for (int index = 0; index < options->cgroup_procs_fd_count; index++) {
        if (write(options->cgroup_procs_fds[index], digits, (size_t)length) != length) {
            child_fail(status_fd, GITOPSD_SPAWN_STEP_CGROUP);
        }
    }
    if (options->change_identity) {
        gid_t group = options->gid;
        if (setgroups(1, &group) != 0) child_fail(status_fd, GITOPSD_SPAWN_STEP_SETGROUPS);
        if (setgid(options->gid) != 0) child_fail(status_fd, GITOPSD_SPAWN_STEP_SETGID);
        if (setuid(options->uid) != 0) child_fail(status_fd, GITOPSD_SPAWN_STEP_SETUID);
    }
    if (options->working_directory != NULL && chdir(options->working_directory) != 0) {
        child_fail(status_fd, GITOPSD_SPAWN_STEP_CHDIR);
    }
    int input = open("/dev/null", O_RDONLY);
    int output = options->output_fd >= 0 ? options->output_fd : open("/dev/null", O_WRONLY);
    if (input < 0 || output < 0 || dup2(input, 0) < 0 || dup2(output, 1) < 0 || dup2(output, 2) < 0) {
        child_fail(status_fd, GITOPSD_SPAWN_STEP_DESCRIPTORS);
    }
    close_from(3, status_fd);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(options->executable, options->argv, options->envp);
    child_fail(status_fd, GITOPSD_SPAWN_STEP_EXEC);
}

int gitopsd_spawn(const gitopsd_spawn_options *options, pid_t *pid, int *failed_step) {
    int status_pipe[2];
    if (pipe2(status_pipe, O_CLOEXEC) != 0) {
        *failed_step = GITOPSD_SPAWN_STEP_PIPE;
        return errno;
    }
    // Above the standard descriptors, so the child's dup2 onto 0-2 cannot clobber it.
    int status_write = fcntl(status_pipe[1], F_DUPFD_CLOEXEC, 3);
    close(status_pipe[1]);
    if (status_write < 0) {
        close(status_pipe[0]);
        *failed_step = GITOPSD_SPAWN_STEP_PIPE;
        return errno;
    }
    // No signal handler of the parent may run in the child before it has reset them.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t child_pid = fork();
    if (child_pid == 0) {
        close(status_pipe[0]);
        child(options, status_write);
    }
    int fork_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(status_write);
    if (child_pid < 0) {
        close(status_pipe[0]);
        *failed_step = GITOPSD_SPAWN_STEP_FORK;
        return fork_error;
    }
    int message[2] = {0, 0};
    ssize_t received;
    do {
        received = read(status_pipe[0], message, sizeof message);
    } while (received < 0 && errno == EINTR);
    close(status_pipe[0]);
    if (received == (ssize_t)sizeof message) {
        int status;
        while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR) {}
        *failed_step = message[0];
        return message[1] != 0 ? message[1] : EIO;
    }
    *pid = child_pid;
    return 0;
}
