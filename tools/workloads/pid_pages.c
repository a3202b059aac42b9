// SPDX-License-Identifier: GPL-2.0
/*
 * pid_pages: where another process's resident pages are, by move_pages(2)
 * with no target nodes (status only), over every mapping in
 * /proc/PID/maps: the benchmark's placement figure for programs it did not
 * write (redis-server, stress-ng), next to memory.numa_stat and numastat -p.
 *
 *   pid_pages PID...
 *
 * Prints, summed over the PIDs, "anon N PAGES" and "file N PAGES" per node
 * with pages there (anonymous mappings, heap and stack; then file-backed
 * ones), then "anon_pages T" and "file_pages T".  Pages not present are not
 * counted.  Needs CAP_SYS_NICE for other users' tasks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "numa_util.h"

#define BATCH 4096

static unsigned long counts[2][NU_MAX_NODES];

static int scan(long pid, unsigned long start, unsigned long end, int kind, long page_size)
{
	static void *pages[BATCH];
	static int status[BATCH];

	for (unsigned long addr = start; addr < end;) {
		unsigned long n = 0;

		while (n < BATCH && addr < end) {
			pages[n++] = (void *)addr;
			addr += page_size;
		}
		if (syscall(SYS_move_pages, pid, n, pages, NULL, status, 0) < 0) {
			if (errno == ESRCH)
				return -1;
			/* A mapping that went away under us: skip it. */
			return 0;
		}
		for (unsigned long i = 0; i < n; i++)
			if (status[i] >= 0 && status[i] < NU_MAX_NODES)
				counts[kind][status[i]]++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long page_size = sysconf(_SC_PAGESIZE);
	unsigned long total[2] = { 0, 0 };

	if (argc < 2) {
		fprintf(stderr, "usage: pid_pages PID...\n");
		return 2;
	}
	for (int a = 1; a < argc; a++) {
		long pid = strtol(argv[a], NULL, 10);
		char path[64], line[512];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%ld/maps", pid);
		f = fopen(path, "r");
		if (!f) {
			fprintf(stderr, "pid_pages: %s: %s\n", path, strerror(errno));
			return 1;
		}
		while (fgets(line, sizeof(line), f)) {
			unsigned long start, end, inode;
			char perms[8], name[256] = "";
			int kind;

			if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %255s", &start, &end, perms,
				   &inode, name) < 4)
				continue;
			/* vsyscall and vvar pages are not the process's memory. */
			if (!strcmp(name, "[vsyscall]") || !strcmp(name, "[vvar]") ||
			    !strcmp(name, "[vdso]"))
				continue;
			kind = inode ? 1 : 0;
			if (scan(pid, start, end, kind, page_size)) {
				fprintf(stderr, "pid_pages: %ld exited\n", pid);
				fclose(f);
				return 1;
			}
		}
		fclose(f);
	}
	for (int k = 0; k < 2; k++)
		for (int n = 0; n < NU_MAX_NODES; n++)
			if (counts[k][n]) {
				printf("%s %d %lu\n", k ? "file" : "anon", n, counts[k][n]);
				total[k] += counts[k][n];
			}
	printf("anon_pages %lu\nfile_pages %lu\n", total[0], total[1]);
	return 0;
}
