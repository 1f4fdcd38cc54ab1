/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* maint.h - lib/maint helpers shared with its unit tests. Not installed. */
#ifndef CTI_MAINT_H
#define CTI_MAINT_H

#include <stdint.h>

/* DAHDI_ALARM_* bits to CTI_ALARM_* bits. */
uint32_t maint_alarms_from_dahdi(int dahdi_alarms);
/* CTIFW_ALARM_* bits to CTI_ALARM_* bits (drops the simulation marker). */
uint32_t maint_alarms_from_fw(uint32_t fw_alarms);

#endif
