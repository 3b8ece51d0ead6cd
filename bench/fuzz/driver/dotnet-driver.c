// libFuzzer driver for the .NET fuzz targets (bench/fuzz/run.sh builds it with clang -fsanitize=fuzzer).
//
// libFuzzer runs in this process; the .NET target runs in one child process, started once and fed every input
// over SharpFuzz's libFuzzer protocol:
//   * a System V shared memory segment (id in __LIBFUZZER_SHM_ID): 64 KiB of edge counters that the instrumented
//     assemblies write, then up to 1 MiB of input;
//   * a control pipe (fd in __LIBFUZZER_CONTROL_PIPE_ID): this process writes the input length (int32) to run one;
//   * a status pipe (fd in __LIBFUZZER_STATUS_PIPE_ID): the child writes int32 0 when it is ready and after each
//     input, non-zero when an exception escaped the target.
// After each input the child's counters are copied into libFuzzer's extra counters, so libFuzzer sees the managed
// code's coverage as its own. A non-zero status or a child that died (stack overflow, fail-fast) aborts this
// process, which makes libFuzzer save the input as a crash; a hang is libFuzzer's own -timeout.
//
// Usage: dotnet-driver [libFuzzer flags] [corpus dirs] --target=PROGRAM [--target_arg=ARG]
// (libFuzzer ignores flags that start with "--").

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <unistd.h>

#define COUNTERS_SIZE (1 << 16)
#define INPUT_SIZE (1 << 20)
#define CONTROL_FD 198
#define STATUS_FD 199

__attribute__((section("__libfuzzer_extra_counters"))) uint8_t managed_counters[COUNTERS_SIZE];

static uint8_t *shared;
static int control_fd = -1;
static int status_fd = -1;

static void fail(const char *what)
{
    fprintf(stderr, "dotnet-driver: %s: %s\n", what, strerror(errno));
    exit(1);
}

static const char *flag(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++)
    {
        if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') return argv[i] + n + 1;
    }
    return NULL;
}

static void write_all(int fd, const void *buffer, size_t size)
{
    ssize_t n;
    while ((n = write(fd, buffer, size)) < 0 && errno == EINTR) {}
    if (n != (ssize_t)size) fail("write to the target");
}

// Reads the target's int32 status; 0 bytes means the target process is gone.
static int read_status(int32_t *status)
{
    ssize_t n;
    while ((n = read(status_fd, status, sizeof *status)) < 0 && errno == EINTR) {}
    if (n < 0) fail("read from the target");
    return n == sizeof *status;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *target = flag(*argc, *argv, "--target");
    const char *target_arg = flag(*argc, *argv, "--target_arg");
    if (!target)
    {
        fprintf(stderr, "dotnet-driver: --target=PROGRAM is missing\n");
        exit(1);
    }

    int control[2], status[2];
    if (pipe(control) || pipe(status)) fail("pipe");
    int shm_id = shmget(IPC_PRIVATE, COUNTERS_SIZE + INPUT_SIZE, IPC_CREAT | IPC_EXCL | 0600);
    if (shm_id < 0) fail("shmget");
    shared = shmat(shm_id, NULL, 0);
    if (shared == (void *)-1) fail("shmat");

    pid_t child = fork();
    if (child < 0) fail("fork");
    if (child == 0)
    {
        // The target dies with this process, also when libFuzzer ends it with _exit after a finding or a timeout.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (dup2(control[0], CONTROL_FD) < 0 || dup2(status[1], STATUS_FD) < 0) fail("dup2");
        close(control[0]);
        close(control[1]);
        close(status[0]);
        close(status[1]);
        char id[16];
        snprintf(id, sizeof id, "%d", shm_id);
        setenv("__LIBFUZZER_SHM_ID", id, 1);
        setenv("__LIBFUZZER_CONTROL_PIPE_ID", "198", 1);
        setenv("__LIBFUZZER_STATUS_PIPE_ID", "199", 1);
        execl(target, target, target_arg, (char *)NULL);
        fail("exec the target");
    }

    close(control[0]);
    close(status[1]);
    control_fd = control[1];
    status_fd = status[0];
    int32_t ready;
    if (!read_status(&ready))
    {
        fprintf(stderr, "dotnet-driver: the target exited before it was ready\n");
        exit(1);
    }
    // Both processes are attached now: the segment goes away when the last one detaches, however they end.
    shmctl(shm_id, IPC_RMID, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > INPUT_SIZE) return -1;
    memset(shared, 0, COUNTERS_SIZE);
    memcpy(shared + COUNTERS_SIZE, data, size);
    int32_t length = (int32_t)size;
    write_all(control_fd, &length, sizeof length);

    int32_t status;
    int alive = read_status(&status);
    memcpy(managed_counters, shared, COUNTERS_SIZE);
    if (!alive)
    {
        fprintf(stderr, "dotnet-driver: the target process died on this input\n");
        abort();
    }
    if (status != 0)
    {
        fprintf(stderr, "dotnet-driver: an exception escaped the target on this input\n");
        abort();
    }
    return 0;
}
