/*
 * Entry of the hostile test guest (tests/hostile/hostile.c): an arm64 Image
 * header (so kestrel loads it as --kernel), the stack, the EL1 vector table
 * and the secondary-CPU entry used by the PSCI attacks.
 *
 * Booted as Linux is: EL1, MMU off, x0 = the FDT's address. Every exception
 * goes to hostile_exception(kind, frame) which skips the faulting
 * instruction, so the guest survives the aborts it provokes.
 */
	.section .text.head, "ax"
	.global _head
_head:
	b	start			// code0
	.long	0			// code1
	.quad	0			// text_offset: at the 2 MiB boundary
	.quad	_image_end - _head	// image_size (bss included)
	.quad	0x2			// flags: little-endian, 4 KiB pages
	.quad	0, 0, 0			// res2..res4
	.ascii	"ARM\x64"		// magic
	.long	0			// res5

start:
	mov	x19, x0
	adrp	x1, stack_top
	add	x1, x1, :lo12:stack_top
	mov	sp, x1
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, x19
	bl	hostile_main
	movz	w0, #0x0008		// PSCI SYSTEM_OFF (0x84000008)
	movk	w0, #0x8400, lsl #16
	hvc	#0
3:	wfi
	b	3b

/*
 * A secondary CPU started by PSCI CPU_ON: x0 = context id. Counts itself in
 * hostile_secondary_seen, then PSCI CPU_OFF.
 */
	.global secondary_entry
secondary_entry:
	adrp	x1, secondary_stack_top
	add	x1, x1, :lo12:secondary_stack_top
	mov	sp, x1
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	bl	hostile_secondary
	movz	w0, #0x0002		// PSCI CPU_OFF (0x84000002)
	movk	w0, #0x8400, lsl #16
	hvc	#0
4:	wfi
	b	4b

/* Save x0-x30, call hostile_exception(kind, frame), restore, eret. */
.macro	vent kind
	.balign	0x80
	sub	sp, sp, #256
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	exc_common
.endm

	.balign	2048
vectors:
	vent	0
	vent	1
	vent	2
	vent	3
	vent	4
	vent	5
	vent	6
	vent	7
	vent	8
	vent	9
	vent	10
	vent	11
	vent	12
	vent	13
	vent	14
	vent	15

exc_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	mov	x1, sp
	bl	hostile_exception
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #256
	eret

/*
 * Accesses whose encoding matters (KVM can decode only single loads and
 * stores without writeback): hostile.c never lets the compiler pick them.
 *   u64 hx_read(addr, width)   ldrb/ldrh/ldr w/ldr x  [x0]
 *   void hx_write(addr, width, val)
 *   u64 hx_ldp(addr)           ldp x, x  [x0]   (no syndrome: NISV)
 *   u64 hx_str_post(addr, v)   str x1, [x0], #8 (writeback: NISV)
 */
	.text
	.global hx_read
hx_read:
	cmp	x1, #1
	b.eq	1f
	cmp	x1, #2
	b.eq	2f
	cmp	x1, #4
	b.eq	4f
	ldr	x0, [x0]
	ret
1:	ldrb	w0, [x0]
	ret
2:	ldrh	w0, [x0]
	ret
4:	ldr	w0, [x0]
	ret

	.global hx_write
hx_write:
	cmp	x1, #1
	b.eq	1f
	cmp	x1, #2
	b.eq	2f
	cmp	x1, #4
	b.eq	4f
	str	x2, [x0]
	ret
1:	strb	w2, [x0]
	ret
2:	strh	w2, [x0]
	ret
4:	str	w2, [x0]
	ret

	.global hx_ldp
hx_ldp:
	mov	x2, x0
	mov	x0, #0
	mov	x1, #0
	ldp	x0, x1, [x2]
	add	x0, x0, x1
	ret

	.global hx_str_post
hx_str_post:
	str	x1, [x0], #8
	ret

	.global hx_hvc
/* u64 hx_hvc(fn, a1, a2, a3): SMCCC call through HVC, x0 result. */
hx_hvc:
	hvc	#0
	ret

	.global hx_smc
hx_smc:
	smc	#0
	ret
