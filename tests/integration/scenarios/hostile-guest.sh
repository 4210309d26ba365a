# timeout: 240
# irqchips: auto user
# The hostile test guest (tests/hostile, docs/security.md) under the host's
# in-kernel GIC (auto: kvm-v3 on a GICv3 host, kvm-v2 on a GICv2 host) and
# the userspace GICv2, with 2 vCPUs, a virtio-blk disk, virtio-rng and
# virtio-vsock (when the host has vhost-vsock) to attack, for a bounded number of rounds; the checks are hostile_run's
# (tests/integration/hostile-common.sh): every round ran, exit 0 on the
# guest's SYSTEM_OFF, no KVM_RUN failure, no repeated log line, every access
# KVM cannot decode answered with an external abort.
#   KT_HOSTILE_ROUNDS  rounds (default 12)
#   KT_HOSTILE_SEED    seed (default: from the clock; printed in the PASS line)
#   KT_HOSTILE_NISV=0  no undecodable accesses (host kernels before 5.5)
#   KT_HOSTILE_ARGS    more guest arguments
. "$KT_DIR/hostile-common.sh"
rounds=${KT_HOSTILE_ROUNDS:-12}
seed=${KT_HOSTILE_SEED:-$(($(date +%s) % 100000))}
nisv=${KT_HOSTILE_NISV:-1}
echo "seed=$seed rounds=$rounds irqchip=$KT_IRQCHIP nisv=$nisv"
hostile_run g "$KT_IRQCHIP" "$seed" "$rounds" "$nisv"
grep -a -v "HOSTILE round" "$KT_SCENARIO_DIR/g.clean" | head -n 60
grep -a "HOSTILE round" "$KT_SCENARIO_DIR/g.clean" | tail -n 2
cat "$KT_SCENARIO_DIR/g.kinds"
echo "NOTE: seed=$seed rounds=$rounds virtio=$(grep -c "HOSTILE virtio slot" "$KT_SCENARIO_DIR/g.clean") $HOSTILE_DONE"
