/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA helpers for the workload programs, by raw syscalls so the programs
 * build static without libnuma: binding to a node, node meminfo, and page
 * placement through move_pages(2).
 */
#ifndef NUMA_UTIL_H
#define NUMA_UTIL_H

#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_DEFAULT	0
#define MPOL_BIND	2
#define NU_MAX_NODES	64

/* A node's CPUs as a cpu_set_t; false if the node has none. */
static inline bool node_cpus(long node, cpu_set_t *set)
{
	char path[96], buf[256], *s = buf, *end;
	FILE *f;

	CPU_ZERO(set);
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%ld/cpulist", node);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	while (*s && *s != '\n') {
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s)
			break;
		s = end;
		if (*s == '-') {
			hi = strtol(s + 1, &end, 10);
			s = end;
		}
		for (long c = lo; c <= hi; c++)
			CPU_SET(c, set);
		if (*s == ',')
			s++;
	}
	return CPU_COUNT(set) > 0;
}

/* Runs the caller on NODE's CPUs, and if membind, allocates only there. */
static inline int bind_to_node(long node, bool membind)
{
	cpu_set_t set;

	if (node_cpus(node, &set) && sched_setaffinity(0, sizeof(set), &set))
		return -1;
	if (membind) {
		unsigned long mask[NU_MAX_NODES / 64] = { 0 };

		mask[node / 64] |= 1UL << (node % 64);
		if (syscall(SYS_set_mempolicy, MPOL_BIND, mask, NU_MAX_NODES + 1))
			return -1;
	}
	return 0;
}

/* One field of /sys/devices/system/node/nodeN/meminfo, in kB; -1 if absent. */
static inline long node_meminfo_kb(long node, const char *field)
{
	char path[96], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%ld/meminfo", node);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, field);

		if (p) {
			kb = strtol(p + strlen(field), NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

#endif /* NUMA_UTIL_H */
