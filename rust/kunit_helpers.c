// SPDX-License-Identifier: GPL-2.0
/*
 * helpers.c again, for local_reclaim_kunit.ko: Kbuild links an object into
 * one module only.
 */
#include "helpers.c"
