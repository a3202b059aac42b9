// SPDX-License-Identifier: GPL-2.0
/*
 * anon_fault: fault in anonymous memory with several threads on one node's
 * CPUs and report where the pages landed, through move_pages(2).
 *
 *   anon_fault [-n NODE] [-b] [-l] [-T | -M] [-t THREADS] [-R PASSES] [-A SECONDS]
 *              [-H SECONDS] [-c CGROUP] [-f FILE [-o OFFSET_MIB]] MIB
 *
 * -n NODE     run on NODE's CPUs (default 0); no memory binding unless -b
 * -b          also bind the memory to NODE (MPOL_BIND)
 * -l          mlock the memory after faulting it (a node hog)
 * -t THREADS  faulting threads (default 1); each touches its share
 * -c CGROUP   join this cgroup directory (writes cgroup.procs), once on
 *             NODE's CPUs
 * -R PASSES   fault the whole range PASSES times (default 1), freeing it
 *             with MADV_DONTNEED in between; the rate covers every pass and
 *             placement is the last pass's (a longer, steadier measurement)
 * -T          transparent huge pages as the system has them (without -T the
 *             range is MADV_NOHUGEPAGE and faulted page by page); the range
 *             is aligned to 2 MiB, and the report adds, per node, the pages
 *             that are part of a THP (pagemap and kpageflags: needs root)
 * -M          as -T, and the range MADV_HUGEPAGE: with THP's defrag
 *             "madvise" (the default), its THP faults may reclaim and
 *             compact, and may fall back to another node
 * -A SECONDS  after faulting, keep reading the whole range for this long
 *             before reporting: NUMA balancing's hinting faults see a
 *             workload that uses its memory
 * -H SECONDS  hold the memory this long after reporting (default 0)
 * -f FILE     map MIB MiB of FILE (shared, read-only) from OFFSET_MIB on
 *             and read-fault it instead of anonymous memory: mapped page
 *             cache, which only reclaim that may unmap can free
 *
 * Prints one line per node, "node N PAGES", then
 * "local_pct P", "first_half_local_pct P", "second_half_local_pct P"
 * (halves in fault order per thread), "pages N", with -T
 * "thp_node N PAGES" for each node holding THP-backed pages and
 * "thp_pages N", with -A "access_passes N", with -c the cgroup's
 * "anon" and "file" lines of memory.numa_stat read while the memory is
 * still held ("cg_anon N0=BYTES ...", "cg_file N0=BYTES ..."), and last
 * "fault_mib_per_s R".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "numa_util.h"

struct worker {
	pthread_t thread;
	char *base;
	size_t len;
};

static long page_size;
static bool read_only;

#define THP_SIZE	(2UL << 20)
#define KPF_THP		22
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_PRESENT	(1ULL << 63)

static void *touch(void *arg)
{
	struct worker *w = arg;

	for (size_t off = 0; off < w->len; off += page_size) {
		if (read_only)
			(void)*(volatile char *)(w->base + off);
		else
			w->base[off] = 1;
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* -A: each thread reads its share until the deadline, in long-lived threads. */
static double access_end;
static long access_passes;
static pthread_mutex_t access_lock = PTHREAD_MUTEX_INITIALIZER;

static void *access_loop(void *arg)
{
	struct worker *w = arg;
	long passes = 0;

	do {
		touch(w);
		passes++;
	} while (now() < access_end);
	pthread_mutex_lock(&access_lock);
	access_passes += passes;
	pthread_mutex_unlock(&access_lock);
	return NULL;
}

static int join_cgroup(const char *dir)
{
	char path[512], pid[32];
	int fd, n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = snprintf(pid, sizeof(pid), "%d", getpid());
	n = write(fd, pid, n) == n ? 0 : -1;
	close(fd);
	return n;
}

/* Prints CG's memory.numa_stat lines "anon" and "file" as cg_anon, cg_file. */
static void print_numa_stat(const char *cg)
{
	char path[512], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.numa_stat", cg);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "anon ", 5) || !strncmp(line, "file ", 5))
			printf("cg_%s", line);
	fclose(f);
}

/*
 * Whether each page of [base, base + npages pages) is part of a THP, into
 * thp[]: its PFN from /proc/self/pagemap, its flags from /proc/kpageflags.
 */
static int page_thp(char *base, size_t npages, bool *thp)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	int kf = open("/proc/kpageflags", O_RDONLY);
	int ret = -1;

	if (pm < 0 || kf < 0)
		goto out;
	for (size_t i = 0; i < npages; i++) {
		uint64_t ent, flags;
		off_t off = ((uintptr_t)base / page_size + i) * sizeof(ent);

		if (pread(pm, &ent, sizeof(ent), off) != sizeof(ent))
			goto out;
		thp[i] = false;
		if (!(ent & PM_PRESENT) || !(ent & PM_PFN_MASK))
			continue;
		if (pread(kf, &flags, sizeof(flags), (ent & PM_PFN_MASK) * sizeof(flags)) !=
		    sizeof(flags))
			goto out;
		thp[i] = flags & (1ULL << KPF_THP);
	}
	ret = 0;
out:
	if (pm >= 0)
		close(pm);
	if (kf >= 0)
		close(kf);
	return ret;
}

/* Node of each page of [base, base + len) into status[]. */
static int page_nodes(char *base, size_t npages, int *status)
{
	const size_t batch = 4096;
	void **pages = malloc(batch * sizeof(*pages));

	if (!pages)
		return -1;
	for (size_t i = 0; i < npages; i += batch) {
		size_t n = npages - i < batch ? npages - i : batch;

		for (size_t j = 0; j < n; j++)
			pages[j] = base + (i + j) * page_size;
		if (syscall(SYS_move_pages, 0, n, pages, NULL, status + i, 0)) {
			free(pages);
			return -1;
		}
	}
	free(pages);
	return 0;
}

int main(int argc, char **argv)
{
	long node = 0, threads = 1, hold = 0, passes = 1, counts[NU_MAX_NODES] = { 0 };
	long thp_counts[NU_MAX_NODES] = { 0 }, thp_total = 0, access = 0;
	bool membind = false, lock = false, use_thp = false, madv_huge = false, *thp = NULL;
	long half_local[2] = { 0 }, half_total[2] = { 0 };
	const char *cgroup = NULL, *file = NULL;
	long file_offset = 0;
	struct worker *w;
	size_t len, npages, per;
	double t0, elapsed = 0;
	int *status, opt;
	char *base;

	while ((opt = getopt(argc, argv, "n:blTMt:R:A:H:c:f:o:")) != -1) {
		switch (opt) {
		case 'n': node = atol(optarg); break;
		case 'b': membind = true; break;
		case 'l': lock = true; break;
		case 'T': use_thp = true; break;
		case 'M': use_thp = madv_huge = true; break;
		case 'A': access = atol(optarg); break;
		case 't': threads = atol(optarg); break;
		case 'H': hold = atol(optarg); break;
		case 'c': cgroup = optarg; break;
		case 'R': passes = atol(optarg); break;
		case 'f': file = optarg; break;
		case 'o': file_offset = atol(optarg); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || threads < 1 || threads > 256 || passes < 1 || node < 0 ||
	    node >= NU_MAX_NODES || access < 0 || (use_thp && file))
		goto usage;
	page_size = sysconf(_SC_PAGESIZE);
	len = (size_t)atol(argv[optind]) << 20;
	if (!len)
		goto usage;
	/*
	 * On NODE's CPUs before joining: binding reads sysfs, and those
	 * allocations, made on whatever CPU the task started on, would
	 * otherwise be the cgroup's and be decided for that CPU's node.
	 */
	if (bind_to_node(node, membind)) {
		perror("anon_fault: bind");
		return 1;
	}
	if (cgroup && join_cgroup(cgroup)) {
		fprintf(stderr, "anon_fault: cannot join %s: %s\n", cgroup, strerror(errno));
		return 1;
	}
	npages = len / page_size;
	per = (npages / threads) * page_size;
	if (file) {
		int fd = open(file, O_RDONLY);

		if (fd < 0) {
			fprintf(stderr, "anon_fault: %s: %s\n", file, strerror(errno));
			return 1;
		}
		read_only = true;
		base = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)file_offset << 20);
		close(fd);
	} else {
		/* With -T, 2 MiB more, to start on a THP boundary. */
		size_t map = use_thp ? len + THP_SIZE : len;

		base = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (use_thp && base != MAP_FAILED)
			base = (char *)(((uintptr_t)base + THP_SIZE - 1) & ~(THP_SIZE - 1));
	}
	status = calloc(npages, sizeof(*status));
	w = calloc(threads, sizeof(*w));
	if (base == MAP_FAILED || !status || !w) {
		perror("anon_fault: alloc");
		return 1;
	}
	/* Without -T no THP: placement is counted per base page, faulted one by one. */
	if (!use_thp)
		madvise(base, len, MADV_NOHUGEPAGE);
	else if (madv_huge && madvise(base, len, MADV_HUGEPAGE)) {
		perror("anon_fault: MADV_HUGEPAGE");
		return 1;
	}

	for (long pass = 0; pass < passes; pass++) {
		if (pass)
			madvise(base, len, MADV_DONTNEED);
		t0 = now();
		for (long i = 0; i < threads; i++) {
			w[i].base = base + i * per;
			w[i].len = i == threads - 1 ? len - i * per : per;
			pthread_create(&w[i].thread, NULL, touch, &w[i]);
		}
		for (long i = 0; i < threads; i++)
			pthread_join(w[i].thread, NULL);
		elapsed += now() - t0;
	}
	if (lock && mlock(base, len)) {
		perror("anon_fault: mlock");
		return 1;
	}
	if (access) {
		read_only = true;
		access_end = now() + access;
		for (long i = 0; i < threads; i++)
			pthread_create(&w[i].thread, NULL, access_loop, &w[i]);
		for (long i = 0; i < threads; i++)
			pthread_join(w[i].thread, NULL);
	}
	if (use_thp) {
		thp = calloc(npages, sizeof(*thp));
		if (!thp || page_thp(base, npages, thp)) {
			perror("anon_fault: pagemap");
			return 1;
		}
	}

	if (page_nodes(base, npages, status)) {
		perror("anon_fault: move_pages");
		return 1;
	}
	for (long i = 0; i < threads; i++) {
		size_t first = (w[i].base - base) / page_size;
		size_t n = w[i].len / page_size;

		for (size_t j = 0; j < n; j++) {
			int nid = status[first + j];
			int h = j >= n / 2;

			if (nid >= 0 && nid < NU_MAX_NODES) {
				counts[nid]++;
				if (thp && thp[first + j]) {
					thp_counts[nid]++;
					thp_total++;
				}
			}
			half_total[h]++;
			half_local[h] += nid == node;
		}
	}
	for (int i = 0; i < NU_MAX_NODES; i++)
		if (counts[i])
			printf("node %d %ld\n", i, counts[i]);
	printf("pages %zu\n", npages);
	for (int i = 0; thp && i < NU_MAX_NODES; i++)
		if (thp_counts[i])
			printf("thp_node %d %ld\n", i, thp_counts[i]);
	if (thp)
		printf("thp_pages %ld\n", thp_total);
	if (access)
		printf("access_passes %ld\n", access_passes / threads);
	printf("local_pct %.1f\n", 100.0 * counts[node] / npages);
	printf("first_half_local_pct %.1f\n", 100.0 * half_local[0] / (half_total[0] ?: 1));
	printf("second_half_local_pct %.1f\n", 100.0 * half_local[1] / (half_total[1] ?: 1));
	if (cgroup)
		print_numa_stat(cgroup);
	printf("fault_mib_per_s %.1f\n", passes * (len >> 20) / elapsed);
	fflush(stdout);
	if (hold)
		sleep(hold);
	return 0;
usage:
	fprintf(stderr, "usage: anon_fault [-n NODE] [-b] [-l] [-T | -M] [-t THREADS] [-R PASSES] [-A SECONDS] [-H SECONDS] [-c CGROUP] [-f FILE [-o OFFSET_MIB]] MIB\n");
	return 2;
}
