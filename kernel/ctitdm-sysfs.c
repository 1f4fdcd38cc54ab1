// SPDX-License-Identifier: GPL-2.0
/*
 * ctitdm-sysfs.c - cable control and debugging attributes of the emulated
 * board: /sys/devices/platform/ctitdm.<board>/port<N>/ (N global, 1-based).
 *
 * Writable: peer, tx, ais, ber, burst, ppm, bit_delay. Every write is
 * validated; a bad value is refused with -EINVAL and a dev_warn naming the
 * attribute and the value. Locking: an attribute of one port takes that
 * port's board lock; 'peer' writes take every board's lock (ascending). Read-only: alarms, defects, counters, prbs,
 * loopback, config, in_sync, rx_bit_offset, rx_loopcode, tx_loopcode, span.
 */
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "ctitdm.h"

#define to_port(k) container_of(k, struct ctitdm_port, kobj)

static void ctitdm_port_release(struct kobject *kobj)
{
	kfree(to_port(kobj));
}

/* Refuse a write: say which attribute of which port and what value. */
static ssize_t bad_value(struct ctitdm_port *port, const char *attr,
			 const char *buf, size_t count, const char *why)
{
	size_t len = min_t(size_t, count, 32);

	while (len && isspace(buf[len - 1]))
		len--;
	dev_warn(ctitdm_dev(port), "port%u/%s: invalid value '%.*s': %s\n",
		 port->gno, attr, (int)len, buf, why);
	return -EINVAL;
}

static void strip(char *s)
{
	size_t n = strlen(s);

	while (n && isspace(s[n - 1]))
		s[--n] = '\0';
}

/* ---- peer ---- */

static ssize_t peer_show(struct kobject *kobj, struct kobj_attribute *a,
			 char *buf)
{
	struct ctitdm_port *port = to_port(kobj);
	struct ctifw_port *peer;
	unsigned int gno = 0, n;
	unsigned long flags;

	spin_lock_irqsave(&port->board->lock, flags);
	peer = ctifw_cable_peer(port->fw);
	spin_unlock_irqrestore(&port->board->lock, flags);
	for (n = 1; peer && !gno && n <= CTITDM_MAX_BOARDS * CTITDM_MAX_PORTS; n++) {
		struct ctitdm_port *p = ctitdm_port_by_number(n);

		if (p && p->fw == peer)
			gno = p->gno;
	}
	return sysfs_emit(buf, "%u\n", gno);
}

static ssize_t peer_store(struct kobject *kobj, struct kobj_attribute *a,
			  const char *buf, size_t count)
{
	struct ctitdm_port *port = to_port(kobj);
	struct ctitdm_port *peer = NULL;
	unsigned long flags;
	unsigned int n;

	if (kstrtouint(buf, 10, &n))
		return bad_value(port, "peer", buf, count,
				 "expected a port number, or 0 to cut the cable");
	if (n) {
		peer = ctitdm_port_by_number(n);
		if (!peer)
			return bad_value(port, "peer", buf, count,
					 "no such port");
	}
	/*
	 * Plugging or cutting a cable changes the peer of up to four ports
	 * (both ends and their old peers), which may sit on any board.
	 */
	ctitdm_lock_all(&flags);
	if (peer)
		ctifw_cable_connect(port->fw, peer->fw);
	else
		ctifw_cable_cut(port->fw);
	ctitdm_unlock_all(flags);
	return count;
}

/* ---- tx: the pair leaving this port ---- */

static ssize_t tx_show(struct kobject *kobj, struct kobj_attribute *a,
		       char *buf)
{
	return sysfs_emit(buf, "%d\n", to_port(kobj)->tx_on);
}

static ssize_t tx_store(struct kobject *kobj, struct kobj_attribute *a,
			const char *buf, size_t count)
{
	struct ctitdm_port *port = to_port(kobj);
	unsigned long flags;
	bool on;

	if (kstrtobool(buf, &on))
		return bad_value(port, "tx", buf, count, "expected 0 or 1");
	spin_lock_irqsave(&port->board->lock, flags);
	port->tx_on = on;
	ctitdm_port_apply_tx(port);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return count;
}

/* ---- line faults of the signal arriving at this port ---- */

static void get_faults(struct ctitdm_port *port, struct ctifw_line_faults *f)
{
	unsigned long flags;

	spin_lock_irqsave(&port->board->lock, flags);
	ctifw_line_get_faults(port->fw, f);
	spin_unlock_irqrestore(&port->board->lock, flags);
}

static void set_faults(struct ctitdm_port *port,
		       void (*change)(struct ctifw_line_faults *f, s64 v), s64 v)
{
	struct ctifw_line_faults f;
	unsigned long flags;

	/* read-modify-write under one lock hold so writers do not race */
	spin_lock_irqsave(&port->board->lock, flags);
	ctifw_line_get_faults(port->fw, &f);
	change(&f, v);
	ctifw_line_set_faults(port->fw, &f);
	spin_unlock_irqrestore(&port->board->lock, flags);
}

static void set_ais(struct ctifw_line_faults *f, s64 v) { f->ais = v; }
static void set_ber(struct ctifw_line_faults *f, s64 v) { f->ber_e12 = v; }
static void set_burst(struct ctifw_line_faults *f, s64 v) { f->burst_bits = v; }
static void set_ppm(struct ctifw_line_faults *f, s64 v) { f->ppm = v; }
static void set_delay(struct ctifw_line_faults *f, s64 v) { f->bit_delay = v; }

static ssize_t ais_show(struct kobject *kobj, struct kobj_attribute *a,
			char *buf)
{
	struct ctifw_line_faults f;

	get_faults(to_port(kobj), &f);
	return sysfs_emit(buf, "%d\n", f.ais);
}

static ssize_t ais_store(struct kobject *kobj, struct kobj_attribute *a,
			 const char *buf, size_t count)
{
	struct ctitdm_port *port = to_port(kobj);
	bool on;

	if (kstrtobool(buf, &on))
		return bad_value(port, "ais", buf, count, "expected 0 or 1");
	set_faults(port, set_ais, on);
	return count;
}

/*
 * Bit error rate: "1e-5", "2.5e-6", "0", or an integer count of errors per
 * 10^12 bits. The result is stored as errors per 10^12 bits (<= 10^12).
 */
int ctitdm_parse_ber(const char *s, u64 *e12)
{
	u64 mant = 0;
	int frac = 0, exp = 0, shift, digits = 0;
	bool dot = false;

	while (isspace(*s))
		s++;
	for (; isdigit(*s) || (*s == '.' && !dot); s++) {
		if (*s == '.') {
			dot = true;
			continue;
		}
		if (mant > 100000000000000ULL)
			return -EINVAL;
		mant = mant * 10 + (*s - '0');
		digits++;
		if (dot)
			frac++;
	}
	if (!digits)
		return -EINVAL;
	if (*s == 'e' || *s == 'E') {
		bool neg = false;
		int n = 0;

		s++;
		if (*s == '-' || *s == '+')
			neg = *s++ == '-';
		if (!isdigit(*s))
			return -EINVAL;
		for (; isdigit(*s); s++) {
			n = n * 10 + (*s - '0');
			if (n > 99)
				return -EINVAL;
		}
		exp = neg ? -n : n;
		/* in exponent form the value is a rate: scale to 10^12 */
		shift = 12 + exp - frac;
	} else if (dot) {
		/* a plain decimal like 0.001 is a rate too */
		shift = 12 - frac;
	} else {
		/* a plain integer is already errors per 10^12 bits */
		shift = 0;
	}
	while (isspace(*s))
		s++;
	if (*s)
		return -EINVAL;
	for (; shift > 0; shift--) {
		if (mant > 1000000000000ULL)
			return -ERANGE;
		mant *= 10;
	}
	for (; shift < 0; shift++)
		mant /= 10;
	if (mant > 1000000000000ULL)
		return -ERANGE;
	*e12 = mant;
	return 0;
}

static ssize_t ber_show(struct kobject *kobj, struct kobj_attribute *a,
			char *buf)
{
	struct ctifw_line_faults f;

	get_faults(to_port(kobj), &f);
	return sysfs_emit(buf, "%llu\n", (unsigned long long)f.ber_e12);
}

static ssize_t ber_store(struct kobject *kobj, struct kobj_attribute *a,
			 const char *buf, size_t count)
{
	struct ctitdm_port *port = to_port(kobj);
	char tmp[32];
	u64 v;

	if (count >= sizeof(tmp))
		return bad_value(port, "ber", buf, count, "too long");
	memcpy(tmp, buf, count);
	tmp[count] = '\0';
	strip(tmp);
	if (ctitdm_parse_ber(tmp, &v))
		return bad_value(port, "ber", buf, count,
				 "expected a rate like 1e-5 (0..1) or errors per 10^12 bits (0..1000000000000)");
	set_faults(port, set_ber, v);
	return count;
}

static ssize_t burst_show(struct kobject *kobj, struct kobj_attribute *a,
			  char *buf)
{
	struct ctifw_line_faults f;

	get_faults(to_port(kobj), &f);
	return sysfs_emit(buf, "%u\n", f.burst_bits);
}

static ssize_t burst_store(struct kobject *kobj, struct kobj_attribute *a,
			   const char *buf, size_t count)
{
	struct ctitdm_port *port = to_port(kobj);
	unsigned int v;

	if (kstrtouint(buf, 10, &v) || v > 1000000)
		return bad_value(port, "burst", buf, count,
				 "expected burst length in bits 0..1000000");
	set_faults(port, set_burst, v);
	return count;
}

static ssize_t ppm_show(struct kobject *kobj, struct kobj_attribute *a,
			char *buf)
{
	struct ctifw_line_faults f;

	get_faults(to_port(kobj), &f);
	return sysfs_emit(buf, "%d\n", f.ppm);
}

static ssize_t ppm_store(struct kobject *kobj, struct kobj_attribute *a,
			 const char *buf, size_t count)
{
	struct ctitdm_port *port = to_port(kobj);
	int v;

	if (kstrtoint(buf, 10, &v) || v < -1000 || v > 1000)
		return bad_value(port, "ppm", buf, count,
				 "expected clock offset -1000..1000 ppm");
	set_faults(port, set_ppm, v);
	return count;
}

#define CTITDM_MAX_BIT_DELAY	65535

static ssize_t bit_delay_show(struct kobject *kobj, struct kobj_attribute *a,
			      char *buf)
{
	struct ctifw_line_faults f;

	get_faults(to_port(kobj), &f);
	return sysfs_emit(buf, "%u\n", f.bit_delay);
}

static ssize_t bit_delay_store(struct kobject *kobj, struct kobj_attribute *a,
			       const char *buf, size_t count)
{
	struct ctitdm_port *port = to_port(kobj);
	unsigned int v;

	if (kstrtouint(buf, 10, &v) || v > CTITDM_MAX_BIT_DELAY)
		return bad_value(port, "bit_delay", buf, count,
				 "expected 0..65535 bits");
	set_faults(port, set_delay, v);
	return count;
}

/* ---- read-only status ---- */

static ssize_t print_alarm_bits(char *buf, u32 a)
{
	static const char * const names[] = {
		"LOS", "LOF", "AIS", "RAI", "LMFA", "RECOVER", "SIM",
	};
	int len = 0, i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (a & (1u << i))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     names[i]);
	if (!len)
		len += sysfs_emit_at(buf, len, "OK");
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static ssize_t alarms_show(struct kobject *kobj, struct kobj_attribute *a,
			   char *buf)
{
	struct ctitdm_port *port = to_port(kobj);
	unsigned long flags;
	u32 v;

	spin_lock_irqsave(&port->board->lock, flags);
	v = ctifw_port_alarms(port->fw);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return print_alarm_bits(buf, v);
}

static ssize_t defects_show(struct kobject *kobj, struct kobj_attribute *a,
			    char *buf)
{
	struct ctitdm_port *port = to_port(kobj);
	unsigned long flags;
	u32 v;

	spin_lock_irqsave(&port->board->lock, flags);
	v = ctifw_port_defects(port->fw);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return print_alarm_bits(buf, v);
}

static ssize_t counters_show(struct kobject *kobj, struct kobj_attribute *a,
			     char *buf)
{
	struct ctitdm_port *port = to_port(kobj);
	struct ctifw_counters c;
	unsigned long flags;

	spin_lock_irqsave(&port->board->lock, flags);
	ctifw_port_get_counters(port->fw, &c);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return sysfs_emit(buf,
		"fas %u\nmfas %u\ncrc %u\nebit %u\ncv %u\nbpv %u\nslips %u\n"
		"lof_events %u\nes %u\nses %u\nuas %u\nseconds %u\n"
		"hdlc_rx_frames %u\nhdlc_tx_frames %u\nhdlc_crc_errors %u\n"
		"hdlc_aborts %u\nhdlc_overruns %u\nprbs_errors %u\n"
		"hdlc_tx_dropped %u\n",
		c.fas, c.mfas, c.crc, c.ebit, c.cv, c.bpv, c.slips,
		c.lof_events, c.es, c.ses, c.uas, c.seconds,
		c.hdlc_rx_frames, c.hdlc_tx_frames, c.hdlc_crc_errors,
		c.hdlc_aborts, c.hdlc_overruns, c.prbs_errors,
		port->hdlc_tx_dropped);
}

static ssize_t prbs_show(struct kobject *kobj, struct kobj_attribute *a,
			 char *buf)
{
	struct ctitdm_port *port = to_port(kobj);
	struct ctifw_prbs_status s;
	unsigned long flags;

	spin_lock_irqsave(&port->board->lock, flags);
	ctifw_prbs_get_status(port->fw, &s);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return sysfs_emit(buf,
		"pattern %d\nsync %d\nbits %llu\nerrors %llu\nsync_losses %u\n"
		"seconds %u\nerrored_seconds %u\nseverely_errored_seconds %u\n",
		s.pattern, s.sync, (unsigned long long)s.bits,
		(unsigned long long)s.errors, s.sync_losses, s.seconds,
		s.errored_seconds, s.severely_errored_seconds);
}

static ssize_t loopback_show(struct kobject *kobj, struct kobj_attribute *a,
			     char *buf)
{
	static const char * const names[] = {
		"none", "local", "network_line", "network_payload",
	};
	struct ctitdm_port *port = to_port(kobj);
	unsigned long flags;
	unsigned int v;

	spin_lock_irqsave(&port->board->lock, flags);
	v = ctifw_port_get_loopback(port->fw);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return sysfs_emit(buf, "%s\n", v < ARRAY_SIZE(names) ? names[v] : "?");
}

static ssize_t loopcode_show(struct ctitdm_port *port, bool rx, char *buf)
{
	static const char * const names[] = { "none", "up", "down" };
	unsigned long flags;
	unsigned int v;

	spin_lock_irqsave(&port->board->lock, flags);
	v = rx ? ctifw_port_rx_loopcode(port->fw) :
		 ctifw_port_tx_loopcode(port->fw);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return sysfs_emit(buf, "%s\n", v < ARRAY_SIZE(names) ? names[v] : "?");
}

static ssize_t rx_loopcode_show(struct kobject *kobj, struct kobj_attribute *a,
				char *buf)
{
	return loopcode_show(to_port(kobj), true, buf);
}

static ssize_t tx_loopcode_show(struct kobject *kobj, struct kobj_attribute *a,
				char *buf)
{
	return loopcode_show(to_port(kobj), false, buf);
}

static ssize_t config_show(struct kobject *kobj, struct kobj_attribute *a,
			   char *buf)
{
	static const char * const framing[] = { "df", "crc4", "d4", "esf" };
	static const char * const coding[] = { "hdb3", "ami", "b8zs" };
	struct ctitdm_port *port = to_port(kobj);
	struct ctifw_port_config c;
	unsigned long flags;

	spin_lock_irqsave(&port->board->lock, flags);
	ctifw_port_get_config(port->fw, &c);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return sysfs_emit(buf, "%s %s %s cas=%d dchan=%u running=%d\n",
			  c.line == CTIFW_LINE_E1 ? "e1" : "t1",
			  c.framing < ARRAY_SIZE(framing) ? framing[c.framing] : "?",
			  c.coding < ARRAY_SIZE(coding) ? coding[c.coding] : "?",
			  c.cas, c.dchan, port->running);
}

static ssize_t in_sync_show(struct kobject *kobj, struct kobj_attribute *a,
			    char *buf)
{
	struct ctitdm_port *port = to_port(kobj);
	unsigned long flags;
	bool v;

	spin_lock_irqsave(&port->board->lock, flags);
	v = ctifw_port_in_sync(port->fw);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return sysfs_emit(buf, "%d\n", v);
}

static ssize_t rx_bit_offset_show(struct kobject *kobj,
				  struct kobj_attribute *a, char *buf)
{
	struct ctitdm_port *port = to_port(kobj);
	unsigned long flags;
	int v;

	spin_lock_irqsave(&port->board->lock, flags);
	v = ctifw_port_rx_bit_offset(port->fw);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return sysfs_emit(buf, "%d\n", v);
}

static ssize_t span_show(struct kobject *kobj, struct kobj_attribute *a,
			 char *buf)
{
	return sysfs_emit(buf, "%d\n", to_port(kobj)->span.spanno);
}

static struct kobj_attribute attr_peer = __ATTR_RW(peer);
static struct kobj_attribute attr_tx = __ATTR_RW(tx);
static struct kobj_attribute attr_ais = __ATTR_RW(ais);
static struct kobj_attribute attr_ber = __ATTR_RW(ber);
static struct kobj_attribute attr_burst = __ATTR_RW(burst);
static struct kobj_attribute attr_ppm = __ATTR_RW(ppm);
static struct kobj_attribute attr_bit_delay = __ATTR_RW(bit_delay);
static struct kobj_attribute attr_alarms = __ATTR_RO(alarms);
static struct kobj_attribute attr_defects = __ATTR_RO(defects);
static struct kobj_attribute attr_counters = __ATTR_RO(counters);
static struct kobj_attribute attr_prbs = __ATTR_RO(prbs);
static struct kobj_attribute attr_loopback = __ATTR_RO(loopback);
static struct kobj_attribute attr_rx_loopcode = __ATTR_RO(rx_loopcode);
static struct kobj_attribute attr_tx_loopcode = __ATTR_RO(tx_loopcode);
static struct kobj_attribute attr_config = __ATTR_RO(config);
static struct kobj_attribute attr_in_sync = __ATTR_RO(in_sync);
static struct kobj_attribute attr_rx_bit_offset = __ATTR_RO(rx_bit_offset);
static struct kobj_attribute attr_span = __ATTR_RO(span);

static struct attribute *ctitdm_port_attrs[] = {
	&attr_peer.attr, &attr_tx.attr, &attr_ais.attr, &attr_ber.attr,
	&attr_burst.attr, &attr_ppm.attr, &attr_bit_delay.attr,
	&attr_alarms.attr, &attr_defects.attr, &attr_counters.attr,
	&attr_prbs.attr, &attr_loopback.attr, &attr_rx_loopcode.attr,
	&attr_tx_loopcode.attr,
	&attr_config.attr, &attr_in_sync.attr, &attr_rx_bit_offset.attr,
	&attr_span.attr,
	NULL,
};
ATTRIBUTE_GROUPS(ctitdm_port);

static struct kobj_type ctitdm_port_ktype = {
	.release = ctitdm_port_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = ctitdm_port_groups,
};

void ctitdm_port_sysfs_init(struct ctitdm_port *port)
{
	kobject_init(&port->kobj, &ctitdm_port_ktype);
}

int ctitdm_port_sysfs_add(struct ctitdm_port *port)
{
	int res = kobject_add(&port->kobj, &port->board->pdev->dev.kobj,
			      "port%u", port->gno);

	if (res)
		return res;
	port->kobj_added = true;
	return 0;
}

void ctitdm_port_sysfs_del(struct ctitdm_port *port)
{
	if (port->kobj_added)
		kobject_del(&port->kobj);
	port->kobj_added = false;
}

/* Drop the last reference: frees the port (ctitdm_port_release). */
void ctitdm_port_put(struct ctitdm_port *port)
{
	kobject_put(&port->kobj);
}
