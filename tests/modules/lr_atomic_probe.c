// SPDX-License-Identifier: GPL-2.0
/*
 * lr_atomic_probe: a timer-driven GFP_ATOMIC allocator, for measuring
 * whether atomic allocations on a node stall or fail while a workload
 * drives that node to its min watermark (tests/atomic_test.c).
 *
 * A soft hrtimer fires every period_us microseconds; each expiry allocates
 * batch order-0 pages on node nid with GFP_ATOMIC (and __GFP_THISNODE if
 * thisnode is set: no fallback to another node), then frees them.  The
 * counters are in /sys/kernel/debug/lr_atomic_probe/stats:
 *
 *   ticks N          timer expiries
 *   attempts N       allocation attempts
 *   successes N      pages obtained
 *   local N          of which on node nid
 *   failures N       attempts that returned NULL
 *   max_gap_us N     longest time between two expiries (a stalled CPU or
 *                    softirq shows here)
 *
 * Writing anything to the file zeroes the counters.
 */
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int nid;
module_param(nid, int, 0444);
MODULE_PARM_DESC(nid, "node to allocate on (default 0)");

static unsigned int period_us = 1000;
module_param(period_us, uint, 0444);
MODULE_PARM_DESC(period_us, "timer period in microseconds (default 1000)");

static bool thisnode;
module_param(thisnode, bool, 0444);
MODULE_PARM_DESC(thisnode, "allocate with __GFP_THISNODE: node nid or nothing (default off)");

static unsigned int batch = 8;
module_param(batch, uint, 0444);
MODULE_PARM_DESC(batch, "pages allocated per expiry, at most 64 (default 8)");

#define LR_PROBE_MAX_BATCH 64

static struct {
	spinlock_t lock;	/* the counters, against reset and show */
	u64 ticks, attempts, successes, local, failures;
	u64 max_gap_ns;
	ktime_t last;
} probe;

static struct hrtimer probe_timer;
static struct dentry *probe_dir;

static enum hrtimer_restart probe_tick(struct hrtimer *t)
{
	struct page *pages[LR_PROBE_MAX_BATCH];
	unsigned int got = 0, local = 0, i;
	ktime_t now = ktime_get();
	unsigned long flags;

	for (i = 0; i < batch; i++) {
		pages[got] = alloc_pages_node(nid, GFP_ATOMIC | __GFP_NOWARN |
					      (thisnode ? __GFP_THISNODE : 0), 0);
		if (!pages[got])
			continue;
		if (page_to_nid(pages[got]) == nid)
			local++;
		got++;
	}
	for (i = 0; i < got; i++)
		__free_page(pages[i]);

	spin_lock_irqsave(&probe.lock, flags);
	probe.ticks++;
	probe.attempts += batch;
	probe.successes += got;
	probe.local += local;
	probe.failures += batch - got;
	if (probe.last && ktime_to_ns(ktime_sub(now, probe.last)) > probe.max_gap_ns)
		probe.max_gap_ns = ktime_to_ns(ktime_sub(now, probe.last));
	probe.last = now;
	spin_unlock_irqrestore(&probe.lock, flags);

	hrtimer_forward_now(t, ns_to_ktime((u64)period_us * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static int stats_show(struct seq_file *m, void *v)
{
	unsigned long flags;

	spin_lock_irqsave(&probe.lock, flags);
	seq_printf(m, "ticks %llu\nattempts %llu\nsuccesses %llu\nlocal %llu\nfailures %llu\nmax_gap_us %llu\n",
		   probe.ticks, probe.attempts, probe.successes, probe.local,
		   probe.failures, div_u64(probe.max_gap_ns, NSEC_PER_USEC));
	spin_unlock_irqrestore(&probe.lock, flags);
	return 0;
}

static int stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, stats_show, NULL);
}

static ssize_t stats_write(struct file *file, const char __user *buf, size_t len,
			   loff_t *ppos)
{
	unsigned long flags;

	spin_lock_irqsave(&probe.lock, flags);
	probe.ticks = 0;
	probe.attempts = 0;
	probe.successes = 0;
	probe.local = 0;
	probe.failures = 0;
	probe.max_gap_ns = 0;
	probe.last = 0;
	spin_unlock_irqrestore(&probe.lock, flags);
	return len;
}

static const struct file_operations stats_fops = {
	.owner = THIS_MODULE,
	.open = stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = stats_write,
};

static int __init lr_atomic_probe_init(void)
{
	if (nid < 0 || nid >= MAX_NUMNODES || !node_online(nid))
		return -EINVAL;
	if (!batch || batch > LR_PROBE_MAX_BATCH || !period_us)
		return -EINVAL;
	spin_lock_init(&probe.lock);
	probe_dir = debugfs_create_dir("lr_atomic_probe", NULL);
	debugfs_create_file("stats", 0600, probe_dir, NULL, &stats_fops);
	hrtimer_setup(&probe_timer, probe_tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	hrtimer_start(&probe_timer, ns_to_ktime((u64)period_us * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_SOFT);
	return 0;
}

static void __exit lr_atomic_probe_exit(void)
{
	hrtimer_cancel(&probe_timer);
	debugfs_remove(probe_dir);
}

module_init(lr_atomic_probe_init);
module_exit(lr_atomic_probe_exit);
MODULE_DESCRIPTION("Timer-driven GFP_ATOMIC allocations, for local_reclaim's selftests");
MODULE_LICENSE("GPL");
