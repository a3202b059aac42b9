// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's NUMA topology is what run-guest was asked for: node count,
 * each node's CPUs and memory, and the SLIT distance matrix.
 *
 * Expected values come from the environment, written independently of
 * run-guest's own parsing by the test runner:
 *   LR_EXPECT_NODES  "MEM:CPUS,..." as given to run-guest --nodes
 *   LR_EXPECT_DIST   rows of the full matrix, "10 21;21 10"
 */
#include <sys/klog.h>

#include "kselftest_harness.h"
#include "lr_util.h"

struct expect {
	int nr_nodes;
	long mem_mib[LR_MAX_NODES];
	long long cpus[LR_MAX_NODES];
	int dist[LR_MAX_NODES][LR_MAX_NODES];
};

static int parse_expect(struct expect *e)
{
	const char *nodes = getenv("LR_EXPECT_NODES");
	const char *dist = getenv("LR_EXPECT_DIST");
	char *copy, *tok, *save;
	int n = 0;

	if (!nodes || !dist)
		return -1;
	copy = strdup(nodes);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');

		if (!colon || n >= LR_MAX_NODES)
			return -1;
		*colon = '\0';
		e->mem_mib[n] = atol(tok);
		e->cpus[n] = colon[1] ? lr_parse_list(colon + 1) : 0;
		n++;
	}
	free(copy);
	e->nr_nodes = n;

	copy = strdup(dist);
	n = 0;
	for (tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		char *p = tok, *end;

		for (int j = 0; j < e->nr_nodes; j++) {
			e->dist[n][j] = strtol(p, &end, 10);
			if (end == p)
				return -1;
			p = end;
		}
		n++;
	}
	free(copy);
	return n == e->nr_nodes ? 0 : -1;
}

FIXTURE(topology) {
	struct expect e;
};

FIXTURE_SETUP(topology)
{
	LR_REQUIRE(!parse_expect(&self->e),
		   "LR_EXPECT_NODES / LR_EXPECT_DIST not set: run through make check");
}

FIXTURE_TEARDOWN(topology) {}

TEST_F(topology, node_count)
{
	char buf[256];
	long long online;

	ASSERT_GT(lr_read_file(LR_NODE_DIR "/online", buf, sizeof(buf)), 0);
	online = lr_parse_list(buf);
	TH_LOG("online nodes: %s", strtok(buf, "\n"));
	ASSERT_EQ(online, (1LL << self->e.nr_nodes) - 1);
}

TEST_F(topology, node_cpus)
{
	char path[128], buf[256];

	for (int i = 0; i < self->e.nr_nodes; i++) {
		snprintf(path, sizeof(path), LR_NODE_DIR "/node%d/cpulist", i);
		ASSERT_GE(lr_read_file(path, buf, sizeof(buf)), 0);
		TH_LOG("node%d cpus: '%s'", i, strtok(buf, "\n") ?: "");
		EXPECT_EQ(lr_parse_list(buf), self->e.cpus[i]);
	}
	/* The CPU-less nodes are exactly those without N_CPU. */
	ASSERT_GE(lr_read_file(LR_NODE_DIR "/has_cpu", buf, sizeof(buf)), 0);
	long long want = 0;

	for (int i = 0; i < self->e.nr_nodes; i++)
		if (self->e.cpus[i])
			want |= 1LL << i;
	EXPECT_EQ(lr_parse_list(buf), want);
}

/* Whether the kernel runs with KASAN (the debug kernel), from its log. */
static bool kasan_on(void)
{
	static char log[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);

	if (n < 0)
		return false;
	log[n] = '\0';
	return strstr(log, "KernelAddressSanitizer initialized");
}

TEST_F(topology, node_memory)
{
	char path[128], buf[4096];
	long total = 0, shadow = 0;

	/* KASAN's shadow, an eighth of all memory, is taken from node 0. */
	for (int i = 0; i < self->e.nr_nodes; i++)
		total += self->e.mem_mib[i];
	if (kasan_on())
		shadow = total / 8;
	for (int i = 0; i < self->e.nr_nodes; i++) {
		long kb;
		char *p;

		snprintf(path, sizeof(path), LR_NODE_DIR "/node%d/meminfo", i);
		ASSERT_GT(lr_read_file(path, buf, sizeof(buf)), 0);
		p = strstr(buf, "MemTotal:");
		ASSERT_NE(NULL, p);
		kb = strtol(p + strlen("MemTotal:"), NULL, 10);
		TH_LOG("node%d MemTotal %ld MiB (asked %ld)", i, kb / 1024, self->e.mem_mib[i]);
		/* Firmware and the kernel image take some; never more than asked. */
		EXPECT_LE(kb / 1024, self->e.mem_mib[i]);
		EXPECT_GE(kb / 1024, self->e.mem_mib[i] * 80 / 100 - (i == 0 ? shadow : 0));
	}
}

TEST_F(topology, distance_matrix)
{
	char path[128], buf[512];

	for (int i = 0; i < self->e.nr_nodes; i++) {
		char *p = buf, *end;

		snprintf(path, sizeof(path), LR_NODE_DIR "/node%d/distance", i);
		ASSERT_GT(lr_read_file(path, buf, sizeof(buf)), 0);
		TH_LOG("node%d distance: %s", i, strtok(buf, "\n"));
		for (int j = 0; j < self->e.nr_nodes; j++) {
			long d = strtol(p, &end, 10);

			ASSERT_NE(p, end);
			EXPECT_EQ(d, self->e.dist[i][j]) TH_LOG("distance %d->%d", i, j);
			p = end;
		}
	}
}

TEST_HARNESS_MAIN
