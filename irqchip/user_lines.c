// SPDX-License-Identifier: GPL-2.0-only
#include "irqchip/user_lines.h"

#include <errno.h>
#include <stdlib.h>

#include "arch/arm64/kvm.h"
#include "arch/arm64/vcpu.h"

int user_lines_init(struct user_lines *ul, int vm_fd, struct vcpu *vcpus, unsigned nr)
{
	if (!nr || !vcpus)
		return -EINVAL;
	ul->line = calloc(nr, sizeof(*ul->line));
	if (!ul->line)
		return -ENOMEM;
	for (unsigned i = 0; i < nr; i++)
		atomic_init(&ul->line[i].wanted, false);
	ul->vm_fd = vm_fd;
	ul->nr = nr;
	ul->vcpus = vcpus;
	return 0;
}

void user_lines_destroy(struct user_lines *ul)
{
	free(ul->line);
	ul->line = NULL;
	ul->nr = 0;
}

int user_lines_want(void *host, int vcpu, bool level)
{
	struct user_lines *ul = host;

	if (vcpu < 0 || (unsigned)vcpu >= ul->nr)
		return -EINVAL;
	atomic_store(&ul->line[vcpu].wanted, level);
	arm64_vcpu_kick(&ul->vcpus[vcpu]);
	return 0;
}

int user_lines_apply(void *host, int vcpu)
{
	struct user_lines *ul = host;
	struct user_line *l;
	bool want;
	int ret;

	if (vcpu < 0 || (unsigned)vcpu >= ul->nr)
		return -EINVAL;
	l = &ul->line[vcpu];
	want = atomic_load(&l->wanted);
	if (want == l->applied)
		return 0;
	ret = kvm_irq_line_cpu(ul->vm_fd, (unsigned)vcpu, want);
	if (ret)
		return ret;
	l->applied = want;
	l->applies++;
	return 0;
}
