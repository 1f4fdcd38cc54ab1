/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cluster.h - several ctid hosts as one call center, sharing the ACD through
 * Redis (docs/ctid.md "Several hosts", docs/scale.md).
 *
 * cluster_start() connects, joins (lease, queues, this host's agents) and
 * installs itself as the ACD's backend (acd_set_backend): from then on the
 * agent and call functions of acd.h run as one Lua script in Redis
 * (cluster.lua), atomically for all hosts. What any host decides comes back
 * in order through the Redis stream cti:events, read by a thread of its own;
 * cluster_process() (main thread, when cluster_fd() is readable) turns the
 * entries into acd events for this host: deliveries of its calls, agent
 * states of every agent (wallboards), overflow.
 *
 * Redis I/O on the main thread is bounded: one round trip per ACD operation
 * with a 200 ms timeout. When Redis cannot be reached the host keeps its own
 * calls and agents (a mirror), answers agent commands ACD_EUNAVAIL, retries
 * once a second and, once back, republishes what Redis lost (reconcile).
 */
#ifndef CTID_CLUSTER_H
#define CTID_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "acd.h"
#include "config.h"

typedef struct cluster cluster_t;

/* NULL with a message in err if Redis cannot be reached or refuses the host (e.g. an agent owned by another host). */
cluster_t *cluster_start(const struct ctid_config *cfg, acd_t *acd, char *err, size_t errlen);
/* SIGHUP: publish the new file's queue settings and this host's agents (after ctid_config_apply). */
void cluster_reload(cluster_t *cl, const struct ctid_config *cfg);
/* Readable when stream entries wait for cluster_process(). */
int cluster_fd(const cluster_t *cl);
/* Turn the stream entries read so far into acd events (then drain them with acd_next_event). */
void cluster_process(cluster_t *cl);
/* HOST-START (START: this process' start, Unix seconds): prefix of call ids unique in the cluster's CDRs. */
const char *cluster_call_prefix(const cluster_t *cl);
/* Redis commands sent so far by this host's main thread (bench). */
uint64_t cluster_ops(const cluster_t *cl);
/* Leave (agents released at once, no lease wait), stop the reader, detach from the ACD. */
void cluster_stop(cluster_t *cl);

#endif
