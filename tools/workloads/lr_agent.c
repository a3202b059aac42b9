// SPDX-License-Identifier: GPL-2.0
/*
 * lr_agent: the best a user can do on an unpatched 7.3 kernel to keep a
 * node from running short: watch the node's free memory and, before it
 * falls to the watermark at which the allocator spills to another node,
 * ask the node to reclaim through /sys/devices/system/node/nodeN/reclaim
 * (proactive reclaim, in the kernel since 6.17).  The benchmark runs it as
 * the "agent" configuration, next to zone_reclaim_mode, DAMOS and the
 * module.
 *
 *   lr_agent [-i INTERVAL_MS] [-m MARGIN_MIB] [-b BATCH_MIB] [-s SWAPPINESS]
 *            [-T SECONDS] NODE...
 *
 * Every INTERVAL_MS (default 10) it reads each NODE's MemFree; when that is
 * below the node's high watermarks plus MARGIN_MIB (default 32), it writes
 * the deficit plus BATCH_MIB (default 16) to the node's reclaim file.  The
 * zones' high watermarks are re-read from /proc/zoneinfo every second
 * (khugepaged and hotplug change them).  -s passes "swappiness=N" with each
 * request (default: none, the kernel's vm.swappiness).  -T stops after
 * SECONDS; otherwise it runs until SIGTERM or SIGINT, and then prints
 * "node N polls=... requests=... requested_kb=... busy=... again=...
 * errors=..." per node: busy counts EBUSY (another reclaimer holds the
 * node: the file takes PGDAT_RECLAIM_LOCKED, as zone_reclaim_mode does),
 * again EAGAIN (the node had nothing left to reclaim).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "numa_util.h"

struct node_state {
	long node;
	int fd;
	long high_kb;
	unsigned long polls, requests, requested_kb, busy, again, errors;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The sum of NODE's zones' high watermarks, in kB; -1 if unreadable. */
static long high_watermarks_kb(long node)
{
	char line[256], want[32];
	long pages = 0;
	bool on = false;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "Node %ld,", node);
	while (fgets(line, sizeof(line), f)) {
		long v;

		if (!strncmp(line, "Node ", 5))
			on = !strncmp(line, want, strlen(want));
		else if (on && sscanf(line, " high %ld", &v) == 1)
			pages += v;
	}
	fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

static void usage(void)
{
	fprintf(stderr, "usage: lr_agent [-i INTERVAL_MS] [-m MARGIN_MIB] [-b BATCH_MIB] "
		"[-s SWAPPINESS] [-T SECONDS] NODE...\n");
	exit(2);
}

static long number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	long interval_ms = 10, margin_kb = 32 * 1024, batch_kb = 16 * 1024, swappiness = -1;
	long seconds = 0;
	struct timespec start, now, last_high;
	struct node_state *nodes;
	int nr, opt;

	while ((opt = getopt(argc, argv, "i:m:b:s:T:")) != -1) {
		switch (opt) {
		case 'i': interval_ms = number(optarg, 1, 60000); break;
		case 'm': margin_kb = number(optarg, 0, 1 << 20) * 1024; break;
		case 'b': batch_kb = number(optarg, 1, 1 << 20) * 1024; break;
		case 's': swappiness = number(optarg, 0, 200); break;
		case 'T': seconds = number(optarg, 1, 86400); break;
		default: usage();
		}
	}
	nr = argc - optind;
	if (nr < 1)
		usage();
	nodes = calloc(nr, sizeof(*nodes));
	if (!nodes)
		return 1;
	for (int i = 0; i < nr; i++) {
		char path[96];

		nodes[i].node = number(argv[optind + i], 0, NU_MAX_NODES - 1);
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%ld/reclaim",
			 nodes[i].node);
		nodes[i].fd = open(path, O_WRONLY);
		if (nodes[i].fd < 0) {
			fprintf(stderr, "lr_agent: %s: %s\n", path, strerror(errno));
			return 1;
		}
		nodes[i].high_kb = high_watermarks_kb(nodes[i].node);
		if (nodes[i].high_kb < 0) {
			fprintf(stderr, "lr_agent: cannot read /proc/zoneinfo\n");
			return 1;
		}
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	clock_gettime(CLOCK_MONOTONIC, &start);
	last_high = start;

	while (!stop) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (seconds && now.tv_sec - start.tv_sec >= seconds)
			break;
		bool refresh = now.tv_sec > last_high.tv_sec;

		if (refresh)
			last_high = now;
		for (int i = 0; i < nr; i++) {
			struct node_state *n = &nodes[i];
			long free_kb = node_meminfo_kb(n->node, "MemFree:");
			char req[64];
			long want;
			int len;

			if (refresh)
				n->high_kb = high_watermarks_kb(n->node);
			n->polls++;
			if (free_kb < 0 || free_kb >= n->high_kb + margin_kb)
				continue;
			want = n->high_kb + margin_kb - free_kb + batch_kb;
			if (swappiness >= 0)
				len = snprintf(req, sizeof(req), "%ldK swappiness=%ld", want, swappiness);
			else
				len = snprintf(req, sizeof(req), "%ldK", want);
			n->requests++;
			n->requested_kb += want;
			if (write(n->fd, req, len) < 0) {
				if (errno == EBUSY)
					n->busy++;
				else if (errno == EAGAIN)
					n->again++;
				else
					n->errors++;
			}
		}
		usleep(interval_ms * 1000);
	}
	for (int i = 0; i < nr; i++) {
		struct node_state *n = &nodes[i];

		printf("node %ld polls=%lu requests=%lu requested_kb=%lu busy=%lu again=%lu errors=%lu\n",
		       n->node, n->polls, n->requests, n->requested_kb, n->busy, n->again, n->errors);
		close(n->fd);
	}
	free(nodes);
	return 0;
}
