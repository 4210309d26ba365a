/*
 * The guest of tests/kvm/irq_line_race.c: a few instructions run at EL1 by
 * a vCPU of a VM without an in-kernel GIC. The bytes between
 * irq_race_guest_start and irq_race_guest_end are data in the host program
 * (never executed there); irq_line_race.c copies them to the start of the
 * guest's memory slot, which is 64 KiB aligned, so the 2 KiB alignment of
 * the vector table below holds in the guest too. Position independent.
 *
 * Registers set by the host before the first KVM_RUN:
 *   x0  base of an unmapped guest-physical range: a store there is an MMIO
 *       exit to userspace (offset 0x0: "IRQ taken", 0x8: "unexpected
 *       exception", with ESR_EL1 as data)
 *   x2  0: line modes (the host drives the CPU IRQ line itself);
 *       1: timer mode (the line follows the EL1 virtual timer)
 *   x3  timer mode: the tick period in counter ticks
 */
	.section .rodata.irq_race_guest, "a"
	.balign 4096
	.global irq_race_guest_start
	.global irq_race_guest_end
irq_race_guest_start:
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	cbz	x2, loop
	msr	cntv_tval_el0, x3		// timer mode: first tick
	mov	x4, #1
	msr	cntv_ctl_el0, x4		// ENABLE=1, IMASK=0
	isb
loop:
	msr	daifclr, #2			// unmask IRQs
	wfi
	b	loop

	.balign 2048
vectors:					// VBAR_EL1: 16 entries of 0x80 bytes
	b	bad				// current EL, SP0: synchronous
	.org	vectors + 0x080
	b	irq				// current EL, SP0: IRQ
	.org	vectors + 0x100
	b	bad				// current EL, SP0: FIQ
	.org	vectors + 0x180
	b	bad				// current EL, SP0: SError
	.org	vectors + 0x200
	b	bad				// current EL, SPx: synchronous
	.org	vectors + 0x280
	b	irq				// current EL, SPx: IRQ (EL1h)
	.org	vectors + 0x300
	b	bad
	.org	vectors + 0x380
	b	bad
	.org	vectors + 0x400
	b	bad				// lower EL entries: never used
	.org	vectors + 0x480
	b	bad
	.org	vectors + 0x500
	b	bad
	.org	vectors + 0x580
	b	bad
	.org	vectors + 0x600
	b	bad
	.org	vectors + 0x680
	b	bad
	.org	vectors + 0x700
	b	bad
	.org	vectors + 0x780
	b	bad
	.org	vectors + 0x800

irq:
	cbz	x2, 1f
	msr	cntv_ctl_el0, xzr		// timer mode: drop the timer's level
	isb
1:	str	wzr, [x0]			// MMIO exit: "IRQ taken"
	cbz	x2, 2f
	msr	cntv_tval_el0, x3		// timer mode: arm the next tick
	mov	x4, #1
	msr	cntv_ctl_el0, x4
	isb
2:	eret

bad:
	mrs	x5, esr_el1
	str	x5, [x0, #8]			// MMIO exit: "unexpected exception"
	b	bad
irq_race_guest_end:
