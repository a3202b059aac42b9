// SPDX-License-Identifier: GPL-2.0
/*
 * fill_node: fill one NUMA node with clean page cache by reading a file
 * with the task bound (CPU and memory policy) to that node.
 *
 *   fill_node [-u] [-s] [-o OFFSET_MIB] NODE [MIB] [FILE]
 *
 * MIB defaults to the node's MemTotal; FILE to /mnt/scratch/fill.  The
 * memory binding keeps the page cache on NODE: once it is full, the node
 * reclaims its own older page cache rather than spilling elsewhere.
 * -u reads on NODE's CPUs without binding the memory, the way an ordinary
 * task fills its node: once the node is short, the page cache spills.
 * -o starts reading at that offset, so that filling several nodes uses
 * different parts of FILE (pages already cached elsewhere are not read).
 * -s reads without readahead (POSIX_FADV_RANDOM), so the page cache is
 * made of single pages: readahead's large folios need free blocks of
 * their order, and on a fragmented node they go to another node while
 * the node still has free memory.  With -s a fragmented node fills as a
 * fresh one does.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "numa_util.h"

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	bool membind = true, small = false;
	const char *file;
	long node, mib, done = 0, offset = 0;
	int fd, opt;

	while ((opt = getopt(argc, argv, "uso:")) != -1) {
		switch (opt) {
		case 'u': membind = false; break;
		case 's': small = true; break;
		case 'o': offset = atol(optarg); break;
		default: goto usage;
		}
	}
	argv += optind - 1;
	argc -= optind - 1;
	if (argc < 2 || offset < 0)
		goto usage;
	file = argc > 3 ? argv[3] : "/mnt/scratch/fill";
	node = strtol(argv[1], NULL, 10);
	mib = argc > 2 ? strtol(argv[2], NULL, 10) : node_meminfo_kb(node, "MemTotal:") / 1024;
	if (node < 0 || mib <= 0) {
		fprintf(stderr, "fill_node: bad node %ld or size %ld\n", node, mib);
		return 2;
	}
	if (bind_to_node(node, membind)) {
		perror("fill_node: bind");
		return 1;
	}
	fd = open(file, O_RDONLY);
	if (fd < 0 || lseek(fd, (off_t)offset << 20, SEEK_SET) < 0) {
		perror(file);
		return 1;
	}
	if (small && posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM)) {
		perror("fill_node: posix_fadvise");
		return 1;
	}
	while (done < mib) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0) {
			perror("read");
			return 1;
		}
		if (n == 0) {
			fprintf(stderr, "fill_node: %s ended after %ld MiB\n", file, done);
			break;
		}
		done++;
	}
	close(fd);
	printf("fill_node: read %ld MiB on node %ld, node FilePages now %ld MiB\n",
	       done, node, node_meminfo_kb(node, "FilePages:") / 1024);
	return 0;
usage:
	fprintf(stderr, "usage: fill_node [-u] [-s] [-o OFFSET_MIB] NODE [MIB] [FILE]\n");
	return 2;
}
