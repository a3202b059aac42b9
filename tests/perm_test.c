// SPDX-License-Identifier: GPL-2.0
/*
 * Permissions: every knob write needs CAP_SYS_ADMIN in the initial user
 * namespace, since our reclaim evicts other tenants' page cache.
 *
 *  - an unprivileged user (uid 1000) gets EACCES or EPERM on every write;
 *  - root inside a new user namespace, with uid 0 mapped to the real root
 *    (so file permissions let it open the files for writing), gets EPERM
 *    from the module's capability check, and unmapped (nobody) gets EACCES;
 *  - the owner of a delegated cgroup subtree (cgroup-v2.rst "Delegation"),
 *    whose own child cgroups' files it owns, still gets EPERM on their
 *    memory.local_reclaim.* files, while memory.max there is its to write;
 *  - reads stay allowed for all of them, as sysfs (0644) and cgroup files
 *    are world-readable;
 *  - the opener of a cgroup file decides, as cgroup core does for
 *    delegation: a descriptor opened without CAP_SYS_ADMIN is refused when
 *    a privileged process writes through it, and a process that is not
 *    root but holds CAP_SYS_ADMIN (and owns the file) may write.
 *
 * Every refused write must leave the value unchanged.  Prints
 * "figure perm writes=N refused=N reads=N read_ok=N".
 */
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lr_workload.h"

#define DELEG	LR_CG_ROOT "/lr_deleg"
#define SUB	DELEG "/sub"

enum who { USER_1000, USERNS_ROOT, USERNS_UNMAPPED, DELEGATE };

static const char *const who_name[] = { "uid 1000", "root in a user namespace",
					"unmapped in a user namespace", "delegate (uid 1000)" };

static long writes, refused, reads, read_ok;

/* Writes "0 0 1" maps for pid (run by the parent, real root). */
static int map_root(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	if (lr_write_str(path, "deny"))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	if (lr_write_str(path, "0 0 1"))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	return lr_write_str(path, "0 0 1");
}

/*
 * Becomes WHO in a child, then writes value to path (if value) or reads
 * path; returns the child's result: 0 or the errno of the write or read.
 */
static int as(enum who who, const char *path, const char *value)
{
	int go[2], st;
	pid_t pid;
	char c;

	if (pipe(go))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char buf[8192];
		int r;

		close(go[1]);
		switch (who) {
		case USER_1000:
		case DELEGATE:
			if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
				_exit(200);
			break;
		case USERNS_ROOT:
		case USERNS_UNMAPPED:
			if (unshare(CLONE_NEWUSER))
				_exit(201);
			break;
		}
		/* Wait for the parent to write the maps, if any. */
		if (read(go[0], &c, 1) != 1)
			_exit(202);
		if (who == USERNS_ROOT && getuid() != 0)
			_exit(203);
		r = value ? lr_write_str(path, value) : lr_read_file(path, buf, sizeof(buf));
		_exit(r < 0 ? -r : 0);
	}
	close(go[0]);
	if (who == USERNS_ROOT) {
		/* The child must have unshared before its maps are written. */
		char ns[64], self_ns[64], link[64];

		snprintf(link, sizeof(link), "/proc/%d/ns/user", pid);
		readlink("/proc/self/ns/user", self_ns, sizeof(self_ns));
		for (int i = 0; i < 1000; i++) {
			ssize_t n = readlink(link, ns, sizeof(ns) - 1);

			if (n > 0 && (ns[n] = '\0', strncmp(ns, self_ns, n)))
				break;
			usleep(1000);
		}
		map_root(pid);
	}
	c = 1;
	write(go[1], &c, 1);
	close(go[1]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void read_value(const char *path, char *buf, size_t len)
{
	if (lr_read_file(path, buf, len) < 0)
		snprintf(buf, len, "<unreadable>");
}

/* WHO's write of value to path is refused with one of the errnos allowed. */
static void refused_as(struct __test_metadata *_metadata, enum who who, const char *path,
		       const char *value, bool eperm_only)
{
	char before[256], after[256];
	int r;

	read_value(path, before, sizeof(before));
	r = as(who, path, value);
	read_value(path, after, sizeof(after));
	writes++;
	if (eperm_only) {
		EXPECT_EQ(EPERM, r) TH_LOG("%s writing %s: %s", who_name[who], path, strerror(r));
	} else {
		EXPECT_TRUE(r == EPERM || r == EACCES)
			TH_LOG("%s writing %s: %s", who_name[who], path, r ? strerror(r) : "accepted");
	}
	refused += r == EPERM || r == EACCES;
	EXPECT_STREQ(before, after) TH_LOG("%s changed %s", who_name[who], path);
}

static void readable_as(struct __test_metadata *_metadata, enum who who, const char *path)
{
	int r = as(who, path, NULL);

	reads++;
	read_ok += r == 0;
	EXPECT_EQ(0, r) TH_LOG("%s reading %s: %s", who_name[who], path, strerror(r));
}

static const char *const global_files[] = { LR_SYSFS_DIR "/mode",
					    LR_SYSFS_DIR "/node_reclaim_distance" };
static const char *const global_values[] = { "kswapd direct", "16" };
static const char *const cg_files[] = { "memory.local_reclaim.mode",
					"memory.local_reclaim.distance" };
static const char *const cg_values[] = { "kswapd direct", "16" };

FIXTURE(perm) {
};

FIXTURE_SETUP(perm)
{
	LR_REQUIRE(lr_exists(LR_MODULE_PATH), "%s not in the guest", LR_MODULE_PATH);
	if (lr_module_loaded())
		ASSERT_EQ(0, lr_module_unload());
	ASSERT_EQ(0, lr_module_load());
	rmdir(SUB);
	ASSERT_EQ(0, lr_cg_create(DELEG));
	ASSERT_EQ(0, lr_write_str(DELEG "/cgroup.subtree_control", "+memory"));
	/* Give the value something to keep: not the defaults. */
	ASSERT_EQ(0, lr_write_str(DELEG "/memory.local_reclaim.mode", "unmap"));
	ASSERT_EQ(0, lr_write_str(DELEG "/memory.local_reclaim.distance", "30"));
}

FIXTURE_TEARDOWN(perm)
{
	rmdir(SUB);
	rmdir(DELEG);
	if (lr_module_loaded())
		lr_module_unload();
	TH_LOG("figure perm writes=%ld refused=%ld reads=%ld read_ok=%ld", writes, refused, reads,
	       read_ok);
}

TEST_F_TIMEOUT(perm, unprivileged_and_user_namespace_writers_are_refused, 300)
{
	static const enum who whos[] = { USER_1000, USERNS_ROOT, USERNS_UNMAPPED };

	for (size_t w = 0; w < 3; w++) {
		for (size_t f = 0; f < 2; f++) {
			char path[256];

			/* Mapped userns root passes the DAC check: EPERM is ours. */
			refused_as(_metadata, whos[w], global_files[f], global_values[f],
				   whos[w] == USERNS_ROOT);
			snprintf(path, sizeof(path), DELEG "/%s", cg_files[f]);
			refused_as(_metadata, whos[w], path, cg_values[f], whos[w] == USERNS_ROOT);
			readable_as(_metadata, whos[w], global_files[f]);
			readable_as(_metadata, whos[w], path);
		}
		readable_as(_metadata, whos[w], LR_SYSFS_DIR "/stat/asked");
		readable_as(_metadata, whos[w], LR_SYSFS_DIR "/cgroup_states");
		readable_as(_metadata, whos[w], DELEG "/memory.local_reclaim.stat");
	}
}

TEST_F_TIMEOUT(perm, delegated_subtree_owner_is_refused, 300)
{
	static const char *const delegated[] = { "", "/cgroup.procs", "/cgroup.subtree_control",
						  "/cgroup.threads" };
	struct stat st;
	pid_t pid;
	int status;

	/* Delegate DELEG to uid 1000 as cgroup-v2.rst describes. */
	for (size_t i = 0; i < 4; i++) {
		char path[256];

		snprintf(path, sizeof(path), DELEG "%s", delegated[i]);
		ASSERT_EQ(0, chown(path, 1000, 1000)) TH_LOG("chown %s", path);
	}
	/* The delegate makes a child of its own: it owns all of its files. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			_exit(1);
		_exit(mkdir(SUB, 0755) ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("the delegate could not mkdir %s", SUB);
	ASSERT_EQ(0, stat(SUB "/memory.local_reclaim.mode", &st));
	ASSERT_EQ(1000, (int)st.st_uid) TH_LOG("the delegate should own its child's files");
	/* Delegation works: the delegate may set its child's memory.max. */
	EXPECT_EQ(0, as(DELEGATE, SUB "/memory.max", "1073741824"));

	for (size_t f = 0; f < 2; f++) {
		char path[256];

		snprintf(path, sizeof(path), SUB "/%s", cg_files[f]);
		refused_as(_metadata, DELEGATE, path, cg_values[f], true);
		readable_as(_metadata, DELEGATE, path);
		snprintf(path, sizeof(path), DELEG "/%s", cg_files[f]);
		refused_as(_metadata, DELEGATE, path, cg_values[f], false);
		readable_as(_metadata, DELEGATE, path);
	}
	readable_as(_metadata, DELEGATE, SUB "/memory.local_reclaim.stat");
}

#define OWNED_FILE	DELEG "/memory.local_reclaim.mode"

/* The child's part of descriptor_opened_unprivileged_is_refused. */
static int write_through_unprivileged_descriptor(void)
{
	ssize_t r;
	int fd;

	/* Open as uid 1000: the effective capabilities go... */
	if (setresuid(1000, 1000, 0))
		return 10;
	fd = open(OWNED_FILE, O_WRONLY);
	if (fd < 0)
		return 11;
	/* ...and come back for the write, through that descriptor. */
	if (setresuid(0, 0, 0))
		return 12;
	r = write(fd, "kswapd", 6);
	return r < 0 && errno == EPERM ? 0 : r < 0 ? 13 : 1;
}

/* The child's part of capable_non_root_may_write. */
static int write_as_capable_uid_1000(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int fd;

	/* uid 1000 keeping its capabilities, CAP_SYS_ADMIN alone effective. */
	if (prctl(PR_SET_KEEPCAPS, 1) || setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
	    setresuid(1000, 1000, 1000))
		return 10;
	if (syscall(SYS_capget, &h, d))
		return 11;
	d[0].effective = d[1].effective = 0;
	d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective |= CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &h, d))
		return 12;
	fd = open(OWNED_FILE, O_WRONLY);
	if (fd < 0)
		return 13;
	return write(fd, "direct", 6) == 6 ? 0 : 1;
}

/*
 * Gives OWNED_FILE to uid 1000 (as a delegate's), runs CHILD in a child
 * process, and returns its exit status (-1 if it did not exit); NOW gets
 * the file's value afterwards.
 */
static int owned_file_child(int (*child)(void), char *now, size_t len)
{
	pid_t pid;
	int status;

	if (chown(OWNED_FILE, 1000, 1000))
		return -1;
	pid = fork();
	if (pid == 0)
		_exit(child());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	read_value(OWNED_FILE, now, len);
	return WEXITSTATUS(status);
}

TEST_F_TIMEOUT(perm, descriptor_opened_unprivileged_is_refused, 300)
{
	char now[64] = "";

	EXPECT_EQ(0, owned_file_child(write_through_unprivileged_descriptor, now, sizeof(now)))
		TH_LOG("1: the write was accepted; 10-12: set-up failed; 13: not EPERM");
	EXPECT_STREQ("unmap\n", now);
}

TEST_F_TIMEOUT(perm, capable_non_root_may_write, 300)
{
	char now[64] = "";

	EXPECT_EQ(0, owned_file_child(write_as_capable_uid_1000, now, sizeof(now)))
		TH_LOG("1: the write was refused; 10-13: set-up failed");
	EXPECT_STREQ("direct\n", now);
}

TEST_HARNESS_MAIN
