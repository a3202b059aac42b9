// SPDX-License-Identifier: GPL-2.0
/*
 * lr_charge_probe: page allocations charged to another task's memory
 * cgroup, the way the kernel charges remotely (set_active_memcg(), as bpf
 * maps, fanotify and io_uring do), for tests/hooks_test.c.
 *
 * Writing "PID NID PAGES" to /sys/kernel/debug/lr_charge_probe/alloc
 * allocates PAGES order-0 pages on node NID with GFP_KERNEL_ACCOUNT from
 * the writer's context, charged to the memory cgroup of task PID (PID 0:
 * the writer's own), holds them all, then frees them.  "PID NID PAGES
 * nolock" allocates them with alloc_pages_nolock() instead, as BPF
 * programs and tracing do from any context; "PID NID PAGES noretry" with
 * __GFP_NORETRY added; "PID NID PAGES costly" as order-4 blocks (PAGES
 * counts blocks), above PAGE_ALLOC_COSTLY_ORDER.
 *
 * "hold NID" takes node NID's PGDAT_RECLAIM_LOCKED, as a long node reclaim
 * by another task would, until "release NID" (or the module's unload):
 * the policy's reclaims of that node then wait, and their wait can be
 * measured.  Reading the file
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
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>

#define LR_PROBE_MAX_PAGES (SZ_4G >> PAGE_SHIFT)

static DEFINE_MUTEX(probe_lock);	/* one allocation run at a time */
static unsigned long last_pages, last_local;
static nodemask_t held;		/* nodes whose reclaim lock we hold */

/* Takes (@hold) or gives back node @nid's reclaim lock; 0 or -errno. */
static int reclaim_lock(int nid, bool hold)
{
	unsigned long *flags = &NODE_DATA(nid)->flags;
	int ret = 0;

	mutex_lock(&probe_lock);
	if (hold) {
		if (node_isset(nid, held))
			ret = -EALREADY;
		else if (test_and_set_bit_lock(PGDAT_RECLAIM_LOCKED, flags))
			ret = -EBUSY;
		else
			node_set(nid, held);
	} else if (!node_isset(nid, held)) {
		ret = -ENOENT;
	} else {
		node_clear(nid, held);
		clear_bit_unlock(PGDAT_RECLAIM_LOCKED, flags);
	}
	mutex_unlock(&probe_lock);
	return ret;
}

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
	char buf[64], how[8] = "";
	LIST_HEAD(pages);
	int pid, nid, n;
	unsigned int order = 0;
	gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_NOWARN;
	bool nolock;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "hold %d", &nid) == 1 || sscanf(buf, "release %d", &nid) == 1) {
		if (nid < 0 || nid >= MAX_NUMNODES || !node_online(nid))
			return -EINVAL;
		n = reclaim_lock(nid, buf[0] == 'h');
		return n ? n : len;
	}
	n = sscanf(buf, "%d %d %lu %7s", &pid, &nid, &nr_pages, how);
	nolock = n == 4 && !strcmp(how, "nolock");
	if (n == 4 && !strcmp(how, "noretry"))
		gfp |= __GFP_NORETRY;
	else if (n == 4 && !strcmp(how, "costly"))
		order = PAGE_ALLOC_COSTLY_ORDER + 1;
	else if (n < 3 || (n == 4 && !nolock))
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
		if (nolock)
			page = alloc_pages_nolock(__GFP_ACCOUNT, nid, 0);
		else
			page = alloc_pages_node(nid, gfp, order);
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
		__free_pages(page, order);
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
	int nid;

	debugfs_remove(probe_dir);
	for_each_node_mask(nid, held)
		clear_bit_unlock(PGDAT_RECLAIM_LOCKED, &NODE_DATA(nid)->flags);
}

module_init(lr_charge_probe_init);
module_exit(lr_charge_probe_exit);
MODULE_DESCRIPTION("Page allocations charged to another cgroup, for local_reclaim's selftests");
MODULE_LICENSE("GPL");
