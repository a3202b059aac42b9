/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between shim.c and the Rust crate: functions shim.c
 * provides (declared again in the Rust files that call them) and the Rust
 * handlers it calls.  Keep both sides in sync.
 */
#ifndef LOCAL_RECLAIM_SHIM_H
#define LOCAL_RECLAIM_SHIM_H

#include <linux/types.h>

struct kobject;
struct mem_cgroup;
struct seq_file;

/* Provided by shim.c. */
bool lr_node_online(int nid);
bool lr_node_has_cpus(int nid);
int lr_node_distance(int from, int to);
struct mem_cgroup *lr_memcg_parent(struct mem_cgroup *memcg);
u64 lr_memcg_id(struct mem_cgroup *memcg);
u64 *lr_pcpu_alloc(size_t len);
void lr_pcpu_free(u64 *pcpu);
void lr_pcpu_add(u64 *pcpu, size_t idx, u64 n);
u64 lr_pcpu_sum(u64 *pcpu, size_t idx);
bool lr_capable_admin(void);
int lr_files_add(struct kobject *dir, const void *ctx);
void lr_files_remove(struct kobject *dir);

/* Provided by Rust (sysfs.rs, cgroup_files.rs). */
ssize_t lr_sysfs_show(const void *ctx, unsigned int knob, char *buf);
ssize_t lr_sysfs_store(const void *ctx, unsigned int knob, const char *buf, size_t len);
int lr_cgroup_show(const void *ctx, unsigned int file, struct mem_cgroup *memcg,
		   struct seq_file *sf);
ssize_t lr_cgroup_write(const void *ctx, unsigned int file, struct mem_cgroup *memcg,
			const char *buf, size_t len, bool opener_admin);

#endif /* LOCAL_RECLAIM_SHIM_H */
