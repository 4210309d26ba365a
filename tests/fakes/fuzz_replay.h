/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test helper: replays the inputs kept in tests/fuzz/regress/<target>/ (the
 * crashers scripts/fuzz.sh found, see tests/fuzz/README.md) and the seeds in
 * tests/fuzz/corpus/<target>/ through a fuzz target's entry point, so every
 * unit test run re-checks them with the sanitizers. Header-only;
 * single-threaded; allocates one buffer per file.
 */
#ifndef KESTREL_TESTS_FAKES_FUZZ_REPLAY_H
#define KESTREL_TESTS_FAKES_FUZZ_REPLAY_H

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * "<tests dir>/fuzz/<kind>/<target>" (kind "regress" or "corpus") from
 * TEST_DATA_DIR ("<tests dir>/unit/data"), by string surgery: the data
 * folder need not exist.
 */
static inline void fuzz_replay_path(char *out, size_t size, const char *data_dir, const char *kind,
				    const char *target)
{
	size_t n = strlen(data_dir);
	const char *suffix = "/unit/data";

	if (n >= strlen(suffix) && !strcmp(data_dir + n - strlen(suffix), suffix))
		n -= strlen(suffix);
	snprintf(out, size, "%.*s/fuzz/%s/%s", (int)n, data_dir, kind, target);
}

/*
 * Feeds every regular file of @dir to @one. Returns the number of files
 * replayed (0 when the folder is missing or empty), or -errno when a file
 * cannot be read.
 */
static inline int fuzz_replay_dir(const char *dir, int (*one)(const uint8_t *data, size_t size))
{
	char path[4096 + 256];
	struct dirent *e;
	uint8_t *buf;
	int count = 0, ret = 0;
	long len;
	FILE *f;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			continue;
		f = fopen(path, "rb");
		if (!f) {
			ret = -errno;
			break;
		}
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		buf = malloc(len > 0 ? (size_t)len : 1);
		if (!buf || (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len)) {
			free(buf);
			fclose(f);
			ret = -EIO;
			break;
		}
		fclose(f);
		one(buf, len > 0 ? (size_t)len : 0);
		free(buf);
		count++;
	}
	closedir(d);
	return ret ? ret : count;
}

#endif
