// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: building and tearing down a VM (vmm/vm.c, vmm/vcpu_loop.c's
 * vcpus_stop) with the host calls faked (tests/fakes/fake_vm_host.c): a
 * host failure at each stage of vm_build() is reported as that call with
 * its errno and as a host failure (never -EAGAIN, "try the next irqchip",
 * nor -EINVAL, a usage error), and vm_destroy() is safe after each.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/arm64/image.h"
#include "lib/log.h"
#include "tests/fakes/fake_vm_host.h"
#include "vmm/vm_priv.h"

struct fixture {
	struct vm_config cfg;
	struct host_caps caps;
	struct vm_session s;
	uint8_t image[4096];
	FILE *log;
	char logged[4096];
};

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fake_vm_host_reset();
	fx->cfg.cpus = 2;
	fx->cfg.memory = 64ULL << 20;
	fx->cfg.cmdline = "console=ttyS0";
	fx->caps.max_vcpus = 8;
	fx->s.cfg = &fx->cfg;
	fx->s.caps = &fx->caps;
	fx->s.kvm_fd = -1;
	fx->s.ipa_bits = 40;
	fx->s.run_size = 4096;
	/* a minimal Image: header with the magic, 2 MiB image_size */
	put_le(fx->image, 0x14000000, 4);
	put_le(fx->image + 16, 2 << 20, 8);
	put_le(fx->image + 56, ARM64_IMAGE_MAGIC, 4);
	fx->s.files.src.kernel_name = "Image";
	fx->s.files.src.kernel = fx->image;
	fx->s.files.src.kernel_len = sizeof(fx->image);
	fx->s.files.kernel_fd = fx->s.files.initrd_fd = -1;
	fx->log = tmpfile();
	if (!fx->log)
		return -1;
	log_set_output(fileno(fx->log), false);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	log_set_output(STDERR_FILENO, false);
	fclose(fx->log);
	free(fx);
	return 0;
}

/* What was logged so far. */
static const char *logged(struct fixture *fx)
{
	size_t n;

	fflush(fx->log);
	rewind(fx->log);
	n = fread(fx->logged, 1, sizeof(fx->logged) - 1, fx->log);
	fx->logged[n] = '\0';
	return fx->logged;
}

/* vm_build() with the host failing at @call: a host failure, logged, and a safe teardown. */
static void build_fails(struct fixture *fx, enum fake_vm_call c, int err, const char *what)
{
	char why[256] = "";
	struct vm vm;
	int ret;

	fake_vm_host.fail[c] = err;
	ret = vm_build(&vm, &fx->s, IRQCHIP_USER, why, sizeof(why));
	assert_true(ret < 0);
	assert_int_not_equal(ret, -EAGAIN); /* not "irqchip failed, try the next" */
	assert_int_not_equal(ret, -EINVAL); /* not a usage error (exit status 2) */
	vm_destroy(&vm);
	/* every vCPU created was destroyed, the VM fd closed */
	assert_int_equal(fake_vm_host.vcpus_destroyed, fake_vm_host.vcpus_created);
	assert_int_equal(vm.vm_fd, -1);
	assert_null(vm.vcpus);
	assert_non_null(strstr(logged(fx), what));
	assert_non_null(strstr(fx->logged, strerror(-err)));
}

static void test_create_vm_fails(void **state)
{
	build_fails(*state, FAKE_CREATE_VM, -ENOMEM, "KVM_CREATE_VM");
	assert_int_equal(fake_vm_host.calls[FAKE_SET_MEMORY], 0);
}

static void test_ram_mapping_fails(void **state)
{
	struct fixture *fx = *state;

	/* RAM that is not a whole number of huge pages: the mapping itself fails */
	fx->cfg.hugepages = true;
	fx->s.huge_page_size = 3ULL << 20;
	build_fails(fx, FAKE_NR_CALLS - 1, -EINVAL, "mmap of 64 MiB guest RAM (huge pages)");
	assert_int_equal(fake_vm_host.calls[FAKE_SET_MEMORY], 0);
}

static void test_set_memory_fails(void **state)
{
	build_fails(*state, FAKE_SET_MEMORY, -EEXIST, "KVM_SET_USER_MEMORY_REGION");
	assert_int_equal(fake_vm_host.calls[FAKE_VCPU_CREATE], 0);
}

static void test_vcpu_create_fails(void **state)
{
	fake_vm_host.fail_vcpu = 1;
	build_fails(*state, FAKE_VCPU_CREATE, -EMFILE, "KVM_CREATE_VCPU 1");
	assert_int_equal(fake_vm_host.vcpus_created, 1);
	assert_int_equal(fake_vm_host.vcpus_destroyed, 1);
}

static void test_devices_fail(void **state)
{
	build_fails(*state, FAKE_VIRTIO_CREATE, -EPERM, "worker thread set-up");
	assert_int_equal(fake_vm_host.vcpus_destroyed, 2);
	assert_int_equal(fake_vm_host.virtio_destroyed, 1);
}

/* An in-kernel vGIC that cannot be created: that one is an irqchip failure. */
static void test_vgic_fails_is_irqchip_failure(void **state)
{
	struct fixture *fx = *state;
	char why[256] = "";
	struct vm vm;

	fake_vm_host.fail[FAKE_VGIC_CREATE] = -ENODEV;
	assert_int_equal(vm_build(&vm, &fx->s, IRQCHIP_KVM_V3, why, sizeof(why)), -EAGAIN);
	assert_non_null(strstr(why, "KVM_CREATE_DEVICE"));
	vm_destroy(&vm);
	assert_int_equal(fake_vm_host.vcpus_destroyed, 2);
}

/* The whole build with the userspace GIC, then the teardown. */
static void test_build_and_destroy(void **state)
{
	struct fixture *fx = *state;
	char why[256] = "";
	struct vm vm;

	assert_int_equal(vm_build(&vm, &fx->s, IRQCHIP_USER, why, sizeof(why)), 0);
	assert_int_equal(fake_vm_host.calls[FAKE_BOOT_REGS], 1);
	assert_non_null(vm.chip);
	vcpus_stop(&vm); /* no vCPU thread was started */
	vm_destroy(&vm);
	assert_int_equal(fake_vm_host.vcpus_destroyed, 2);
	assert_int_equal(fake_vm_host.virtio_destroyed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_vm_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_mapping_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_memory_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_create_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devices_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vgic_fails_is_irqchip_failure, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_build_and_destroy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
