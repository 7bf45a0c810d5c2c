/* `--endpoint sim`: the bundled simulator as a child process for one job —
 * located, started on an ephemeral port with throw-away credentials, waited
 * for by its "listening on" line, and always reaped. */
#include "cli/sim_launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/signals.h"
#include "common/clock.h"

#define SIM_PROGRAM              "lattigo-sim"
#define SIM_KEY_NAME             "demo"
#define DEFAULT_READY_TIMEOUT_MS 10000
#define STOP_GRACE_MS            5000
#define MAX_EXTRA_ARGS           64
#define READY_PREFIX             "listening on "

void sim_process_init(struct sim_process *sim)
{
	sim->pid = 0;
	sim->stdout_fd = -1;
	sim->endpoint[0] = '\0';
	credentials_init(&sim->credentials);
}

static bool is_executable(const char *path)
{
	return access(path, X_OK) == 0;
}

int sim_locate_program(char *out, size_t size, struct error *error)
{
	char self[PATH_MAX];
	ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (length > 0) {
		self[length] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			slash[1] = '\0';
			int written = snprintf(out, size, "%s%s", self, SIM_PROGRAM);
			if (written > 0 && (size_t)written < size && is_executable(out))
				return 0;
		}
	}
	const char *variable = getenv("LATTIGO_SIM");
	if (variable && *variable) {
		if (!is_executable(variable))
			return error_set(
			    error, "LATTIGO_SIM names '%s', which is not an executable", variable);
		snprintf(out, size, "%s", variable);
		return strlen(variable) < size ? 0 : error_set(error, "LATTIGO_SIM path too long");
	}
	const char *path = getenv("PATH");
	while (path && *path) {
		const char *end = strchr(path, ':');
		size_t directory_length = end ? (size_t)(end - path) : strlen(path);
		if (directory_length > 0) {
			int written = snprintf(out, size, "%.*s/%s", (int)directory_length, path,
			                       SIM_PROGRAM);
			if (written > 0 && (size_t)written < size && is_executable(out))
				return 0;
		}
		path = end ? end + 1 : NULL;
	}
	return error_set(error,
	                 "cannot find %s: not next to this program, LATTIGO_SIM is not set "
	                 "and it is not on PATH",
	                 SIM_PROGRAM);
}

/* A fresh random key per run: nobody else on the machine can drive the sim. */
static int random_key(char *out, size_t size, struct error *error)
{
	unsigned char bytes[18];
	size_t got = 0;
	while (got < sizeof(bytes)) {
		ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return error_set(error, "cannot generate demo credentials: %s",
			                 strerror(errno));
		got += (size_t)n;
	}
	static const char hex[] = "0123456789abcdef";
	if (size < sizeof(bytes) * 2 + 1)
		return error_set(error, "internal: key buffer too small");
	for (size_t i = 0; i < sizeof(bytes); i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[sizeof(bytes) * 2] = '\0';
	explicit_bzero(bytes, sizeof(bytes));
	return 0;
}

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void exec_child(const char *program, char *const *argv, int stdout_fd, int stderr_fd,
                       pid_t parent)
{
	/* Its own process group: a Ctrl-C at the terminal must reach only us, so
	 * the sim keeps answering while the calls in flight finish. */
	setpgid(0, 0);
	/* A parent killed with -9 cannot reap it: the kernel stops it then, so
	 * no simulator outlives its job (the flag survives exec; a parent gone
	 * before it was set is seen by getppid). */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(127);
	struct sigaction action;
	memset(&action, 0, sizeof(action));
	action.sa_handler = SIG_DFL;
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGPIPE, &action, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int null_fd = open("/dev/null", O_RDWR);
	if (null_fd >= 0)
		dup2(null_fd, STDIN_FILENO);
	dup2(stdout_fd, STDOUT_FILENO);
	dup2(stderr_fd >= 0 ? stderr_fd : null_fd, STDERR_FILENO);
	execv(program, argv);
	_exit(127);
}

/* Reads the first line within the deadline. Returns 1 when a line was read,
 * 0 on end of file (the sim died), -1 on timeout or a read error. */
static int read_first_line(int fd, char *line, size_t size, long timeout_ms)
{
	size_t length = 0;
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	for (;;) {
		int64_t left = deadline - clock_monotonic_ms();
		if (left <= 0)
			return -1;
		struct pollfd waiting = {.fd = fd, .events = POLLIN};
		int ready = poll(&waiting, 1, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return -1;
		if (ready == 0)
			return -1;
		/* One byte at a time so nothing after the first line is consumed. */
		char byte;
		ssize_t n = read(fd, &byte, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (byte == '\n') {
			if (length > 0 && line[length - 1] == '\r')
				length--;
			line[length] = '\0';
			return 1;
		}
		if (length + 1 < size)
			line[length++] = byte;
	}
}

/* Turns "listening on 127.0.0.1:40123" into "http://127.0.0.1:40123". */
static int parse_ready_line(const char *line, char *endpoint, size_t size)
{
	const char *address = strstr(line, READY_PREFIX);
	if (!address)
		return -1;
	address += strlen(READY_PREFIX);
	const char *colon = strrchr(address, ':');
	if (!colon || colon == address)
		return -1;
	char *end = NULL;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || port <= 0 || port > 65535)
		return -1;
	size_t host_length = (size_t)(colon - address);
	const char *host = address;
	/* A wildcard bind is reached through loopback. */
	if ((host_length == 7 && memcmp(host, "0.0.0.0", 7) == 0) ||
	    (host_length == 2 && memcmp(host, "::", 2) == 0)) {
		host = "127.0.0.1";
		host_length = strlen(host);
	}
	int written = snprintf(endpoint, size, "http://%.*s:%ld", (int)host_length, host, port);
	return written > 0 && (size_t)written < size ? 0 : -1;
}

/* Waits up to timeout_ms for the child to end (pidfd; without it, blocks). */
static int wait_child(pid_t pid, long timeout_ms, int *status)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		struct pollfd waiting = {.fd = pidfd, .events = POLLIN};
		int64_t deadline = clock_monotonic_ms() + timeout_ms;
		int ready;
		do {
			int64_t left = deadline - clock_monotonic_ms();
			ready = poll(&waiting, 1, left > 0 ? (int)left : 0);
		} while (ready < 0 && errno == EINTR);
		close(pidfd);
		if (ready == 0)
			return -1;
	}
	pid_t done;
	do {
		done = waitpid(pid, status, 0);
	} while (done < 0 && errno == EINTR);
	return done == pid ? 0 : -1;
}

int sim_stop(struct sim_process *sim)
{
	int result = 0;
	if (sim->stdout_fd >= 0) {
		close(sim->stdout_fd);
		sim->stdout_fd = -1;
	}
	if (sim->pid > 0) {
		int status = 0;
		stop_signals_kill_on_exit(0);
		kill(sim->pid, SIGTERM);
		if (wait_child(sim->pid, STOP_GRACE_MS, &status) < 0) {
			kill(sim->pid, SIGKILL);
			wait_child(sim->pid, STOP_GRACE_MS, &status);
			result = -1;
		} else if (WIFEXITED(status)) {
			result = WEXITSTATUS(status);
		} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) {
			result = 0;
		} else {
			result = -1;
		}
		sim->pid = 0;
	}
	credentials_release(&sim->credentials);
	sim->endpoint[0] = '\0';
	return result;
}

/* The simulator's path: the option's, else sim_locate_program's. Returns 0 or -1 with error. */
static int choose_program(const struct sim_options *options, char *program, size_t size,
                          struct error *error)
{
	if (!options->program)
		return sim_locate_program(program, size, error);
	if (snprintf(program, size, "%s", options->program) >= (int)size)
		return error_set(error, "simulator path too long");
	return 0;
}

/* Starts program with argv, its stdout a pipe the parent reads (sim->stdout_fd)
 * and its stderr log_path (or inherited). Returns 0, or -1 with error. */
static int spawn(struct sim_process *sim, const char *program, char **argv, const char *log_path,
                 struct error *error)
{
	int pipe_fds[2] = {-1, -1}, log_fd = -1;
	int result = -1;
	if (log_path) {
		log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0) {
			error_set(error, "cannot open simulator log '%s': %s", log_path,
			          strerror(errno));
			goto out;
		}
	}
	if (pipe(pipe_fds) < 0 || fcntl(pipe_fds[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(pipe_fds[1], F_SETFD, FD_CLOEXEC) < 0) {
		error_set(error, "cannot start %s: %s", program, strerror(errno));
		goto out;
	}
	fflush(NULL); /* nothing buffered may be written twice */
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		error_set(error, "cannot start %s: %s", program, strerror(errno));
		goto out;
	}
	if (pid == 0)
		exec_child(program, argv, pipe_fds[1], log_fd, parent);
	sim->pid = pid;
	stop_signals_kill_on_exit(pid);
	sim->stdout_fd = pipe_fds[0];
	pipe_fds[0] = -1;
	result = 0;
out:
	if (pipe_fds[0] >= 0)
		close(pipe_fds[0]);
	if (pipe_fds[1] >= 0)
		close(pipe_fds[1]);
	if (log_fd >= 0)
		close(log_fd);
	return result;
}

/* Waits for the "listening on" line and takes the endpoint from it. Returns 0 or -1 with error. */
static int wait_ready(struct sim_process *sim, const char *program,
                      const struct sim_options *options, struct error *error)
{
	char line[256];
	long timeout =
	    options->ready_timeout_ms > 0 ? options->ready_timeout_ms : DEFAULT_READY_TIMEOUT_MS;
	int got = read_first_line(sim->stdout_fd, line, sizeof(line), timeout);
	if (got == 0)
		return error_set(error, "%s exited before it was ready%s%s", program,
		                 options->log_path ? "; see " : "",
		                 options->log_path ? options->log_path : "");
	if (got < 0)
		return error_set(error, "%s did not report its port within %ld ms", program,
		                 timeout);
	if (parse_ready_line(line, sim->endpoint, sizeof(sim->endpoint)) < 0)
		return error_set(error, "%s printed an unexpected first line: '%.80s'", program,
		                 line);
	return 0;
}

int sim_start(struct sim_process *sim, const struct sim_options *options, struct error *error)
{
	static const struct sim_options defaults = {0};
	char program[PATH_MAX], api_key[64];
	char *argv[MAX_EXTRA_ARGS + 10];
	int result = -1;
	if (!options)
		options = &defaults;
	sim_process_init(sim);
	api_key[0] = '\0';
	if (options->extra_count > MAX_EXTRA_ARGS) {
		error_set(error, "too many simulator options (at most %d)", MAX_EXTRA_ARGS);
		goto out;
	}
	if (choose_program(options, program, sizeof(program), error) < 0 ||
	    random_key(api_key, sizeof(api_key), error) < 0 ||
	    credentials_set(&sim->credentials, SIM_KEY_NAME, api_key, error) < 0)
		goto out;

	size_t argc = 0;
	argv[argc++] = program;
	argv[argc++] = (char *)"--port";
	argv[argc++] = (char *)"0";
	argv[argc++] = (char *)"--key-name";
	argv[argc++] = (char *)SIM_KEY_NAME;
	argv[argc++] = (char *)"--api-key";
	argv[argc++] = api_key;
	for (size_t i = 0; i < options->extra_count; i++)
		argv[argc++] = (char *)options->extra_args[i];
	argv[argc] = NULL;

	if (spawn(sim, program, argv, options->log_path, error) < 0 ||
	    wait_ready(sim, program, options, error) < 0)
		goto out;
	result = 0;
out:
	explicit_bzero(api_key, sizeof(api_key));
	if (result < 0)
		sim_stop(sim);
	return result;
}
