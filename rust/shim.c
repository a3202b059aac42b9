// SPDX-License-Identifier: GPL-2.0
/*
 * C side of local_reclaim: what Rust cannot reach directly.  Static inlines
 * and macros (node_online(), parent_mem_cgroup(), cgroup_id(), gfp tests),
 * and the static tables the kernel wants (cftypes, sysfs attributes), whose
 * callbacks forward to the Rust handlers.  No policy lives here.
 */
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/gfp.h>
#include <linux/kobject.h>
#include <linux/memcontrol.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/sysfs.h>
#include <linux/topology.h>

#include "shim.h"

/* Must match sysfs.rs and cgroup_files.rs. */
enum { LR_KNOB_MODE, LR_KNOB_DISTANCE, LR_KNOB_STAT };
enum { LR_CG_MODE, LR_CG_DISTANCE, LR_CG_STAT };

/* The policy the handlers work on; set while the files exist. */
static const void *lr_ctx;

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

/* ---- /sys/kernel/mm/local_reclaim/ ---- */

struct lr_attr {
	struct kobj_attribute attr;
	unsigned int knob;
};

static ssize_t lr_attr_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return lr_sysfs_show(lr_ctx, container_of(attr, struct lr_attr, attr)->knob, buf);
}

static ssize_t lr_attr_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t len)
{
	return lr_sysfs_store(lr_ctx, container_of(attr, struct lr_attr, attr)->knob, buf, len);
}

#define LR_ATTR(_name, _mode, _knob)						\
	static struct lr_attr lr_attr_##_name = {				\
		.attr = __ATTR(_name, _mode, lr_attr_show, lr_attr_store),	\
		.knob = _knob,							\
	}

LR_ATTR(mode, 0644, LR_KNOB_MODE);
LR_ATTR(node_reclaim_distance, 0644, LR_KNOB_DISTANCE);
LR_ATTR(stat, 0444, LR_KNOB_STAT);

static struct attribute *lr_attrs[] = {
	&lr_attr_mode.attr.attr,
	&lr_attr_node_reclaim_distance.attr.attr,
	&lr_attr_stat.attr.attr,
	NULL,
};

static const struct attribute_group lr_attr_group = {
	.attrs = lr_attrs,
};

/* ---- memory.local_reclaim.* in every non-root memory cgroup ---- */

static int lr_cftype_show(struct seq_file *sf, void *v)
{
	struct mem_cgroup *memcg = mem_cgroup_from_css(seq_css(sf));

	return lr_cgroup_show(lr_ctx, seq_cft(sf)->private, memcg, sf);
}

static ssize_t lr_cftype_write(struct kernfs_open_file *of, char *buf, size_t nbytes,
			       loff_t off)
{
	struct mem_cgroup *memcg = mem_cgroup_from_css(of_css(of));
	/*
	 * Whoever opened the file decides, as cgroup core does for a
	 * delegated cgroup.procs: a descriptor an unprivileged task opened
	 * grants nothing when a privileged one writes through it.
	 */
	bool opener_admin = file_ns_capable(of->file, &init_user_ns, CAP_SYS_ADMIN);

	return lr_cgroup_write(lr_ctx, of_cft(of)->private, memcg, buf, nbytes, opener_admin);
}

static struct cftype lr_cftypes[] = {
	{
		.name = "local_reclaim.mode",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = lr_cftype_show,
		.write = lr_cftype_write,
		.private = LR_CG_MODE,
	},
	{
		.name = "local_reclaim.distance",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = lr_cftype_show,
		.write = lr_cftype_write,
		.private = LR_CG_DISTANCE,
	},
	{
		.name = "local_reclaim.stat",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = lr_cftype_show,
		.private = LR_CG_STAT,
	},
	{ }	/* terminate */
};

/*
 * Creates the knobs in @dir and in every memory cgroup.  @ctx is passed to
 * every handler; it must stay valid until lr_files_remove() returns.
 */
int lr_files_add(struct kobject *dir, const void *ctx)
{
	int ret;

	lr_ctx = ctx;
	ret = sysfs_create_group(dir, &lr_attr_group);
	if (ret)
		goto out;
	ret = cgroup_add_dfl_cftypes(&memory_cgrp_subsys, lr_cftypes);
	if (ret)
		sysfs_remove_group(dir, &lr_attr_group);
out:
	if (ret)
		lr_ctx = NULL;
	return ret;
}

/* Removes the knobs; returns once no handler runs any more. */
void lr_files_remove(struct kobject *dir)
{
	cgroup_rm_cftypes(lr_cftypes);
	sysfs_remove_group(dir, &lr_attr_group);
	lr_ctx = NULL;
}
