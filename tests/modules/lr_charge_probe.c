// SPDX-License-Identifier: GPL-2.0
/*
 * lr_charge_probe: page allocations charged to another task's memory
 * cgroup, the way the kernel charges remotely (set_active_memcg(), as bpf
 * maps, fanotify and io_uring do), for tests/hooks_test.c.
 *
 * Writing "PID NID PAGES" to /sys/kernel/debug/lr_charge_probe/alloc
 * allocates PAGES order-0 pages on node NID with GFP_KERNEL_ACCOUNT from
 * the writer's context, charged to the memory cgroup of task PID (PID 0:
 * the writer's own), holds them all, then frees them.  Reading the file
 * prints what the last write got:
 *
 *   pages N     pages obtained
 *   local N     of which on node NID
 */
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>

#define LR_PROBE_MAX_PAGES (SZ_4G >> PAGE_SHIFT)

static DEFINE_MUTEX(probe_lock);	/* one allocation run at a time */
static unsigned long last_pages, last_local;
static struct dentry *probe_dir;

/* The memory cgroup of task @nr, with a reference; NULL if it has none. */
static struct mem_cgroup *memcg_of_pid(pid_t nr)
{
	struct mem_cgroup *memcg = NULL;
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;

	pid = find_get_pid(nr);
	task = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
	put_pid(pid);
	if (!task)
		return NULL;
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return NULL;
	memcg = get_mem_cgroup_from_mm(mm);
	mmput(mm);
	return memcg;
}

static ssize_t alloc_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct mem_cgroup *memcg = NULL, *old = NULL;
	unsigned long nr_pages, got = 0, local = 0;
	struct page *page, *next;
	char buf[64];
	LIST_HEAD(pages);
	int pid, nid;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%d %d %lu", &pid, &nid, &nr_pages) != 3)
		return -EINVAL;
	if (pid < 0 || nid < 0 || nid >= MAX_NUMNODES || !node_online(nid) ||
	    !nr_pages || nr_pages > LR_PROBE_MAX_PAGES)
		return -EINVAL;
	if (pid) {
		memcg = memcg_of_pid(pid);
		if (!memcg)
			return -ESRCH;
	}

	mutex_lock(&probe_lock);
	if (memcg)
		old = set_active_memcg(memcg);
	for (; got < nr_pages; got++) {
		page = alloc_pages_node(nid, GFP_KERNEL_ACCOUNT | __GFP_NOWARN, 0);
		if (!page)
			break;
		if (page_to_nid(page) == nid)
			local++;
		list_add(&page->lru, &pages);
		cond_resched();
	}
	if (memcg)
		set_active_memcg(old);
	list_for_each_entry_safe(page, next, &pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	last_pages = got;
	last_local = local;
	mutex_unlock(&probe_lock);
	mem_cgroup_put(memcg);
	return len;
}

static int alloc_show(struct seq_file *m, void *v)
{
	mutex_lock(&probe_lock);
	seq_printf(m, "pages %lu\nlocal %lu\n", last_pages, last_local);
	mutex_unlock(&probe_lock);
	return 0;
}

static int alloc_open(struct inode *inode, struct file *file)
{
	return single_open(file, alloc_show, NULL);
}

static const struct file_operations alloc_fops = {
	.owner = THIS_MODULE,
	.open = alloc_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = alloc_write,
};

static int __init lr_charge_probe_init(void)
{
	probe_dir = debugfs_create_dir("lr_charge_probe", NULL);
	debugfs_create_file("alloc", 0600, probe_dir, NULL, &alloc_fops);
	return 0;
}

static void __exit lr_charge_probe_exit(void)
{
	debugfs_remove(probe_dir);
}

module_init(lr_charge_probe_init);
module_exit(lr_charge_probe_exit);
MODULE_DESCRIPTION("Page allocations charged to another cgroup, for local_reclaim's selftests");
MODULE_LICENSE("GPL");
