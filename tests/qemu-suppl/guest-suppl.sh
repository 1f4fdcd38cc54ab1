#!/bin/sh
# Runs inside the QEMU guest as /test.sh: dahdi.ko + ctitdm.ko (4 ports:
# 1-2 E1, 3-4 T1, cabled in pairs), PRI configuration with dahdi_cfg, then
# qemu_suppl (hold, transfer over the DAHDI spans). Prints TAP lines.
M=/lib/modules
echo "# guest: $(uname -r), $(nproc) cpus"
insmod $M/dahdi.ko auto_assign_spans=0 || echo "not ok - insmod dahdi.ko"
insmod $M/ctitdm.ko ports=4 || echo "not ok - insmod ctitdm.ko"
DEV=$(ls -d /sys/bus/dahdi_devices/devices/* | head -n 1)
ST=$DEV/spantype; [ -e $ST ] || ST=$DEV/dahdi_spantype
echo "3:T1" > $ST; echo "4:T1" > $ST
echo "1:1:1" > $DEV/assign_span; echo "2:2:32" > $DEV/assign_span
echo "3:3:63" > $DEV/assign_span; echo "4:4:87" > $DEV/assign_span
mkdir -p /etc/dahdi
cat >/etc/dahdi/system.conf <<CONF
span=1,1,0,ccs,hdb3,crc4
span=2,0,0,ccs,hdb3,crc4
span=3,0,0,esf,b8zs
span=4,0,0,esf,b8zs
bchan=1-15,17-31
hardhdlc=16
bchan=32-46,48-62
hardhdlc=47
bchan=63-85
hardhdlc=86
bchan=87-109
hardhdlc=110
loadzone=us
defaultzone=us
CONF
if dahdi_cfg >/tmp/cfg.log 2>&1; then echo "# dahdi_cfg ok"; else echo "not ok - dahdi_cfg"; sed 's/^/#   /' /tmp/cfg.log; fi
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/usr/lib
/bin/qemu_suppl
echo "# qemu_suppl exit $?"
