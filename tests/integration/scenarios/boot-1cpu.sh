# timeout: 90
# irqchips: auto user
# Debian's kernel + busybox initramfs boots to init on 1 vCPU; poweroff -f -> exit 0.
. "$KT_DIR/boot-common.sh"
boot_and_poweroff 1
