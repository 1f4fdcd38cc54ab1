#!/bin/sh
# Runs inside the QEMU guest as /test.sh: dahdi.ko + ctitdm.ko (2 E1 ports
# cabled together), E1 CCS/HDB3/CRC-4 PRI configuration with dahdi_cfg (as
# tests/qemu-core/guest-core.sh), then qemu_fax. Prints TAP lines.
M=/lib/modules
echo "# guest: $(uname -r), $(nproc) cpus"
insmod $M/dahdi.ko auto_assign_spans=0 || echo "not ok - insmod dahdi.ko"
insmod $M/ctitdm.ko ports=2 || echo "not ok - insmod ctitdm.ko"
DEV=$(ls -d /sys/bus/dahdi_devices/devices/* | head -n 1)
echo "1:1:1" > $DEV/assign_span; echo "2:2:32" > $DEV/assign_span
mkdir -p /etc/dahdi
cat >/etc/dahdi/system.conf <<CONF
span=1,1,0,ccs,hdb3,crc4
span=2,0,0,ccs,hdb3,crc4
bchan=1-15,17-31
hardhdlc=16
bchan=32-46,48-62
hardhdlc=47
loadzone=us
defaultzone=us
CONF
if dahdi_cfg >/tmp/cfg.log 2>&1; then echo "# dahdi_cfg ok"; else echo "not ok - dahdi_cfg"; sed 's/^/#   /' /tmp/cfg.log; fi
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/usr/lib
/bin/qemu_fax $FAX_CASES
echo "# qemu_fax exit $?"
# the spans after the run (IRQ misses, slips, alarms as /proc/dahdi shows them)
for s in 1 2; do head -n 4 /proc/dahdi/$s | grep -v '^$' | sed "s|^|# span $s: |"; done
