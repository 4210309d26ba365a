// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hostile test guest: a bare-metal arm64 program (EL1, MMU off, one
 * thread) that attacks what kestrel offers a guest, reproducibly from a seed.
 * docs/security.md says what it does and what it deliberately leaves out.
 *
 * Arguments come from the FDT /chosen bootargs:
 *   hostile.seed=N     PRNG seed (default 1)
 *   hostile.rounds=N   rounds before PSCI SYSTEM_OFF (default 20)
 *   hostile.chip=kvm|user  the irqchip kestrel runs (kvm: the guest skips
 *                      the GICv2 CPU interface writes that go straight to
 *                      the host's hardware interface, see below)
 *   hostile.nisv=1     also make accesses KVM cannot decode (load pair,
 *                      writeback) in MMIO space and in unmapped space
 *
 * Every MMIO access is one single load or store without writeback
 * (hx_read/hx_write in hostile_head.S), so KVM can decode it; the NISV
 * attack uses ldp and a post-indexed store on purpose. Memory a device may
 * write (virtqueue buffers, used rings) is confined to a scratch area of RAM
 * far from the image and its stack, so the attacks cannot corrupt the guest.
 *
 * Output over the 16550 UART: "HOSTILE start ...", "HOSTILE round N ok ...",
 * "HOSTILE DONE ...", then PSCI SYSTEM_OFF.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;

/* hostile_head.S */
u64 hx_read(u64 addr, unsigned width);
void hx_write(u64 addr, unsigned width, u64 val);
u64 hx_ldp(u64 addr);
void hx_str_post(u64 addr, u64 val);
u64 hx_hvc(u64 fn, u64 a1, u64 a2, u64 a3);
u64 hx_smc(u64 fn, u64 a1, u64 a2, u64 a3);
extern char secondary_entry[];
extern char _head[], _image_end[];

/* arch/arm64/layout.h, copied: the guest sees only what the FDT says. */
#define GICD_BASE 0x08000000ULL
#define GICC_BASE 0x08010000ULL
#define ITS_BASE 0x08080000ULL
#define UART_BASE 0x09000000ULL
#define RTC_BASE 0x09010000ULL
#define GPIO_BASE 0x09020000ULL
#define VIRTIO_BASE 0x0a000000ULL
#define VIRTIO_SIZE 0x200ULL
#define VIRTIO_SLOTS 32
#define GICR_BASE 0x10000000ULL
#define GICR_STRIDE 0x20000ULL
#define RAM_BASE 0x80000000ULL

#define PSCI_VERSION 0x84000000U
#define PSCI_CPU_OFF 0x84000002U
#define PSCI_CPU_ON 0xc4000003U
#define PSCI_AFFINITY_INFO 0xc4000004U
#define PSCI_FEATURES 0x8400000aU

/* ---- output ---------------------------------------------------------- */

static void uart_sane(void)
{
	hx_write(UART_BASE + 3, 1, 0x03); /* LCR: 8N1, DLAB off */
	hx_write(UART_BASE + 4, 1, 0x00); /* MCR: no loopback */
	hx_write(UART_BASE + 1, 1, 0x00); /* IER */
}

static void putc_(char c)
{
	for (int i = 0; i < 100000; i++)
		if (hx_read(UART_BASE + 5, 1) & 0x20)
			break;
	hx_write(UART_BASE, 1, (u8)c);
}

static void puts_(const char *s)
{
	while (*s) {
		if (*s == '\n')
			putc_('\r');
		putc_(*s++);
	}
}

static void putu(u64 v)
{
	char b[24];
	int i = 0;

	do {
		b[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		putc_(b[--i]);
}

static void putx(u64 v)
{
	puts_("0x");
	for (int s = 60; s >= 0; s -= 4)
		putc_("0123456789abcdef"[(v >> s) & 15]);
}

/* ---- PRNG: xorshift64* ------------------------------------------------ */

static u64 rng_state;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static u64 below(u64 n)
{
	return n ? rnd() % n : 0;
}

/* Random values biased to the edges registers care about. */
static u64 rnd_value(void)
{
	static const u64 edge[] = {0,
				   1,
				   0x7f,
				   0x80,
				   0xff,
				   0xffff,
				   0x7fffffff,
				   0x80000000,
				   0xffffffff,
				   ~0ULL,
				   0x8000000000000000ULL};

	if (below(3) == 0)
		return edge[below(sizeof(edge) / sizeof(edge[0]))];
	return rnd();
}

/* ---- exceptions ------------------------------------------------------- */

static volatile u64 exc_count, exc_align, exc_dabt, exc_ext, exc_other, exc_unexpected_kind;
static volatile u64 last_esr;
volatile u64 hostile_secondary_seen;

#define READ_SYSREG(r)                                      \
	({                                                  \
		u64 v_;                                     \
		__asm__ volatile("mrs %0, " #r : "=r"(v_)); \
		v_;                                         \
	})
#define WRITE_SYSREG(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((u64)(v)))

/*
 * Every exception: a synchronous one (kinds 4: current EL with SP_ELx) is
 * skipped, the guest goes on after the faulting instruction. An SError or an
 * IRQ (the guest runs with DAIF masked, so neither should come) is counted.
 */
void hostile_exception(u64 kind, u64 *frame)
{
	u64 esr = READ_SYSREG(esr_el1) & 0xffffffffULL; /* [63:32] are RES0 */

	(void)frame;
	exc_count++;
	if (kind == 4 || kind == 0) {
		u64 ec = esr >> 26, dfsc = esr & 0x3f;

		last_esr = esr;
		if (ec == 0x25 && dfsc == 0x21)
			exc_align++;
		else if (ec == 0x25 && dfsc == 0x10)
			exc_ext++; /* synchronous external abort: kestrel's answer to NISV */
		else if (ec == 0x25)
			exc_dabt++;
		else
			exc_other++;
		WRITE_SYSREG(elr_el1, READ_SYSREG(elr_el1) + 4);
		return;
	}
	exc_unexpected_kind++;
}

/* ---- FDT: /chosen bootargs ------------------------------------------- */

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The bootargs string inside the FDT at @fdt, or NULL. */
static const char *fdt_bootargs(const u8 *fdt, u64 ram_end)
{
	u32 total, off_struct, size_struct, off_strings;
	const u8 *p, *end;
	int depth = 0;
	bool in_chosen = false;

	if ((u64)fdt < RAM_BASE || (u64)fdt + 40 > ram_end || be32(fdt) != 0xd00dfeed)
		return NULL;
	total = be32(fdt + 4);
	off_struct = be32(fdt + 8);
	off_strings = be32(fdt + 12);
	size_struct = be32(fdt + 36);
	if ((u64)fdt + total > ram_end || off_struct > total || size_struct > total - off_struct ||
	    off_strings > total)
		return NULL;
	p = fdt + off_struct;
	end = p + size_struct;
	while (p + 4 <= end) {
		u32 tok = be32(p);

		p += 4;
		if (tok == 1) { /* BEGIN_NODE */
			const char *name = (const char *)p;

			depth++;
			if (depth == 2)
				in_chosen = streq(name, "chosen");
			while (p < end && *p)
				p++;
			p = (const u8 *)(((u64)p + 4) & ~3ULL);
		} else if (tok == 2) { /* END_NODE */
			if (depth == 2)
				in_chosen = false;
			depth--;
		} else if (tok == 3) { /* PROP */
			u32 len, nameoff;

			if (p + 8 > end)
				return NULL;
			len = be32(p);
			nameoff = be32(p + 4);
			p += 8;
			if (len > (u64)(end - p) || nameoff >= total - off_strings)
				return NULL;
			if (in_chosen &&
			    streq((const char *)fdt + off_strings + nameoff, "bootargs") && len &&
			    p[len - 1] == 0)
				return (const char *)p;
			p = (const u8 *)(((u64)p + len + 3) & ~3ULL);
		} else if (tok == 4) { /* NOP */
		} else {
			break;
		}
	}
	return NULL;
}

/* The number after "key=" in @args, or @def. */
static u64 arg_u64(const char *args, const char *key, u64 def)
{
	const char *s = args;

	if (!args)
		return def;
	while (*s) {
		const char *k = key, *t = s;

		while (*k && *t == *k)
			k++, t++;
		if (!*k && *t == '=' && (s == args || s[-1] == ' ')) {
			u64 v = 0;

			t++;
			if (*t < '0' || *t > '9')
				return def;
			while (*t >= '0' && *t <= '9')
				v = v * 10 + (u64)(*t++ - '0');
			return v;
		}
		s++;
	}
	return def;
}

static bool arg_is(const char *args, const char *keyval)
{
	const char *s = args;

	if (!args)
		return false;
	for (; *s; s++) {
		const char *k = keyval, *t = s;

		if (s != args && s[-1] != ' ')
			continue;
		while (*k && *t == *k)
			k++, t++;
		if (!*k && (*t == ' ' || !*t))
			return true;
	}
	return false;
}

/* ---- the machine ------------------------------------------------------ */

static u64 ram_end; /* one past the last byte of RAM */
static bool chip_kvm; /* in-kernel GIC: GICC writes reach the host's interface */
static bool gic_v3; /* GICD_PIDR2 says ArchRev 3 */
static u64 scratch_ring, scratch_buf; /* 1 MiB each, device-writable */
#define SCRATCH_SIZE 0x100000ULL

/*
 * An address a device may be told to use: inside the buffer scratch area,
 * straddling the end of RAM, past RAM, in MMIO space, or absurd.
 */
static u64 hostile_addr(void)
{
	switch (below(8)) {
	case 0:
	case 1:
	case 2:
		return scratch_buf + below(SCRATCH_SIZE);
	case 3:
		return ram_end - below(64);
	case 4:
		return ram_end + below(1ULL << 30);
	case 5:
		return UART_BASE + below(0x1000);
	case 6:
		return (u64) - (int64_t)below(4096);
	default:
		return below(RAM_BASE);
	}
}

/* A ring address: in the ring scratch area, or where RAM is not. */
static u64 hostile_ring_addr(void)
{
	switch (below(6)) {
	case 0:
		return UART_BASE + below(0x1000);
	case 1:
		return ram_end - below(4096);
	case 2:
		return GICD_BASE;
	default:
		return scratch_ring + (below(SCRATCH_SIZE - 0x10000) & ~0xfULL);
	}
}

/* ---- random register access in a window -------------------------------- */

static u64 accesses;

/* Writes the guest must not make (see the file comment and docs/security.md). */
static bool write_forbidden(u64 addr)
{
	/*
	 * kvm-v2: the GICv2 CPU interface is the host's virtual interface,
	 * mapped into the guest. QEMU 7.2 (TCG, the emulated test host)
	 * asserts on some GICV_BPR/ABPR/APR values: not a kestrel concern,
	 * and it would end the whole test bed.
	 */
	if (chip_kvm && !gic_v3 && addr >= GICC_BASE && addr < GICC_BASE + 0x2000) {
		u64 o = addr - GICC_BASE;

		if (o == 0x08 || o == 0x1c || (o >= 0xd0 && o < 0xf0) || o == 0x00)
			return true;
	}
	/* virtio-mmio queue address registers: only hostile_ring_addr() values. */
	if (addr >= VIRTIO_BASE && addr < VIRTIO_BASE + VIRTIO_SLOTS * VIRTIO_SIZE) {
		u64 o = (addr - VIRTIO_BASE) % VIRTIO_SIZE;

		if (o >= 0x80 && o < 0xb0)
			return true;
	}
	return false;
}

static void poke(u64 addr, unsigned width, bool write, u64 val)
{
	/* kvm-v2: the host's GICV (QEMU's, in the test bed) gets 32-bit accesses only */
	if (chip_kvm && !gic_v3 && addr >= GICC_BASE && addr < GICC_BASE + 0x2000) {
		width = 4;
		addr &= ~3ULL;
	}
	accesses++;
	if (write) {
		if (!write_forbidden(addr & ~7ULL) && !write_forbidden(addr))
			hx_write(addr, width, val);
	} else {
		(void)hx_read(addr, width);
	}
}

/* @n random accesses in [base, base + size): widths 1/2/4/8, some unaligned. */
static void attack_window(u64 base, u64 size, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned width = 1u << below(4);
		u64 off = below(size);

		if (below(8))
			off &= ~(u64)(width -
				      1); /* mostly aligned: unaligned faults in the guest */
		if (width > size)
			width = 1;
		if (off + width > size)
			off = size - width;
		poke(base + off, width, below(2), rnd_value());
	}
}

/*
 * vCPU 1, started by psci_attack() with a random context id: 64 random
 * accesses to the device windows while vCPU 0 attacks them too (kestrel's
 * device locks, the userspace GIC from two vCPU threads). Its own PRNG
 * state: vCPU 0's sequence stays reproducible. Then PSCI CPU_OFF.
 */
void hostile_secondary(u64 ctx)
{
	const struct {
		u64 base, size;
	} win[] = {
		{UART_BASE + 1, 7},
		{RTC_BASE, 0x1000},
		{GPIO_BASE, 0x1000},
		{GICD_BASE, gic_v3 ? 0x10000 : 0x1000},
		{VIRTIO_BASE, VIRTIO_SLOTS * VIRTIO_SIZE},
	};
	u64 st = ctx | 1;

	for (unsigned i = 0; i < 64; i++) {
		u64 x, off, addr;
		unsigned width, w;

		st ^= st >> 12;
		st ^= st << 25;
		st ^= st >> 27;
		x = st * 0x2545f4914f6cdd1dULL;
		w = (unsigned)(x % (sizeof(win) / sizeof(win[0])));
		width = 1u << ((x >> 8) & 3);
		if (width > win[w].size)
			width = 1;
		off = ((x >> 16) % win[w].size) & ~(u64)(width - 1);
		if (off + width > win[w].size)
			off = win[w].size - width;
		addr = win[w].base + off;
		if ((x >> 60) & 1) {
			if (!write_forbidden(addr))
				hx_write(addr, width, x >> 3);
		} else {
			(void)hx_read(addr, width);
		}
	}
	hostile_secondary_seen++;
}

/* ---- GIC sequences ---------------------------------------------------- */

static void gic_attack(unsigned ncpus)
{
	/* EOI / deactivate of nothing, acknowledge with nothing pending */
	if (!gic_v3) {
		static const u32 ids[] = {0, 15, 27, 33, 1020, 1022, 1023, 1024, 0x3ff | (7 << 10)};

		for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			hx_write(GICC_BASE + 0x10, 4, ids[i]); /* EOIR */
			if (!chip_kvm)
				hx_write(GICC_BASE + 0x1000, 4, ids[i]); /* DIR */
		}
		(void)hx_read(GICC_BASE + 0x0c, 4); /* IAR */
		(void)hx_read(GICC_BASE + 0x18, 4); /* HPPIR */
		/* PMR edges */
		hx_write(GICC_BASE + 0x04, 4, 0x00);
		hx_write(GICC_BASE + 0x04, 4, 0xff);
		hx_write(GICC_BASE + 0x04, 4, below(256));
		if (!chip_kvm) {
			/* BPR edges: only to kestrel's own GICv2 model */
			hx_write(GICC_BASE + 0x08, 4, 0);
			hx_write(GICC_BASE + 0x08, 4, 7);
			hx_write(GICC_BASE + 0x08, 4, rnd_value());
			hx_write(GICC_BASE + 0x00, 4, rnd_value());
		}
		/* SGIs: to absent CPUs, all filters, random targets */
		for (unsigned f = 0; f < 4; f++) {
			u32 absent = 0xffu & ~((1u << ncpus) - 1);

			hx_write(GICD_BASE + 0xf00, 4, f << 24 | absent << 16 | (u32)below(16));
		}
		hx_write(GICD_BASE + 0xf00, 4, rnd());
		/* ITARGETSR: SPIs to CPUs that do not exist */
		for (unsigned i = 0; i < 8; i++)
			hx_write(GICD_BASE + 0x820 + below(96), 1, 0xf0 | below(256));
		/* SGI pending set/clear */
		hx_write(GICD_BASE + 0xf10 + below(16), 1, rnd());
		hx_write(GICD_BASE + 0xf20 + below(16), 1, rnd());
	} else {
		/* IROUTER of SPIs to absent CPUs and with IRM set */
		for (unsigned i = 0; i < 8; i++) {
			u64 r = GICD_BASE + 0x6100 + 8 * below(96);
			u64 v = below(2) ? (1ULL << 31)
					 : (below(256) << 8 | (u64)below(256) << 32 | ncpus);

			hx_write(r, 8, v);
		}
		/* redistributors: WAKER, CTLR, LPI tables, past the last vCPU */
		for (unsigned c = 0; c <= ncpus; c++) {
			u64 rd = GICR_BASE + c * GICR_STRIDE;

			hx_write(rd + 0x14, 4, below(2) ? 0 : 2); /* WAKER */
			(void)hx_read(rd + 0x08, 8); /* TYPER */
			hx_write(rd + 0x10000 + 0x400 + below(32), 1,
				 rnd()); /* IPRIORITYR SGI/PPI */
			hx_write(rd + 0x10000 + 0x100, 4, rnd()); /* ISENABLER0 */
			hx_write(rd + 0x10000 + 0x200, 4, rnd()); /* ISPENDR0 */
			hx_write(rd + 0x10000 + 0x280, 4, ~0U); /* ICPENDR0 */
		}
	}
	/* both: enable / pend / activate random SPIs, priority edges, config */
	for (unsigned i = 0; i < 4; i++) {
		hx_write(GICD_BASE + 0x104 + 4 * below(3), 4, rnd()); /* ISENABLER */
		hx_write(GICD_BASE + 0x204 + 4 * below(3), 4, rnd()); /* ISPENDR */
		hx_write(GICD_BASE + 0x304 + 4 * below(3), 4, rnd()); /* ISACTIVER */
		hx_write(GICD_BASE + 0x420 + below(96), 1, below(2) ? 0 : 0xff); /* IPRIORITYR */
		hx_write(GICD_BASE + 0xc08 + 4 * below(6), 4, rnd()); /* ICFGR */
	}
	hx_write(GICD_BASE + 0x000, 4, rnd_value()); /* CTLR */
	/* clean up what would keep interrupts asserted for the next round */
	for (unsigned i = 0; i < 4; i++) {
		hx_write(GICD_BASE + 0x180 + 4 * i, 4, ~0U); /* ICENABLER */
		hx_write(GICD_BASE + 0x280 + 4 * i, 4, ~0U); /* ICPENDR */
		hx_write(GICD_BASE + 0x380 + 4 * i, 4, ~0U); /* ICACTIVER */
	}
}

/* ---- PSCI --------------------------------------------------------------- */

static u64 psci_bad_results;
static int64_t bad_entry_result = 1; /* 1: not tried */

static bool psci_wait_off(u64 mpidr)
{
	for (int i = 0; i < 200000; i++)
		if (hx_hvc(PSCI_AFFINITY_INFO, mpidr, 0, 0) == 1)
			return true;
	return false;
}

static void psci_attack(unsigned ncpus)
{
	static const u32 excluded[] = {0x01, 0x02, 0x03, 0x08, 0x09, 0x0e, 0x12};
	int64_t r;

	/* CPU_ON of absent CPUs (and with bad entry points): INVALID_PARAMETERS */
	for (unsigned i = 0; i < 4; i++) {
		u64 absent = i == 0 ? ncpus : i == 1 ? 0xff : i == 2 ? 0x100 : 1ULL << 32;

		r = (int64_t)hx_hvc(PSCI_CPU_ON, absent, below(2) ? (u64)secondary_entry : rnd(),
				    rnd());
		if (r != -2)
			psci_bad_results++;
	}
	/* CPU_ON of the running boot CPU: ALREADY_ON */
	r = (int64_t)hx_hvc(PSCI_CPU_ON, 0, (u64)secondary_entry, 0);
	if (r != -4)
		psci_bad_results++;
	/* a real secondary, twice in a row (the second: ALREADY_ON or ON_PENDING) */
	if (ncpus > 1 && psci_wait_off(1)) {
		r = (int64_t)hx_hvc(PSCI_CPU_ON, 1, (u64)secondary_entry, rnd());
		if (r != 0)
			psci_bad_results++;
		r = (int64_t)hx_hvc(PSCI_CPU_ON, 1, (u64)secondary_entry, rnd());
		if (r != -4 && r != -5 && r != 0)
			psci_bad_results++;
		psci_wait_off(1);
	}
	/* AFFINITY_INFO with bad levels and targets, FEATURES of anything */
	(void)hx_hvc(PSCI_AFFINITY_INFO, rnd(), below(8), 0);
	(void)hx_hvc(PSCI_FEATURES, rnd(), 0, 0);
	(void)hx_hvc(PSCI_VERSION, rnd(), rnd(), rnd());
	/* random PSCI and other SMCCC function ids, never the ones that stop or block */
	for (unsigned i = 0; i < 8; i++) {
		u32 fn = below(2) ? (u32)rnd()
				  : (below(2) ? 0x84000000U : 0xc4000000U) | (u32)below(0x20);
		bool skip = false;

		if (((fn >> 24) & 0xbf) == 0x84)
			for (unsigned k = 0; k < sizeof(excluded) / sizeof(excluded[0]); k++)
				if ((fn & 0xffff) == excluded[k])
					skip = true;
		if (!skip)
			(void)hx_hvc(fn, rnd_value(), rnd_value(), rnd_value());
	}
}

/* ---- virtio-mmio ------------------------------------------------------ */

#define VM_MAGIC 0x000
#define VM_DEVICE_ID 0x008
#define VM_DEVICE_FEATURES 0x010
#define VM_DEVICE_FEATURES_SEL 0x014
#define VM_DRIVER_FEATURES 0x020
#define VM_DRIVER_FEATURES_SEL 0x024
#define VM_QUEUE_SEL 0x030
#define VM_QUEUE_NUM_MAX 0x034
#define VM_QUEUE_NUM 0x038
#define VM_QUEUE_READY 0x044
#define VM_QUEUE_NOTIFY 0x050
#define VM_INTERRUPT_STATUS 0x060
#define VM_INTERRUPT_ACK 0x064
#define VM_STATUS 0x070
#define VM_QUEUE_DESC 0x080
#define VM_QUEUE_AVAIL 0x090
#define VM_QUEUE_USED 0x0a0

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4

struct vdesc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

static void vw(u64 base, u64 off, u32 v)
{
	hx_write(base + off, 4, v);
}

static u32 vr(u64 base, u64 off)
{
	return (u32)hx_read(base + off, 4);
}

static void vw64(u64 base, u64 off, u64 v)
{
	vw(base, off, (u32)v);
	vw(base, off + 4, (u32)(v >> 32));
}

/* Plain stores to RAM the device reads (MMU off: Device memory, so no caches). */
static void fill_desc(struct vdesc *d, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		u64 k = below(10);

		d[i].addr = hostile_addr();
		d[i].len = below(4) ? (u32)below(4096) : (u32)rnd_value();
		d[i].flags = (u16)below(8);
		switch (k) {
		case 0:
			d[i].next = (u16)i; /* loop onto itself */
			d[i].flags |= VRING_DESC_F_NEXT;
			break;
		case 1:
			d[i].next = (u16)((i + 1) % n); /* a ring-shaped chain */
			d[i].flags |= VRING_DESC_F_NEXT;
			break;
		case 2:
			d[i].next = (u16)rnd(); /* past the table */
			d[i].flags |= VRING_DESC_F_NEXT;
			break;
		case 3:
			/* an indirect table that is this table: indirect inside indirect */
			d[i].addr = (u64)d;
			d[i].len = n * 16;
			d[i].flags = VRING_DESC_F_INDIRECT | (below(2) ? VRING_DESC_F_NEXT : 0);
			d[i].next = (u16)below(n);
			break;
		case 4:
			d[i].addr = ram_end - 8; /* a buffer past the end of RAM */
			d[i].len = 4096;
			break;
		default:
			d[i].next = (u16)below(n);
			break;
		}
	}
}

/* A mostly proper set-up of queue @q, then hostile rings; notify. */
static void virtq_attack(u64 base, unsigned q, u64 features)
{
	u32 max, num;
	u64 ring = scratch_ring + (below(SCRATCH_SIZE / 0x4000 - 1) * 0x4000);
	struct vdesc *desc = (struct vdesc *)ring;
	u16 *avail = (u16 *)(ring + 0x1000);
	u64 used = ring + 0x2000;

	vw(base, VM_QUEUE_SEL, q);
	max = vr(base, VM_QUEUE_NUM_MAX);
	if (!max)
		return;
	num = below(4) ? (u32)(1u << below(9)) : (u32)rnd_value();
	if (num > 256 && below(2))
		num = 256;
	vw(base, VM_QUEUE_NUM, num);
	if (num > 256 || !num)
		num = 8;
	if (num > max)
		num = max < 8 ? max : 8;
	fill_desc(desc, num);
	avail[0] = (u16)below(2); /* flags */
	avail[1] = (u16)(below(3) ? below(num + 2) : rnd()); /* idx: small or a jump */
	for (unsigned i = 0; i < num; i++)
		avail[2 + i] = (u16)(below(4) ? below(num) : rnd());
	vw64(base, VM_QUEUE_DESC, below(6) ? (u64)desc : hostile_ring_addr());
	vw64(base, VM_QUEUE_AVAIL, below(6) ? (u64)avail : hostile_ring_addr());
	/* used rings in MMIO space, past RAM, straddling */
	vw64(base, VM_QUEUE_USED, below(3) ? used : hostile_ring_addr());
	vw(base, VM_QUEUE_READY, 1);
	(void)features;
	vw(base, VM_QUEUE_NOTIFY, q);
	/* queue registers after ready: the device must ignore them */
	vw(base, VM_QUEUE_NUM, (u32)rnd());
	vw64(base, VM_QUEUE_DESC, hostile_ring_addr());
	/* more work, an avail.idx jump */
	avail[1] = (u16)(avail[1] + (below(2) ? 1 : rnd()));
	vw(base, VM_QUEUE_NOTIFY, q);
}

static void virtio_attack_slot(u64 base)
{
	u64 features;
	unsigned k = (unsigned)below(6);

	/* reset, then a path through the state machine, mostly out of order */
	vw(base, VM_STATUS, 0);
	vw(base, VM_STATUS, 1);
	vw(base, VM_STATUS, 3);
	vw(base, VM_DEVICE_FEATURES_SEL, 1);
	features = (u64)vr(base, VM_DEVICE_FEATURES) << 32;
	vw(base, VM_DEVICE_FEATURES_SEL, 0);
	features |= vr(base, VM_DEVICE_FEATURES);
	vw(base, VM_DEVICE_FEATURES_SEL, (u32)rnd()); /* a bad selector */
	(void)vr(base, VM_DEVICE_FEATURES);
	if (k == 0) {
		/* DRIVER_OK without FEATURES_OK */
		vw(base, VM_STATUS, 3 | 4);
	} else if (k == 1) {
		/* features nobody offered */
		vw(base, VM_DRIVER_FEATURES_SEL, 0);
		vw(base, VM_DRIVER_FEATURES, (u32)rnd());
		vw(base, VM_DRIVER_FEATURES_SEL, 1);
		vw(base, VM_DRIVER_FEATURES, (u32)rnd());
		vw(base, VM_STATUS, 3 | 8);
		vw(base, VM_STATUS, 3 | 8 | 4);
	} else {
		vw(base, VM_DRIVER_FEATURES_SEL, 0);
		vw(base, VM_DRIVER_FEATURES, (u32)features);
		vw(base, VM_DRIVER_FEATURES_SEL, 1);
		vw(base, VM_DRIVER_FEATURES, (u32)(features >> 32));
		vw(base, VM_STATUS, 3 | 8);
	}
	for (unsigned q = 0; q < 3; q++)
		if (below(2))
			virtq_attack(base, q, features);
	if (k != 0 && k != 1)
		vw(base, VM_STATUS, 3 | 8 | 4); /* DRIVER_OK after the queues went live */
	for (unsigned q = 0; q < 3; q++)
		if (below(3) == 0)
			virtq_attack(base, q, features);
	/* notify of absent queues */
	vw(base, VM_QUEUE_NOTIFY, 7 + (u32)below(100));
	vw(base, VM_QUEUE_NOTIFY, (u32)rnd());
	/* interrupt status / ack, random config space */
	(void)vr(base, VM_INTERRUPT_STATUS);
	vw(base, VM_INTERRUPT_ACK, (u32)rnd());
	attack_window(base, VIRTIO_SIZE, 16);
	/* reset during I/O (or not): the next round starts with a reset anyway */
	if (below(2))
		vw(base, VM_STATUS, 0);
}

/* ---- NISV: accesses KVM cannot decode -------------------------------- */

static u64 nisv_tries, nisv_aborts;

/*
 * Each access must come back as exactly one synchronous external abort
 * (kestrel injects it for KVM_EXIT_ARM_NISV); the handler skips it.
 */
static void nisv_attack(void)
{
	static const u64 where[] = {UART_BASE + 0x40, RTC_BASE, 0x20000000ULL, 0x0b000000ULL};

	for (unsigned i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		u64 before = exc_ext;

		(void)hx_ldp(where[i]);
		nisv_aborts += exc_ext - before;
		before = exc_ext;
		hx_str_post(where[i], rnd());
		nisv_aborts += exc_ext - before;
		nisv_tries += 2;
	}
}

/* ---- main ------------------------------------------------------------- */

static void report(const char *what, u64 round)
{
	uart_sane();
	puts_("\nHOSTILE ");
	puts_(what);
	puts_(" ");
	putu(round);
	if (what[0] == 'r')
		puts_(" ok");
	puts_(" accesses=");
	putu(accesses);
	puts_(" exceptions=");
	putu(exc_count);
	puts_(" align=");
	putu(exc_align);
	puts_(" dabt=");
	putu(exc_dabt);
	puts_(" nisv=");
	putu(nisv_aborts);
	puts_("/");
	putu(nisv_tries);
	puts_(" other=");
	putu(exc_other + exc_unexpected_kind);
	puts_(" psci-bad=");
	putu(psci_bad_results);
	puts_(" secondary=");
	putu(hostile_secondary_seen);
	puts_(" last-esr=");
	putx(last_esr);
	if (bad_entry_result != 1) {
		puts_(" bad-entry-cpu-on=");
		putu((u64)(bad_entry_result < 0 ? -bad_entry_result : bad_entry_result));
	}
	puts_("\n");
}

void hostile_main(u64 fdt)
{
	const char *args;
	u64 seed, rounds, ncpus = 2;
	bool nisv;
	u64 virtio_slots[VIRTIO_SLOTS];
	unsigned nvirtio = 0;

	/* the DTB sits in the topmost 2 MiB of RAM */
	ram_end = (fdt & ~0x1fffffULL) + 0x200000ULL;
	args = fdt_bootargs((const u8 *)fdt, ram_end);
	seed = arg_u64(args, "hostile.seed", 1);
	rounds = arg_u64(args, "hostile.rounds", 20);
	ncpus = arg_u64(args, "hostile.cpus", 2);
	chip_kvm = !arg_is(args, "hostile.chip=user");
	nisv = arg_u64(args, "hostile.nisv", 0) != 0;
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	/* scratch areas: 16 MiB above the image, never where the image lives */
	scratch_ring = RAM_BASE + 0x1000000ULL;
	scratch_buf = scratch_ring + SCRATCH_SIZE;
	uart_sane();
	gic_v3 = ((hx_read(GICD_BASE + 0xffe8, 4) >> 4) & 0xf) == 3;
	puts_("HOSTILE start seed=");
	putu(seed);
	puts_(" rounds=");
	putu(rounds);
	puts_(" ram_end=");
	putx(ram_end);
	puts_(gic_v3 ? " gic=v3" : " gic=v2");
	puts_(chip_kvm ? " chip=kvm" : " chip=user");
	puts_(nisv ? " nisv=1\n" : " nisv=0\n");
	if (ram_end < scratch_buf + SCRATCH_SIZE + 0x400000ULL) {
		puts_("HOSTILE FAIL: too little RAM\n");
		return;
	}
	for (unsigned s = 0; s < VIRTIO_SLOTS; s++) {
		u64 b = VIRTIO_BASE + s * VIRTIO_SIZE;

		if (vr(b, VM_MAGIC) == 0x74726976 && vr(b, VM_DEVICE_ID)) {
			virtio_slots[nvirtio++] = b;
			puts_("HOSTILE virtio slot ");
			putu(s);
			puts_(" device ");
			putu(vr(b, VM_DEVICE_ID));
			puts_("\n");
		}
	}
	puts_("HOSTILE virtio devices=");
	putu(nvirtio);
	puts_("\n");

	for (u64 round = 1; round <= rounds; round++) {
		u64 gicd_size = gic_v3 ? 0x10000 : 0x1000;

		/* the devices kestrel models, and the GIC windows */
		attack_window(UART_BASE + 1, 7, 16); /* not THR: no garbage on the console */
		attack_window(RTC_BASE, 0x1000, 32);
		attack_window(GPIO_BASE, 0x1000, 32);
		attack_window(GICD_BASE, gicd_size, 48);
		if (gic_v3)
			attack_window(GICR_BASE, GICR_STRIDE * (ncpus + 1), 48);
		else
			attack_window(GICC_BASE, 0x2000, 32);
		attack_window(ITS_BASE, 0x20000, 16);
		/* the gaps between them and past the windows */
		attack_window(GICD_BASE + gicd_size, GICC_BASE - GICD_BASE - gicd_size, 8);
		attack_window(GICC_BASE + 0x2000, ITS_BASE - GICC_BASE - 0x2000, 8);
		attack_window(UART_BASE + 0x1000, RTC_BASE - UART_BASE - 0x1000, 8);
		attack_window(GPIO_BASE + 0x1000, VIRTIO_BASE - GPIO_BASE - 0x1000, 8);
		attack_window(VIRTIO_BASE, VIRTIO_SLOTS * VIRTIO_SIZE + 0x1000, 32);
		attack_window(0, GICD_BASE, 8);
		attack_window(GICR_BASE + GICR_STRIDE * (ncpus + 1), 0x10000000, 8);
		attack_window(ram_end, 0x40000000, 8);
		gic_attack((unsigned)ncpus);
		psci_attack((unsigned)ncpus);
		for (unsigned i = 0; i < nvirtio; i++)
			virtio_attack_slot(virtio_slots[i]);
		(void)hx_smc(PSCI_VERSION, 0, 0, 0);
		if (nisv)
			nisv_attack();
		report("round", round);
	}
	/*
	 * Last: CPU_ON of vCPU 1 at a bad entry point (MMIO, misaligned, past
	 * RAM). It then takes aborts at VBAR_EL1 = 0 forever inside KVM (a guest
	 * problem kestrel never sees); SYSTEM_OFF from vCPU 0 must still end the
	 * VM and kestrel exit 0. Only once: the vCPU never comes back.
	 */
	if (arg_u64(args, "hostile.badentry", 1) && ncpus > 1 && psci_wait_off(1)) {
		u64 entries[] = {UART_BASE, (u64)secondary_entry + 2, ram_end + 0x1000};

		bad_entry_result = (int64_t)hx_hvc(PSCI_CPU_ON, 1, entries[below(3)], 0);
	}
	/* leave the devices quiet */
	for (unsigned i = 0; i < nvirtio; i++)
		vw(virtio_slots[i], VM_STATUS, 0);
	report("DONE", rounds);
}
