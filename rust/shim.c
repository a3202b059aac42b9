// SPDX-License-Identifier: GPL-2.0
/*
 * C side of local_reclaim: static inlines and macros that Rust cannot
 * call directly.  No policy lives here.
 */
#include <linux/nodemask.h>

#include "shim.h"

bool lr_node_online(int nid)
{
	return nid >= 0 && nid < nr_node_ids && node_online(nid);
}
