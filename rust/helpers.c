// SPDX-License-Identifier: GPL-2.0
/*
 * What Rust cannot reach directly: static inlines and macros
 * (node_online(), node_distance(), parent_mem_cgroup(), cgroup_id(),
 * this_cpu_add(), capable()), one small function each.  No policy lives
 * here.  Built into local_reclaim.ko and, through kunit_helpers.c, into
 * the KUnit test module.
 */
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/memcontrol.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/topology.h>

#include "shim.h"

bool lr_node_online(int nid)
{
	return nid >= 0 && nid < nr_node_ids && node_online(nid);
}

bool lr_node_has_cpus(int nid)
{
	return nid >= 0 && nid < nr_node_ids && node_state(nid, N_CPU);
}

/* node_distance() is a macro on most architectures: reach it from Rust. */
int lr_node_distance(int from, int to)
{
	if (from < 0 || from >= nr_node_ids || to < 0 || to >= nr_node_ids)
		return REMOTE_DISTANCE;
	return node_distance(from, to);
}

struct mem_cgroup *lr_memcg_parent(struct mem_cgroup *memcg)
{
	return parent_mem_cgroup(memcg);
}

u64 lr_memcg_id(struct mem_cgroup *memcg)
{
	return cgroup_id(memcg->css.cgroup);
}

/* Per-CPU counter arrays (counters.rs): this_cpu_add() is a macro. */
u64 *lr_pcpu_alloc(size_t len)
{
	return (u64 __force *)__alloc_percpu_gfp(len * sizeof(u64), sizeof(u64),
						 GFP_KERNEL);
}

void lr_pcpu_free(u64 *pcpu)
{
	free_percpu((u64 __percpu __force *)pcpu);
}

/* Any context, NMI included: one per-CPU add. */
void lr_pcpu_add(u64 *pcpu, size_t idx, u64 n)
{
	u64 __percpu *p = (u64 __percpu __force *)pcpu;

	this_cpu_add(p[idx], n);
}

u64 lr_pcpu_sum(u64 *pcpu, size_t idx)
{
	u64 __percpu *p = (u64 __percpu __force *)pcpu;
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(&p[idx], cpu));
	return sum;
}

/* Writes reclaim other tenants' page cache: init-namespace admins only. */
bool lr_capable_admin(void)
{
	return capable(CAP_SYS_ADMIN);
}
