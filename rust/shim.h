/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Functions shim.c provides to the Rust side.  The Rust declarations in
 * the crate must match these.
 */
#ifndef LOCAL_RECLAIM_SHIM_H
#define LOCAL_RECLAIM_SHIM_H

#include <linux/types.h>

bool lr_node_online(int nid);

#endif /* LOCAL_RECLAIM_SHIM_H */
