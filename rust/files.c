// SPDX-License-Identifier: GPL-2.0
/*
 * The static tables the kernel wants for local_reclaim's files (sysfs
 * attributes under /sys/kernel/mm/local_reclaim/, the memory.local_reclaim.*
 * cftypes), whose callbacks forward to one Rust handler per file and
 * operation (sysfs.rs, cgroup_files.rs); files.rs adds and removes them.
 * No policy lives here.
 */
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/kobject.h>
#include <linux/lockdep.h>
#include <linux/memcontrol.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "shim.h"

#define LR_MAX_COUNTERS 16

/* One file of stat/: the counter it shows, numbered by the Rust side. */
struct lr_counter_attr {
	struct kobj_attribute attr;
	unsigned int counter;
};

/*
 * The files of one load of the module: /sys/kernel/mm/local_reclaim/ (a
 * kobject of ours, so that its attributes find the module's state through
 * container_of(), as DAMON's sysfs does) and the memory.local_reclaim.*
 * cftypes (a copy per load, for the same reason).  @ctx is what the Rust
 * handlers work on.
 */
struct lr_files {
	struct kobject kobj;
	const void *ctx;
	struct lr_counter_attr counters[LR_MAX_COUNTERS];
	struct attribute *counter_attrs[LR_MAX_COUNTERS + 1];
	struct attribute_group stat_group;
	struct cftype cft[4];
};

static const void *lr_ctx_of_kobj(struct kobject *kobj)
{
	return container_of(kobj, struct lr_files, kobj)->ctx;
}

/* ---- /sys/kernel/mm/local_reclaim/ ---- */

static ssize_t mode_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return lr_sysfs_mode_show(lr_ctx_of_kobj(kobj), buf);
}

static ssize_t mode_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t len)
{
	return lr_sysfs_mode_store(lr_ctx_of_kobj(kobj), buf, len);
}

static ssize_t node_reclaim_distance_show(struct kobject *kobj, struct kobj_attribute *attr,
					  char *buf)
{
	return lr_sysfs_distance_show(lr_ctx_of_kobj(kobj), buf);
}

static ssize_t node_reclaim_distance_store(struct kobject *kobj, struct kobj_attribute *attr,
					   const char *buf, size_t len)
{
	return lr_sysfs_distance_store(lr_ctx_of_kobj(kobj), buf, len);
}

static ssize_t cgroup_states_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return lr_sysfs_cgroup_states_show(lr_ctx_of_kobj(kobj), buf);
}

/* stat/<counter>: one counter, per node. */
static ssize_t counter_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return lr_sysfs_counter_show(lr_ctx_of_kobj(kobj),
				     container_of(attr, struct lr_counter_attr, attr)->counter,
				     buf);
}

static struct kobj_attribute mode_attr = __ATTR_RW_MODE(mode, 0644);
static struct kobj_attribute node_reclaim_distance_attr =
	__ATTR_RW_MODE(node_reclaim_distance, 0644);
static struct kobj_attribute cgroup_states_attr = __ATTR_RO_MODE(cgroup_states, 0444);

static struct attribute *lr_attrs[] = {
	&mode_attr.attr,
	&node_reclaim_distance_attr.attr,
	&cgroup_states_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(lr);

static void lr_files_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct lr_files, kobj));
}

static const struct kobj_type lr_files_ktype = {
	.release = lr_files_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = lr_groups,
};

/* ---- memory.local_reclaim.* in every non-root memory cgroup ---- */

enum { LR_CG_MODE, LR_CG_DISTANCE, LR_CG_STAT };

#define LR_CTX_OF_CFT(c, i)	(container_of((c), struct lr_files, cft[i])->ctx)

static int cg_mode_show(struct seq_file *sf, void *v)
{
	return lr_cgroup_mode_show(LR_CTX_OF_CFT(seq_cft(sf), LR_CG_MODE),
				   mem_cgroup_from_css(seq_css(sf)), sf);
}

static int cg_distance_show(struct seq_file *sf, void *v)
{
	return lr_cgroup_distance_show(LR_CTX_OF_CFT(seq_cft(sf), LR_CG_DISTANCE),
				       mem_cgroup_from_css(seq_css(sf)), sf);
}

static int cg_stat_show(struct seq_file *sf, void *v)
{
	return lr_cgroup_stat_show(LR_CTX_OF_CFT(seq_cft(sf), LR_CG_STAT),
				   mem_cgroup_from_css(seq_css(sf)), sf);
}

/*
 * Whoever opened the file decides, as cgroup core does for a delegated
 * cgroup.procs: a descriptor an unprivileged task opened grants nothing
 * when a privileged one writes through it.
 */
static bool lr_opener_admin(struct kernfs_open_file *of)
{
	return file_ns_capable(of->file, &init_user_ns, CAP_SYS_ADMIN);
}

static ssize_t cg_mode_write(struct kernfs_open_file *of, char *buf, size_t nbytes,
			     loff_t off)
{
	return lr_cgroup_mode_write(LR_CTX_OF_CFT(of_cft(of), LR_CG_MODE),
				    mem_cgroup_from_css(of_css(of)), buf, nbytes,
				    lr_opener_admin(of));
}

static ssize_t cg_distance_write(struct kernfs_open_file *of, char *buf, size_t nbytes,
				 loff_t off)
{
	return lr_cgroup_distance_write(LR_CTX_OF_CFT(of_cft(of), LR_CG_DISTANCE),
					mem_cgroup_from_css(of_css(of)), buf, nbytes,
					lr_opener_admin(of));
}

static const struct cftype lr_cftypes[] = {
	[LR_CG_MODE] = {
		.name = "local_reclaim.mode",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = cg_mode_show,
		.write = cg_mode_write,
	},
	[LR_CG_DISTANCE] = {
		.name = "local_reclaim.distance",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = cg_distance_show,
		.write = cg_distance_write,
	},
	[LR_CG_STAT] = {
		.name = "local_reclaim.stat",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = cg_stat_show,
	},
	{ }	/* terminate */
};

static void lr_files_unregister_keys(struct lr_files *files)
{
	unsigned int i;

	for (i = 0; files->cft[i].name[0]; i++)
		lockdep_unregister_key(&files->cft[i].lockdep_key);
}

/*
 * Creates /sys/kernel/mm/local_reclaim/, with one file per counter named
 * in @counters (@nr of them) in its stat/, and the cgroup files; their
 * handlers get @ctx.  Returns the files, or an ERR_PTR().  @ctx and the
 * names must stay valid until lr_files_remove() returns.
 */
struct lr_files *lr_files_add(const void *ctx, const char *const *counters, unsigned int nr)
{
	struct lr_files *files;
	unsigned int i;
	int ret;

	if (nr > LR_MAX_COUNTERS)
		return ERR_PTR(-EINVAL);
	files = kzalloc_obj(*files, GFP_KERNEL);
	if (!files)
		return ERR_PTR(-ENOMEM);
	files->ctx = ctx;
	for (i = 0; i < nr; i++) {
		struct lr_counter_attr *c = &files->counters[i];

		sysfs_attr_init(&c->attr.attr);
		c->attr.attr.name = counters[i];
		c->attr.attr.mode = 0444;
		c->attr.show = counter_show;
		c->counter = i;
		files->counter_attrs[i] = &c->attr.attr;
	}
	files->stat_group.name = "stat";
	files->stat_group.attrs = files->counter_attrs;
	memcpy(files->cft, lr_cftypes, sizeof(lr_cftypes));
	/* Copies, not static: lockdep must be told of their keys (as hugetlb does). */
	for (i = 0; files->cft[i].name[0]; i++)
		lockdep_register_key(&files->cft[i].lockdep_key);
	ret = kobject_init_and_add(&files->kobj, &lr_files_ktype, mm_kobj, "local_reclaim");
	if (ret)
		goto put;
	ret = sysfs_create_group(&files->kobj, &files->stat_group);
	if (ret)
		goto put;
	ret = cgroup_add_dfl_cftypes(&memory_cgrp_subsys, files->cft);
	if (ret)
		goto remove_stat;
	return files;
remove_stat:
	sysfs_remove_group(&files->kobj, &files->stat_group);
put:
	lr_files_unregister_keys(files);
	kobject_put(&files->kobj);
	return ERR_PTR(ret);
}

/*
 * Removes the files lr_files_add() created; returns once no handler runs
 * any more.
 */
void lr_files_remove(struct lr_files *files)
{
	cgroup_rm_cftypes(files->cft);
	lr_files_unregister_keys(files);
	sysfs_remove_group(&files->kobj, &files->stat_group);
	kobject_del(&files->kobj);
	kobject_put(&files->kobj);
}
