/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the local_reclaim selftests: reading and writing
 * sysfs/cgroup files, loading the module, parsing node lists.
 */
#ifndef LR_UTIL_H
#define LR_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LR_MODULE_PATH	"/opt/local_reclaim/local_reclaim.ko"
#define LR_SYSFS_DIR	"/sys/kernel/mm/local_reclaim"
#define LR_NODE_DIR	"/sys/devices/system/node"
#define LR_MAX_NODES	64

/*
 * In a selftest's setup: something the test needs is missing.  make check
 * (which sets LR_SUITE) runs every test in a guest that provides what it
 * needs, so there a missing piece is a failure; run by hand, a skip.
 */
#define LR_REQUIRE(cond, fmt, ...)						\
	do {									\
		if (!(cond)) {							\
			if (getenv("LR_SUITE")) {				\
				TH_LOG(fmt, ##__VA_ARGS__);			\
				ASSERT_TRUE(cond);				\
			}							\
			SKIP(return, fmt, ##__VA_ARGS__);			\
		}								\
	} while (0)

/* Reads a whole small file into buf (NUL-terminated); -errno on failure. */
static inline int lr_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, off = 0;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + off, len - 1 - off)) > 0)
		off += n;
	close(fd);
	if (n < 0)
		return -errno;
	buf[off] = '\0';
	return off;
}

/* Writes s to path in one write(); returns 0 or -errno. */
static inline int lr_write_file(const char *path, const char *s, size_t len)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static inline int lr_write_str(const char *path, const char *s)
{
	return lr_write_file(path, s, strlen(s));
}

static inline bool lr_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Parses a CPU/node list such as "0-1,4" into a bitmask; -1 on junk. */
static inline long long lr_parse_list(const char *s)
{
	long long mask = 0;
	char *end;

	while (*s && *s != '\n') {
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s || lo < 0 || lo > 62)
			return -1;
		s = end;
		if (*s == '-') {
			hi = strtol(s + 1, &end, 10);
			if (end == s + 1 || hi < lo || hi > 62)
				return -1;
			s = end;
		}
		for (long i = lo; i <= hi; i++)
			mask |= 1LL << i;
		if (*s == ',')
			s++;
	}
	return mask;
}

/* Loads the module at PATH with PARAMS through finit_module(2); 0 or -errno. */
static inline int lr_insmod(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

/* local_reclaim.ko through finit_module(2) / delete_module(2); 0 or -errno. */
static inline int lr_module_load(void)
{
	return lr_insmod(LR_MODULE_PATH, "");
}

static inline int lr_module_unload(void)
{
	return syscall(SYS_delete_module, "local_reclaim", O_NONBLOCK) ? -errno : 0;
}

static inline bool lr_module_loaded(void)
{
	return lr_exists("/sys/module/local_reclaim");
}

/* The module's live per-cgroup states (LR_SYSFS_DIR/cgroup_states). */
static inline long lr_cgroup_states(void)
{
	char buf[64];

	if (lr_read_file(LR_SYSFS_DIR "/cgroup_states", buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * cgroup_states once it has stopped changing: cgroups removed by earlier
 * tests go offline asynchronously, and counting them as they go would
 * look like our own cgroup's state being freed, or not.
 */
static inline long lr_settled_cgroup_states(void)
{
	long last = lr_cgroup_states(), now;
	int same = 0;

	for (int i = 0; i < 200 && same < 6; i++) {
		usleep(50000);
		now = lr_cgroup_states();
		same = now == last ? same + 1 : 0;
		last = now;
	}
	return last;
}

/*
 * The sum over nodes of a nested-keyed stat line ("NAME N0=v N1=v ...") in
 * text, or of every such line if name is NULL.
 */
static inline long lr_stat_sum_text(char *text, const char *name)
{
	char *line, *save = NULL;
	long sum = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strcspn(line, " ");
		char *p;

		if (name && (strlen(name) != len || strncmp(line, name, len)))
			continue;
		for (p = strstr(line, " N"); p; p = strstr(p + 1, " N")) {
			int nid;
			long v;

			if (sscanf(p, " N%d=%ld", &nid, &v) == 2)
				sum += v;
		}
	}
	return sum;
}

/* lr_stat_sum_text() of the stat file at path; -1 if it cannot be read. */
static inline long lr_stat_sum(const char *path, const char *name)
{
	char buf[8192];

	if (lr_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return lr_stat_sum_text(buf, name);
}

/*
 * The global counters, one file per counter in LR_SYSFS_DIR/stat/, as the
 * text of a cgroup's memory.local_reclaim.stat ("name N0=v N1=v" lines);
 * its length, or -1.
 */
static inline int lr_global_stat(char *buf, size_t len)
{
	DIR *d = opendir(LR_SYSFS_DIR "/stat");
	struct dirent *e;
	size_t off = 0;

	if (!d)
		return -1;
	buf[0] = '\0';
	while ((e = readdir(d))) {
		char path[512], v[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), LR_SYSFS_DIR "/stat/%s", e->d_name);
		if (lr_read_file(path, v, sizeof(v)) < 0 || off >= len)
			continue;
		off += snprintf(buf + off, len - off, "%s %s", e->d_name, v);
	}
	closedir(d);
	return off < len ? (int)off : -1;
}

/* Counter NAME of the global counters (all of them if NULL), summed over nodes. */
static inline long lr_global_stat_sum(const char *name)
{
	char buf[16384];

	if (lr_global_stat(buf, sizeof(buf)) < 0)
		return -1;
	return lr_stat_sum_text(buf, name);
}

/* Moves the calling task into cgroup CG ("0" is the writer); 0 or -errno. */
static inline int lr_cg_enter(const char *cg)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	return lr_write_str(path, "0");
}

/* A cgroup's counter NAME (memory.local_reclaim.stat) summed over nodes. */
static inline long lr_cg_stat(const char *cg, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/memory.local_reclaim.stat", cg);
	return lr_stat_sum(path, name);
}

/* A cgroup's counter NAME on node NID, -1 if missing. */
static inline long lr_cg_stat_node(const char *cg, const char *name, int nid)
{
	char path[256], buf[8192], key[80], *p;

	snprintf(path, sizeof(path), "%s/memory.local_reclaim.stat", cg);
	if (lr_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	snprintf(key, sizeof(key), "%s ", name);
	for (p = strstr(buf, key); p && p != buf && p[-1] != '\n'; p = strstr(p + 1, key))
		;
	if (!p)
		return -1;
	snprintf(key, sizeof(key), " N%d=", nid);
	p = strstr(p, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* kernel.numa_balancing as lr_vm_quiet() found it, for lr_vm_restore(). */
static char lr_saved_numa_balancing[16];

/*
 * A scenario's starting point: no watermark boosting (it would let kswapd
 * run on after a fill), no NUMA balancing (on at boot, as on Debian; it
 * would move the pages being counted while they are counted), the module
 * unloaded.  0 or -1.
 */
static inline int lr_vm_quiet(void)
{
	if (!lr_saved_numa_balancing[0] &&
	    lr_read_file("/proc/sys/kernel/numa_balancing", lr_saved_numa_balancing,
			 sizeof(lr_saved_numa_balancing)) < 0)
		lr_saved_numa_balancing[0] = 0;
	if (lr_write_str("/proc/sys/vm/watermark_boost_factor", "0") ||
	    lr_write_str("/proc/sys/kernel/numa_balancing", "0"))
		return -1;
	if (lr_module_loaded() && lr_module_unload())
		return -1;
	return 0;
}

/* Undoes lr_vm_quiet() and whatever a scenario changed of the vm sysctls. */
static inline void lr_vm_restore(void)
{
	if (lr_module_loaded())
		lr_module_unload();
	lr_write_str("/proc/sys/vm/watermark_boost_factor", "15000");
	lr_write_str("/proc/sys/vm/watermark_scale_factor", "10");
	lr_write_str("/proc/sys/vm/overcommit_memory", "0");
	if (lr_saved_numa_balancing[0])
		lr_write_str("/proc/sys/kernel/numa_balancing", lr_saved_numa_balancing);
}

/* The LRU reclaim runs with: "mglru" or "classic" (guests boot with MGLRU). */
static inline const char *lr_lru(void)
{
	char buf[32];

	if (lr_read_file("/sys/kernel/mm/lru_gen/enabled", buf, sizeof(buf)) < 0)
		return "classic";
	return strtol(buf, NULL, 16) ? "mglru" : "classic";
}

/* ---- tracing: the node_reclaim_policy events ---- */

#define LR_TRACING	"/sys/kernel/tracing"
#define LR_EVENTS	LR_TRACING "/events/node_reclaim_policy"

/* Empties the trace buffer: opening "trace" with O_TRUNC does (a write does not). */
static inline int lr_trace_clear(void)
{
	int fd = open(LR_TRACING "/trace", O_WRONLY | O_TRUNC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Clears the trace and turns the events on, decide filtered by FILTER. */
static inline int lr_trace_on(const char *filter)
{
	if (lr_trace_clear())
		return -1;
	if (lr_write_str(LR_EVENTS "/mm_node_reclaim_policy_decide/filter", filter ? filter : "0"))
		return -1;
	return lr_write_str(LR_EVENTS "/enable", "1") ? -1 : 0;
}

/* Turns the events off and clears the filter. */
static inline void lr_trace_off(void)
{
	lr_write_str(LR_EVENTS "/enable", "0");
	lr_write_str(LR_EVENTS "/mm_node_reclaim_policy_decide/filter", "0");
}

/* Whether some line of the trace contains A and, if not NULL, B. */
static inline bool lr_trace_has(const char *a, const char *b)
{
	FILE *f = fopen(LR_TRACING "/trace", "r");
	char line[1024];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, a) && (!b || strstr(line, b));
	fclose(f);
	return found;
}

/* The largest value of FIELD ("nr_reclaimed=") on trace lines with A; -1 if none. */
static inline long long lr_trace_max(const char *a, const char *field)
{
	FILE *f = fopen(LR_TRACING "/trace", "r");
	char line[1024], *p;
	long long max = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, a) || !(p = strstr(line, field)))
			continue;
		if (strtoll(p + strlen(field), NULL, 10) > max)
			max = strtoll(p + strlen(field), NULL, 10);
	}
	fclose(f);
	return max;
}

/*
 * The value of FIELD in node NID's zone ZONE of /proc/zoneinfo, at its
 * first occurrence after the line AFTER of that zone (NULL: from the zone's
 * start); -1 if the zone, the line or the field is missing.
 */
static inline long lr_zone_field_after(int nid, const char *zone, const char *after,
				       const char *field)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	size_t flen = strlen(field), alen = after ? strlen(after) : 0;
	char line[256], z[32];
	bool in = false, seen = false;
	long v, found = -1;
	int n;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " ");

		if (sscanf(line, "Node %d, zone %31s", &n, z) == 2) {
			in = n == nid && !strcmp(z, zone);
			seen = !after;
			continue;
		}
		if (!in)
			continue;
		if (!seen) {
			seen = !strncmp(p, after, alen) && p[alen] == '\n';
			continue;
		}
		if (!strncmp(p, field, flen) && p[flen] == ' ' &&
		    sscanf(p + flen, "%ld", &v) == 1) {
			found = v;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * The value of FIELD ("pages free", "min", "low", "present",
 * "nr_zone_active_anon", ...) in node NID's zone ZONE of /proc/zoneinfo;
 * -1 if the zone or the field is missing.
 */
static inline long lr_zone_field(int nid, const char *zone, const char *field)
{
	return lr_zone_field_after(nid, zone, NULL, field);
}

/*
 * The pages on CPU's per-CPU list of node NID's zone ZONE (the "count:" of
 * that CPU's pageset); -1 if there is none.  They are not in the zone's
 * "pages free", and order-0 allocations on that CPU take them before the
 * zone's free pages move at all.
 */
static inline long lr_zone_pcp_pages(int nid, const char *zone, int cpu)
{
	char after[16];

	snprintf(after, sizeof(after), "cpu: %d", cpu);
	return lr_zone_field_after(nid, zone, after, "count:");
}

#endif /* LR_UTIL_H */
