/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Placement-test helpers: reset and fill a node's page cache, run the
 * anon_fault workload in a cgroup and read where its memory landed, from
 * the workload itself (move_pages(2)) and from the cgroup's
 * memory.numa_stat.
 */
#ifndef LR_WORKLOAD_H
#define LR_WORKLOAD_H

#include <signal.h>
#include <sys/wait.h>

#include "lr_util.h"

#define LR_BIN		"/opt/local_reclaim/bin"
#define LR_CG_ROOT	"/sys/fs/cgroup"

struct anon_result {
	long pages;
	long node_pages[LR_MAX_NODES];	/* move_pages(2) */
	long thp_node_pages[LR_MAX_NODES];	/* of those, in THPs (-T) */
	long thp_pages, access_passes;	/* -T, -A */
	double local_pct, first_half_pct, second_half_pct, mib_per_s;
	long cg_anon[LR_MAX_NODES];	/* memory.numa_stat anon, bytes */
	long cg_anon_total;
};

/* Runs a command to completion; returns its exit status or -1. */
static inline int lr_run(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* One field of nodeN/meminfo in kB. */
static inline long lr_node_meminfo_kb(int node, const char *field)
{
	char path[96], buf[4096], *p;

	snprintf(path, sizeof(path), LR_NODE_DIR "/node%d/meminfo", node);
	if (lr_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, field);
	return p ? strtol(p + strlen(field), NULL, 10) : -1;
}

/* One counter of nodeN/vmstat. */
static inline long lr_node_vmstat(int node, const char *name)
{
	char path[96], buf[16384], key[64], *p;

	snprintf(path, sizeof(path), LR_NODE_DIR "/node%d/vmstat", node);
	if (lr_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* One counter of /proc/vmstat, -1 if missing. */
static inline long lr_vmstat(const char *name)
{
	char buf[16384], key[64], *p;

	if (lr_read_file("/proc/vmstat", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/*
 * A policy's node reclaims entered or refused: the kernel's
 * node_reclaim_policy_* vm events summed.
 */
static inline long lr_policy_reclaims(void)
{
	return lr_vmstat("node_reclaim_policy_success") + lr_vmstat("node_reclaim_policy_failed") +
	       lr_vmstat("node_reclaim_policy_wait") +
	       lr_vmstat("node_reclaim_policy_unreclaimable");
}

/* Sum of pgscan_kswapd over nodes, to see kswapd go idle. */
static inline long lr_kswapd_scans(void)
{
	long sum = 0;

	for (int n = 0; n < LR_MAX_NODES; n++) {
		long v = lr_node_vmstat(n, "pgscan_kswapd");

		if (v < 0)
			break;
		sum += v;
	}
	return sum;
}

/* Waits (up to ~10 s) until no kswapd has scanned for half a second. */
static inline void lr_wait_kswapd_idle(void)
{
	long last = lr_kswapd_scans();

	for (int i = 0; i < 20; i++) {
		long now;

		usleep(500000);
		now = lr_kswapd_scans();
		if (now == last)
			return;
		last = now;
	}
}

/* How lr_fill() reads: LR_FILL_BOUND or LR_FILL_UNBOUND, maybe | LR_FILL_PAGES. */
#define LR_FILL_UNBOUND	0x0	/* as an ordinary task: spills once NODE is short */
#define LR_FILL_BOUND	0x1	/* memory bound to NODE: NODE reclaims itself */
#define LR_FILL_PAGES	0x2	/* no readahead: single pages (fill_node -s) */

/*
 * Fills (no drop) NODE's page cache with MIB MiB read on its CPUs, bound to
 * it or, as an ordinary task would, not (the page cache spills once NODE is
 * short), from a part of the scratch file of its own (offset NODE x 1280
 * MiB), so filling several nodes never finds the pages already cached on
 * another.  With LR_FILL_PAGES the page cache is made of single pages, which
 * a fragmented node takes as a fresh one does (readahead's large folios go
 * to another node when NODE has no free block of their order).
 */
static inline int lr_fill(int node, long mib, unsigned int how)
{
	char n[16], m[24], o[24];
	char *argv[8] = { LR_BIN "/fill_node", "-o", o };
	int i = 3;

	snprintf(n, sizeof(n), "%d", node);
	snprintf(m, sizeof(m), "%ld", mib);
	snprintf(o, sizeof(o), "%d", node * 1280);
	if (!(how & LR_FILL_BOUND))
		argv[i++] = "-u";
	if (how & LR_FILL_PAGES)
		argv[i++] = "-s";
	argv[i++] = n;
	argv[i++] = m;
	argv[i] = NULL;
	return lr_run(argv);
}

/*
 * NID's zones' high watermarks together, in MiB: free memory below that is
 * what an allocation bound to the node cannot count on (with THP enabled,
 * khugepaged raises min_free_kbytes to ~5% of memory).
 */
static inline long lr_node_high_mib(int nid)
{
	static const char *const zones[] = { "DMA", "DMA32", "Normal", "Movable" };
	long pages = 0;

	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		long v = lr_zone_field(nid, zones[i], "high");

		if (v > 0)
			pages += v;
	}
	return pages * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

/* Drops the page cache, fills NODE as lr_fill() does, lets kswapd settle. */
static inline int lr_reset_and_fill(int node, long mib, unsigned int how)
{
	sync();
	if (lr_write_str("/proc/sys/vm/drop_caches", "3"))
		return -1;
	/*
	 * A kswapd still at work from what ran before (a killed workload's
	 * node, boosted watermarks) would reclaim the page cache as it is
	 * read, and the node would be filled less than the last time.
	 */
	lr_wait_kswapd_idle();
	if (lr_fill(node, mib, how))
		return -1;
	lr_wait_kswapd_idle();
	return 0;
}

/* Parses "anon N0=.. N1=.." out of a memory.numa_stat. */
static inline void lr_cg_anon(const char *cg, struct anon_result *r)
{
	char path[256], buf[8192], *p;

	r->cg_anon_total = 0;
	memset(r->cg_anon, 0, sizeof(r->cg_anon));
	snprintf(path, sizeof(path), "%s/memory.numa_stat", cg);
	if (lr_read_file(path, buf, sizeof(buf)) < 0 || strncmp(buf, "anon ", 5))
		return;
	for (p = buf + 5; *p && *p != '\n';) {
		int nid;
		long v;
		int used;

		if (sscanf(p, " N%d=%ld%n", &nid, &v, &used) != 2)
			break;
		if (nid >= 0 && nid < LR_MAX_NODES) {
			r->cg_anon[nid] = v;
			r->cg_anon_total += v;
		}
		p += used;
	}
}

/* Percentage of the cgroup's anon memory on the nodes in MASK. */
static inline double lr_cg_pct(const struct anon_result *r, long long mask)
{
	long in = 0;

	for (int n = 0; n < LR_MAX_NODES; n++)
		if (mask & (1LL << n))
			in += r->cg_anon[n];
	return r->cg_anon_total ? 100.0 * in / r->cg_anon_total : 0;
}

/*
 * Starts anon_fault in cgroup CG on NODE's CPUs with THREADS threads over
 * MIB MiB and reads its report; it then holds the memory until
 * lr_stop_anon().  extra, if not NULL, is a NULL-terminated list of up to
 * 8 more options.  Returns its pid (or -1) and, in *out, the stream to pass
 * to lr_stop_anon().
 */
static inline pid_t lr_start_anon_opts(const char *cg, int node, int threads, long mib,
				       const char *const extra[], struct anon_result *r,
				       FILE **out)
{
	char n[16], t[16], m[24], line[256];
	char *argv[20];
	int fds[2], i = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	snprintf(n, sizeof(n), "%d", node);
	snprintf(t, sizeof(t), "%d", threads);
	snprintf(m, sizeof(m), "%ld", mib);
	argv[i++] = LR_BIN "/anon_fault";
	argv[i++] = "-c";
	argv[i++] = (char *)cg;
	argv[i++] = "-n";
	argv[i++] = n;
	argv[i++] = "-t";
	argv[i++] = t;
	argv[i++] = "-H";
	argv[i++] = "600";
	for (int j = 0; extra && j < 8 && extra[j]; j++)
		argv[i++] = (char *)extra[j];
	argv[i++] = m;
	argv[i] = NULL;
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	*out = fdopen(fds[0], "r");
	while (fgets(line, sizeof(line), *out)) {
		int nid;
		long v;

		if (sscanf(line, "node %d %ld", &nid, &v) == 2 && nid >= 0 && nid < LR_MAX_NODES)
			r->node_pages[nid] = v;
		if (sscanf(line, "thp_node %d %ld", &nid, &v) == 2 && nid >= 0 &&
		    nid < LR_MAX_NODES)
			r->thp_node_pages[nid] = v;
		sscanf(line, "pages %ld", &r->pages);
		sscanf(line, "thp_pages %ld", &r->thp_pages);
		sscanf(line, "access_passes %ld", &r->access_passes);
		sscanf(line, "local_pct %lf", &r->local_pct);
		sscanf(line, "first_half_local_pct %lf", &r->first_half_pct);
		sscanf(line, "second_half_local_pct %lf", &r->second_half_pct);
		if (sscanf(line, "fault_mib_per_s %lf", &r->mib_per_s) == 1)
			break;
	}
	return pid;
}

/* lr_start_anon_opts() with at most one more option, EXTRA (or NULL). */
static inline pid_t lr_start_anon(const char *cg, int node, int threads, long mib,
				  const char *extra, struct anon_result *r, FILE **out)
{
	const char *const opts[] = { extra, NULL };

	return lr_start_anon_opts(cg, node, threads, mib, opts, r, out);
}

/* Kills a workload started by lr_start_anon(). */
static inline void lr_stop_anon(pid_t pid, FILE *out)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fclose(out);
}

/*
 * Runs anon_fault as lr_start_anon() does, reads the cgroup's numa_stat
 * while it still holds the memory, then kills it.
 */
static inline int lr_run_anon(const char *cg, int node, int threads, long mib,
			      const char *extra, struct anon_result *r)
{
	FILE *out;
	pid_t pid = lr_start_anon(cg, node, threads, mib, extra, r, &out);

	if (pid < 0)
		return -1;
	lr_cg_anon(cg, r);
	lr_stop_anon(pid, out);
	return r->pages > 0 ? 0 : -1;
}

/* Runs argv in the background, its output thrown away; returns its pid. */
static inline pid_t lr_spawn_quiet(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Creates (or empties) a child cgroup of the root; returns 0 or -errno. */
static inline int lr_cg_create(const char *cg)
{
	rmdir(cg);
	return mkdir(cg, 0755) ? -errno : 0;
}

#endif /* LR_WORKLOAD_H */
