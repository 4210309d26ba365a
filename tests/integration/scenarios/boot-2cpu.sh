# timeout: 90
# irqchips: auto user
# 2 vCPUs: both online in the guest, poweroff -f -> exit 0.
. "$KT_DIR/boot-common.sh"
boot_and_poweroff 2
