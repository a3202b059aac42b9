/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the C side (helpers.c, files.c) and the Rust
 * crate: the functions the C side provides (declared again in the Rust
 * files that call them) and the Rust handlers files.c calls.  Keep both
 * sides in sync.
 */
#ifndef LOCAL_RECLAIM_SHIM_H
#define LOCAL_RECLAIM_SHIM_H

#include <linux/types.h>

struct lr_files;
struct mem_cgroup;
struct seq_file;

/* Provided by helpers.c. */
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

/* Provided by files.c. */
struct lr_files *lr_files_add(const void *ctx, const char *const *counters, unsigned int nr);
void lr_files_remove(struct lr_files *files);

/* Provided by Rust (sysfs.rs, cgroup_files.rs), one per file and operation. */
ssize_t lr_sysfs_mode_show(const void *ctx, char *buf);
ssize_t lr_sysfs_mode_store(const void *ctx, const char *buf, size_t len);
ssize_t lr_sysfs_distance_show(const void *ctx, char *buf);
ssize_t lr_sysfs_distance_store(const void *ctx, const char *buf, size_t len);
ssize_t lr_sysfs_cgroup_states_show(const void *ctx, char *buf);
ssize_t lr_sysfs_counter_show(const void *ctx, unsigned int counter, char *buf);
int lr_cgroup_mode_show(const void *ctx, struct mem_cgroup *memcg, struct seq_file *sf);
int lr_cgroup_distance_show(const void *ctx, struct mem_cgroup *memcg, struct seq_file *sf);
int lr_cgroup_stat_show(const void *ctx, struct mem_cgroup *memcg, struct seq_file *sf);
ssize_t lr_cgroup_mode_write(const void *ctx, struct mem_cgroup *memcg, const char *buf,
			     size_t len, bool opener_admin);
ssize_t lr_cgroup_distance_write(const void *ctx, struct mem_cgroup *memcg, const char *buf,
				 size_t len, bool opener_admin);

#endif /* LOCAL_RECLAIM_SHIM_H */
