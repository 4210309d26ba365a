// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device flags' values: see vmm/cli_devices.h.
 */
#include "vmm/cli_devices.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"

int cli_store(struct vm_config *cfg, const char **field, const char *v, size_t len, char *err,
	      size_t errlen)
{
	const char *copy = vm_config_strdup(cfg, v, len);

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*field = copy;
	return 0;
}

/*
 * Splits "k1=v1,k2=v2" against @keys; values[i] gets key i's value (or NULL)
 * as a pointer into @val with its length. Commas cannot appear in values.
 */
static int split_kv(char *err, size_t errlen, const char *flag, const char *val,
		    const char *const *keys, size_t nkeys, const char **values, size_t *lens)
{
	const char *p = val;

	for (size_t k = 0; k < nkeys; k++)
		values[k] = NULL;
	for (;;) {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);
		size_t klen = eq ? (size_t)(eq - p) : n;
		size_t k;

		for (k = 0; k < nkeys; k++)
			if (strlen(keys[k]) == klen && !strncmp(p, keys[k], klen))
				break;
		if (k == nkeys || !eq) {
			char expected[64] = "";
			size_t o = 0;

			for (size_t j = 0; j < nkeys && o < sizeof(expected); j++)
				o += (size_t)snprintf(expected + o, sizeof(expected) - o, "%s%s=",
						      j ? ", " : "", keys[j]);
			snprintf(err, errlen, "%s: invalid '%.*s' in '%s' (expected %s)",
				 flag, (int)n, p, val, expected);
			return -EINVAL;
		}
		if (values[k]) {
			snprintf(err, errlen, "%s: '%s=' given twice in '%s'", flag, keys[k],
				 val);
			return -EINVAL;
		}
		values[k] = eq + 1;
		lens[k] = n - klen - 1;
		if (!p[n])
			break;
		p += n + 1;
	}
	return 0;
}

/* Copies @len bytes of @v into @buf as a string; false when it does not fit. */
static bool token(char *buf, size_t size, const char *v, size_t len)
{
	if (len >= size)
		return false;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return true;
}

static int parse_on_off(char *err, size_t errlen, const char *flag, const char *key, const char *v,
			size_t len, bool *out)
{
	if (len == 2 && !strncmp(v, "on", 2)) {
		*out = true;
	} else if (len == 3 && !strncmp(v, "off", 3)) {
		*out = false;
	} else {
		snprintf(err, errlen, "%s: invalid %s '%.*s' (expected on or off)", flag, key,
			 (int)len, v);
		return -EINVAL;
	}
	return 0;
}

int cli_parse_disk(struct vm_config *cfg, const char *val, char *err, size_t errlen)
{
	static const char *const keys[] = { "path", "readonly", "id" };
	const char *v[ARRAY_SIZE(keys)];
	size_t len[ARRAY_SIZE(keys)];
	struct vm_disk d = { 0 };
	int ret;

	if (cfg->nr_disks >= VM_MAX_DISKS) {
		snprintf(err, errlen, "--disk: more than %d disks", VM_MAX_DISKS);
		return -EINVAL;
	}
	ret = split_kv(err, errlen, "--disk", val, keys, ARRAY_SIZE(keys), v, len);
	if (ret)
		return ret;
	if (!v[0]) {
		snprintf(err, errlen, "--disk: 'path=' missing in '%s'", val);
		return -EINVAL;
	}
	if (v[1]) {
		ret = parse_on_off(err, errlen, "--disk", "readonly", v[1], len[1], &d.readonly);
		if (ret)
			return ret;
	}
	ret = cli_store(cfg, &d.path, v[0], len[0], err, errlen);
	if (!ret && v[2])
		ret = cli_store(cfg, &d.id, v[2], len[2], err, errlen);
	if (ret)
		return ret;
	cfg->disks[cfg->nr_disks++] = d;
	return 0;
}

int cli_parse_net(struct vm_config *cfg, const char *val, char *err, size_t errlen)
{
	static const char *const keys[] = { "tap", "mac" };
	const char *v[ARRAY_SIZE(keys)];
	size_t len[ARRAY_SIZE(keys)];
	struct vm_net n = { 0 };
	int ret;

	if (cfg->nr_nets >= VM_MAX_NETS) {
		snprintf(err, errlen, "--net: more than %d nets", VM_MAX_NETS);
		return -EINVAL;
	}
	ret = split_kv(err, errlen, "--net", val, keys, ARRAY_SIZE(keys), v, len);
	if (ret)
		return ret;
	if (!v[0]) {
		snprintf(err, errlen, "--net: 'tap=' missing in '%s'", val);
		return -EINVAL;
	}
	if (v[1]) {
		char mac[18];

		if (!token(mac, sizeof(mac), v[1], len[1]) || vm_mac_parse(mac, n.mac)) {
			snprintf(err, errlen,
				 "--net: invalid mac '%.*s' (expected e.g. 52:54:00:12:34:56)",
				 (int)len[1], v[1]);
			return -EINVAL;
		}
		n.has_mac = true;
	}
	ret = cli_store(cfg, &n.tap, v[0], len[0], err, errlen);
	if (ret)
		return ret;
	cfg->nets[cfg->nr_nets++] = n;
	return 0;
}

int cli_parse_vsock(struct vm_config *cfg, const char *val, char *err, size_t errlen)
{
	static const char *const keys[] = { "cid" };
	const char *v[1];
	size_t len[1];
	char num[16];
	uint64_t cid;
	int ret;

	ret = split_kv(err, errlen, "--vsock", val, keys, 1, v, len);
	if (ret)
		return ret;
	if (!v[0]) {
		snprintf(err, errlen, "--vsock: 'cid=' missing in '%s'", val);
		return -EINVAL;
	}
	if (!token(num, sizeof(num), v[0], len[0]) ||
	    parse_uint(num, VM_VSOCK_CID_MIN, VM_VSOCK_CID_MAX, &cid)) {
		snprintf(err, errlen, "--vsock: invalid cid '%.*s' (expected %d to %u)",
			 (int)len[0], v[0], VM_VSOCK_CID_MIN, VM_VSOCK_CID_MAX);
		return -EINVAL;
	}
	cfg->vsock.enabled = true;
	cfg->vsock.cid = (uint32_t)cid;
	return 0;
}
