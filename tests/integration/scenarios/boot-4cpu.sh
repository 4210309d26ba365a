# timeout: 120
# irqchips: auto user
# 4 vCPUs (on a 2-CPU emulated host): all online, poweroff -f -> exit 0.
. "$KT_DIR/boot-common.sh"
boot_and_poweroff 4
