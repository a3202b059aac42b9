// SPDX-License-Identifier: GPL-2.0
/*
 * Knob fuzzing: LR_FUZZ_INPUTS (default 10,000) inputs to each writable
 * knob, a third random bytes of length 0..8192, a third near-valid tokens
 * (valid ones with a byte flipped, inserted or dropped, a word repeated,
 * whitespace added), a third valid values in every spelling the grammar
 * allows.  The test's own model of the grammar (Documentation/admin-guide.rst)
 * says which inputs are valid: a valid write must return its length and
 * read back in canonical form, an invalid one must fail with EINVAL and
 * leave the value as it was, a zero-byte write must return 0 and change
 * nothing.  One exception is the cgroup core's, not ours: cgroup files
 * take at most a page per write (kernfs atomic_write_len), so a longer
 * write fails with E2BIG before reaching the handler, value unchanged.
 *
 * Then concurrent writers: two threads on the mode file, two on the
 * distance file of one cgroup, two threads reading its effective values
 * and eight threads allocating in it on a filled node while the hooks read
 * the same word.  Every pair read must be one the writers could have made
 * (never a mode or distance nobody wrote).  Then one writer per file, each
 * checking before every write that its previous write is still there while
 * the other rewrites the other half of the packed word: a read-modify-write
 * that is not atomic loses updates here.
 *
 * Prints "figure fuzz KNOB inputs=N valid=N invalid=N mismatches=N" and
 * "figure concurrent ...".
 */
#include <pthread.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lr_workload.h"

#define CG		LR_CG_ROOT "/lr_fuzz"
#define LR_MAX_INPUT	64	/* longest accepted write, policy.rs MAX_INPUT */
#define MAX_LEN		8192

static unsigned long long rng_state;

static unsigned int rnd(unsigned int n)
{
	/* xorshift64*: reproducible from the printed seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return n ? (unsigned int)((rng_state * 2685821657736338717ULL) >> 33) % n : 0;
}

enum kind { MODE, DISTANCE };

struct knob {
	const char *path;
	enum kind kind;
	bool inherit;	/* per-cgroup files also take "inherit" */
};

static const char *const flag_names[] = { "kswapd", "direct", "unmap" };

/*
 * The grammar, as documented: one optional trailing newline; a mode is
 * "off" alone or a non-empty set of flag words separated by spaces or
 * tabs, at most LR_MAX_INPUT bytes; a distance is 1-10 decimal digits worth
 * 10..254; per-cgroup files also take "inherit".  Returns whether the input
 * is valid and, if so, its canonical form.
 */
static bool model(const struct knob *k, const char *in, size_t len, char *canon)
{
	size_t n = len;

	if (len > LR_MAX_INPUT)
		return false;
	if (n && in[n - 1] == '\n')
		n--;
	if (k->inherit && n == 7 && !memcmp(in, "inherit", 7)) {
		strcpy(canon, "inherit");
		return true;
	}
	if (k->kind == DISTANCE) {
		unsigned long long v = 0;

		if (!n || n > 10)
			return false;
		for (size_t i = 0; i < n; i++) {
			if (in[i] < '0' || in[i] > '9')
				return false;
			v = v * 10 + (in[i] - '0');
		}
		if (v < 10 || v > 254)
			return false;
		sprintf(canon, "%llu", v);
		return true;
	}
	unsigned int flags = 0, words = 0;
	bool off = false;

	for (size_t i = 0; i < n;) {
		size_t j = i, f;

		if (in[i] == ' ' || in[i] == '\t') {
			i++;
			continue;
		}
		while (j < n && in[j] != ' ' && in[j] != '\t')
			j++;
		words++;
		if (j - i == 3 && !memcmp(in + i, "off", 3)) {
			off = true;
		} else {
			for (f = 0; f < 3; f++)
				if (strlen(flag_names[f]) == j - i && !memcmp(in + i, flag_names[f], j - i))
					break;
			if (f == 3)
				return false;
			flags |= 1u << f;
		}
		i = j;
	}
	if (!words || (off && words > 1))
		return false;
	canon[0] = '\0';
	if (off)
		strcpy(canon, "off");
	for (int f = 0; f < 3; f++)
		if (flags & (1u << f))
			sprintf(canon + strlen(canon), "%s%s", canon[0] ? " " : "", flag_names[f]);
	return true;
}

/* A valid value, spelled in any way the grammar allows. */
static size_t gen_valid(const struct knob *k, char *buf)
{
	size_t len = 0;

	if (k->inherit && !rnd(8)) {
		len = sprintf(buf, "inherit");
	} else if (k->kind == DISTANCE) {
		unsigned int v = 10 + rnd(245);
		int digits = snprintf(NULL, 0, "%u", v);

		len = sprintf(buf, "%0*u", digits + (int)rnd(11 - digits), v);
	} else if (!rnd(6)) {
		len = sprintf(buf, "%soff", rnd(2) ? "" : " ");
	} else {
		unsigned int set = 1 + rnd(7);

		for (int w = 0; w < 4; w++) {
			int f = rnd(3);

			if (w > 0 && !rnd(2))
				continue;
			if (!(set & (1u << f)))
				f = __builtin_ctz(set);
			for (unsigned int s = rnd(3) + (len > 0); s; s--)
				buf[len++] = rnd(3) ? ' ' : '\t';
			len += sprintf(buf + len, "%s", flag_names[f]);
		}
	}
	if (rnd(2))
		buf[len++] = '\n';
	return len;
}

/* A valid value, then one to three small mutations. */
static size_t gen_near(const struct knob *k, char *buf)
{
	static const char alphabet[] = " \t\n\0-+0123456789kswapddirectunmapoffinheritKX,";
	size_t len = gen_valid(k, buf);

	for (unsigned int m = 1 + rnd(3); m; m--) {
		size_t at = len ? rnd(len + 1) : 0;

		switch (rnd(6)) {
		case 0:		/* flip a byte */
			if (len)
				buf[at % len] = alphabet[rnd(sizeof(alphabet) - 1)];
			break;
		case 1:		/* insert a byte */
			if (len < MAX_LEN) {
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = alphabet[rnd(sizeof(alphabet) - 1)];
				len++;
			}
			break;
		case 2:		/* drop a byte */
			if (len) {
				at %= len;
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			}
			break;
		case 3:		/* repeat the whole value */
			if (2 * len <= MAX_LEN) {
				memcpy(buf + len, buf, len);
				len *= 2;
			}
			break;
		case 4:		/* upper-case a byte */
			if (len && buf[at % len] >= 'a' && buf[at % len] <= 'z')
				buf[at % len] -= 32;
			break;
		default: {	/* pad to around the length limit */
			size_t to = LR_MAX_INPUT - 2 + rnd(5);

			while (len < to)
				buf[len++] = ' ';
			break;
		}
		}
	}
	return len;
}

static size_t gen_random(char *buf)
{
	size_t len;

	switch (rnd(4)) {
	case 0: len = rnd(17); break;
	case 1: len = rnd(129); break;
	case 2: len = rnd(LR_MAX_INPUT + 8); break;
	default: len = rnd(MAX_LEN + 1); break;
	}
	for (size_t i = 0; i < len; i++)
		buf[i] = rnd(4) ? (char)rnd(256) : (char)(' ' + rnd(95));
	return len;
}

/* The value, without its newline; "" if unreadable. */
static void read_value(const char *path, char *buf, size_t len)
{
	int n = lr_read_file(path, buf, len);

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
}

static void show_input(const char *in, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < outlen && i < 40; i++)
		o += (in[i] > ' ' && in[i] < 127) ? (size_t)snprintf(out + o, outlen - o, "%c", in[i])
						  : (size_t)snprintf(out + o, outlen - o, "\\x%02x",
								     (unsigned char)in[i]);
	snprintf(out + o, outlen - o, "%s (%zu bytes)", len > 40 ? "..." : "", len);
}

static unsigned long long seed(void)
{
	const char *s = getenv("LR_FUZZ_SEED");

	return s ? strtoull(s, NULL, 0) : 0x5eed10ca1ULL;
}

static long inputs_per_knob(void)
{
	const char *s = getenv("LR_FUZZ_INPUTS");

	return s ? strtol(s, NULL, 10) : 10000;
}

static void fuzz(struct __test_metadata *_metadata, const char *name, const struct knob *k)
{
	static char in[MAX_LEN + 1];
	long n = inputs_per_knob(), valid = 0, invalid = 0, empty = 0, bad = 0;
	char before[128], after[128], canon[128], shown[256];

	rng_state = seed();
	for (const char *c = k->path; *c; c++)	/* a stream of its own per knob */
		rng_state = rng_state * 31 + (unsigned char)*c;
	TH_LOG("%s: %ld inputs, seed %#llx (LR_FUZZ_SEED=, LR_FUZZ_INPUTS= to vary)", name, n,
	       seed());
	read_value(k->path, before, sizeof(before));
	for (long i = 0; i < n; i++) {
		size_t len;
		bool ok;
		ssize_t r;
		int fd, err;

		switch (i % 3) {
		case 0: len = gen_random(in); break;
		case 1: len = gen_near(k, in); break;
		default: len = gen_valid(k, in); break;
		}
		ok = model(k, in, len, canon);
		fd = open(k->path, O_WRONLY);
		ASSERT_GE(fd, 0);
		r = write(fd, in, len);
		err = errno;
		close(fd);
		read_value(k->path, after, sizeof(after));
		show_input(in, len, shown, sizeof(shown));
		if (len == 0) {
			empty++;
			if (r != 0 || strcmp(before, after)) {
				bad++;
				TH_LOG("%s: empty write returned %zd, value '%s' -> '%s'", name, r, before,
				       after);
			}
		} else if (ok) {
			valid++;
			if (r != (ssize_t)len || strcmp(after, canon)) {
				if (bad++ < 10)
					TH_LOG("%s: valid %s returned %zd (%s), reads '%s', expected '%s'",
					       name, shown, r, r < 0 ? strerror(err) : "ok", after, canon);
			}
		} else {
			/* kernfs refuses over-long cgroup writes itself. */
			int want = k->inherit && len > (size_t)getpagesize() ? E2BIG : EINVAL;

			invalid++;
			if (r != -1 || err != want || strcmp(before, after)) {
				if (bad++ < 10)
					TH_LOG("%s: invalid %s returned %zd (%s), value '%s' -> '%s'", name,
					       shown, r, r < 0 ? strerror(err) : "accepted", before, after);
			}
		}
		strcpy(before, after);
	}
	TH_LOG("figure fuzz %s inputs=%ld valid=%ld invalid=%ld empty=%ld mismatches=%ld", name, n,
	       valid, invalid, empty, bad);
	EXPECT_EQ(0, bad);
	/* Both kinds were really tried. */
	EXPECT_GT(valid, n / 4);
	EXPECT_GT(invalid, n / 4);
}

FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
	LR_REQUIRE(lr_exists(LR_MODULE_PATH), "%s not in the guest", LR_MODULE_PATH);
	if (lr_module_loaded())
		ASSERT_EQ(0, lr_module_unload());
	ASSERT_EQ(0, lr_module_load());
	ASSERT_EQ(0, lr_cg_create(CG));
}

FIXTURE_TEARDOWN(fuzz)
{
	rmdir(CG);
	if (lr_module_loaded())
		lr_module_unload();
}

TEST_F_TIMEOUT(fuzz, global_mode, 900)
{
	const struct knob k = { LR_SYSFS_DIR "/mode", MODE, false };

	fuzz(_metadata, "mode", &k);
}

TEST_F_TIMEOUT(fuzz, global_node_reclaim_distance, 900)
{
	const struct knob k = { LR_SYSFS_DIR "/node_reclaim_distance", DISTANCE, false };

	fuzz(_metadata, "node_reclaim_distance", &k);
}

TEST_F_TIMEOUT(fuzz, cgroup_mode, 900)
{
	const struct knob k = { CG "/memory.local_reclaim.mode", MODE, true };

	fuzz(_metadata, "memory.local_reclaim.mode", &k);
}

TEST_F_TIMEOUT(fuzz, cgroup_distance, 900)
{
	const struct knob k = { CG "/memory.local_reclaim.distance", DISTANCE, true };

	fuzz(_metadata, "memory.local_reclaim.distance", &k);
}

/* ---- concurrent writers ------------------------------------------------ */

/*
 * One writer walks CG through a cycle of six (mode, distance) pairs, one
 * file write per step, so CG's effective pair is always one of these six.
 * The other three of the nine combinations never exist: a read that mixes
 * one state's mode with another's distance shows as one of them.
 */
static const char *const modes[] = { "kswapd", "direct unmap", "kswapd direct" };
static const char *const modes_eff[] = { "kswapd", "direct,unmap", "kswapd,direct" };
static const char *const dists[] = { "16", "32", "48" };
static const struct { int mode, dist; } cycle[] = {
	{ 1, 0 }, { 1, 1 }, { 2, 1 }, { 2, 2 }, { 0, 2 }, { 0, 0 },
};
#define CG_SIB	LR_CG_ROOT "/lr_fuzz_sib"

struct race {
	volatile bool stop;
	long writes, reads, torn, checked, lost;
	char torn_seen[128];
	pthread_mutex_t lock;
};

static int write_value(const char *file, const char *v)
{
	char path[256];

	snprintf(path, sizeof(path), CG "/%s", file);
	return lr_write_str(path, v);
}

static struct race race;

/*
 * Writer 0 walks CG through the cycle (it starts at its last step).  The
 * others write a sibling cgroup's files: every write recomputes every
 * cgroup's effective pair, CG's included, concurrently with writer 0's.
 */
static void *writer(void *arg)
{
	unsigned int id = (uintptr_t)arg;
	long n = 0;

	for (unsigned int i = 0; !race.stop; i++, n++) {
		unsigned int step = i % ARRAY_SIZE(cycle);

		if (id == 0 && (step & 1))
			write_value("memory.local_reclaim.distance", dists[cycle[step].dist]);
		else if (id == 0)
			write_value("memory.local_reclaim.mode", modes[cycle[step].mode]);
		else if (id % 2)
			lr_write_str(CG_SIB "/memory.local_reclaim.mode", modes[(i + id) % 3]);
		else
			lr_write_str(CG_SIB "/memory.local_reclaim.distance", dists[(i + id) % 3]);
	}
	__atomic_add_fetch(&race.writes, n, __ATOMIC_RELAXED);
	return NULL;
}

/* Reads CG's effective pair; returns false if it is not a state of the cycle. */
static bool pair_ok(char *seen, size_t len)
{
	char buf[8192], mode[64], *p;
	int d = 0;

	if (lr_read_file(CG "/memory.local_reclaim.stat", buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "effective mode=");
	if (!p || sscanf(p, "effective mode=%63s distance=%d", mode, &d) != 2)
		return false;
	snprintf(seen, len, "mode=%s distance=%d", mode, d);
	for (size_t i = 0; i < ARRAY_SIZE(cycle); i++)
		if (!strcmp(mode, modes_eff[cycle[i].mode]) && d == atoi(dists[cycle[i].dist]))
			return true;
	return false;
}

static void *reader(void *arg)
{
	struct race *r = &race;
	char seen[128];
	long n = 0;

	while (!r->stop) {
		n++;
		if (!pair_ok(seen, sizeof(seen))) {
			pthread_mutex_lock(&r->lock);
			if (!r->torn++)
				strcpy(r->torn_seen, seen);
			pthread_mutex_unlock(&r->lock);
		}
	}
	__atomic_add_fetch(&r->reads, n, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * Arg 0 writes the mode, 1 the distance, each checking that what it wrote
 * last is still there: only the other thread writes, and only the other
 * half of the word.
 */
static void *checking_writer(void *arg)
{
	bool is_mode = (uintptr_t)arg == 0;
	const char *file = is_mode ? "memory.local_reclaim.mode" : "memory.local_reclaim.distance";
	char path[256], want[32] = "", now[64];
	long n = 0, lost = 0;

	snprintf(path, sizeof(path), CG "/%s", file);
	for (unsigned int i = 0; !race.stop; i++, n++) {
		if (want[0]) {
			int len = lr_read_file(path, now, sizeof(now));

			if (len > 0 && now[len - 1] == '\n')
				now[len - 1] = '\0';
			if (strcmp(now, want) && lost++ < 3)
				fprintf(stderr, "# %s: wrote '%s', now '%s'\n", file, want, now);
		}
		if (is_mode)
			snprintf(want, sizeof(want), "%s", modes[i % 3]);
		else
			snprintf(want, sizeof(want), "%u", 10 + i % 245);
		lr_write_str(path, want);
	}
	__atomic_add_fetch(&race.checked, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&race.lost, lost, __ATOMIC_RELAXED);
	return NULL;
}

/* Every event counted for the cgroup, all nodes. */
static long cg_decisions(void)
{
	return lr_stat_sum(CG "/memory.local_reclaim.stat", NULL);
}

TEST_F_TIMEOUT(fuzz, concurrent_writers_never_tear_or_lose, 900)
{
	pthread_t w[4], rd[2];
	long total = lr_node_meminfo_kb(0, "MemTotal:") / 1024, before;
	char mib[24];
	char *argv[] = { LR_BIN "/anon_fault", "-c", CG, "-n", "0", "-t", "8", "-R", "1000000",
			 mib, NULL };
	pid_t pid;

	pthread_mutex_init(&race.lock, NULL);
	ASSERT_EQ(0, lr_write_str("/proc/sys/vm/watermark_boost_factor", "0"));
	ASSERT_EQ(0, lr_write_str("/proc/sys/kernel/numa_balancing", "0"));
	ASSERT_EQ(0, lr_reset_and_fill(0, total + 64, LR_FILL_UNBOUND));
	ASSERT_EQ(0, lr_cg_create(CG_SIB));
	ASSERT_EQ(0, write_value("memory.local_reclaim.mode", modes[cycle[5].mode]));
	ASSERT_EQ(0, write_value("memory.local_reclaim.distance", dists[cycle[5].dist]));
	before = cg_decisions();
	snprintf(mib, sizeof(mib), "%ld", total * 40 / 100);
	pid = lr_spawn_quiet(argv);
	ASSERT_GT(pid, 0);

	/* Free-running: 1 + 3 writers, 2 readers, 8 allocating threads. */
	for (uintptr_t i = 0; i < 4; i++)
		pthread_create(&w[i], NULL, writer, (void *)i);
	pthread_create(&rd[0], NULL, reader, NULL);
	pthread_create(&rd[1], NULL, reader, NULL);
	sleep(10);
	race.stop = true;
	for (int i = 0; i < 4; i++)
		pthread_join(w[i], NULL);
	pthread_join(rd[0], NULL);
	pthread_join(rd[1], NULL);

	/* One checking writer per half of the word. */
	race.stop = false;
	pthread_create(&w[0], NULL, checking_writer, (void *)0);
	pthread_create(&w[1], NULL, checking_writer, (void *)1);
	sleep(10);
	race.stop = true;
	pthread_join(w[0], NULL);
	pthread_join(w[1], NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	rmdir(CG_SIB);

	TH_LOG("figure concurrent writes=%ld reads=%ld torn=%ld checked_writes=%ld lost=%ld "
	       "decisions=%ld", race.writes, race.reads, race.torn, race.checked, race.lost,
	       cg_decisions() - before);
	EXPECT_EQ(0, race.torn) TH_LOG("first torn pair: %s", race.torn_seen);
	EXPECT_EQ(0, race.lost);
	/* Enough races to mean something (the debug kernel manages ~100/s). */
	EXPECT_GT(race.checked, 200);
	EXPECT_GT(race.writes, 200);
	EXPECT_GT(race.reads, 50);
	/* The allocator read the word throughout: the policy acted. */
	EXPECT_GT(cg_decisions() - before, 0);
	lr_write_str("/proc/sys/vm/watermark_boost_factor", "15000");
}

TEST_HARNESS_MAIN
