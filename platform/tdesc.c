/*
 * tdesc.c -- the target description (qXfer:features:read, annex
 * "target.xml") made from the register list of regs.c.
 *
 * One document with every feature inline, in the shape gdb's own
 * print_xml_feature writes (what "maint print xml-tdesc" shows): each
 * feature carries the types of gdb's features/i386/64bit-*.xml, and each
 * register its regnum, so gdb numbers and lays out the 'g' packet
 * exactly as the list does.  Built on first use into static storage;
 * the list does not change after regs_init.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "platform/regs.h"

#define TDESC_MAX	32768	/* bytes of the document (13K used) */
#define TDESC_LLDB_MAX	65536	/* bytes of lldb's form (29K used) */

#define T_VEC128							\
	"<vector id=\"v8bf16\" type=\"bfloat16\" count=\"8\"/>\n"	\
	"<vector id=\"v8h\" type=\"ieee_half\" count=\"8\"/>\n"		\
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"	\
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"	\
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"		\
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"		\
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"		\
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"		\
	"<union id=\"vec128\">\n"					\
	"  <field name=\"v8_bfloat16\" type=\"v8bf16\"/>\n"		\
	"  <field name=\"v8_half\" type=\"v8h\"/>\n"			\
	"  <field name=\"v4_float\" type=\"v4f\"/>\n"			\
	"  <field name=\"v2_double\" type=\"v2d\"/>\n"			\
	"  <field name=\"v16_int8\" type=\"v16i8\"/>\n"			\
	"  <field name=\"v8_int16\" type=\"v8i16\"/>\n"			\
	"  <field name=\"v4_int32\" type=\"v4i32\"/>\n"			\
	"  <field name=\"v2_int64\" type=\"v2i64\"/>\n"			\
	"  <field name=\"uint128\" type=\"uint128\"/>\n"		\
	"</union>\n"

static const char tdesc_core_types[] =
	"<flags id=\"i386_eflags\" size=\"4\">\n"
	"  <field name=\"CF\" start=\"0\" end=\"0\"/>\n"
	"  <field name=\"\" start=\"1\" end=\"1\"/>\n"
	"  <field name=\"PF\" start=\"2\" end=\"2\"/>\n"
	"  <field name=\"AF\" start=\"4\" end=\"4\"/>\n"
	"  <field name=\"ZF\" start=\"6\" end=\"6\"/>\n"
	"  <field name=\"SF\" start=\"7\" end=\"7\"/>\n"
	"  <field name=\"TF\" start=\"8\" end=\"8\"/>\n"
	"  <field name=\"IF\" start=\"9\" end=\"9\"/>\n"
	"  <field name=\"DF\" start=\"10\" end=\"10\"/>\n"
	"  <field name=\"OF\" start=\"11\" end=\"11\"/>\n"
	"  <field name=\"NT\" start=\"14\" end=\"14\"/>\n"
	"  <field name=\"RF\" start=\"16\" end=\"16\"/>\n"
	"  <field name=\"VM\" start=\"17\" end=\"17\"/>\n"
	"  <field name=\"AC\" start=\"18\" end=\"18\"/>\n"
	"  <field name=\"VIF\" start=\"19\" end=\"19\"/>\n"
	"  <field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
	"  <field name=\"ID\" start=\"21\" end=\"21\"/>\n"
	"</flags>\n";

static const char tdesc_sse_types[] =
	T_VEC128
	"<flags id=\"i386_mxcsr\" size=\"4\">\n"
	"  <field name=\"IE\" start=\"0\" end=\"0\"/>\n"
	"  <field name=\"DE\" start=\"1\" end=\"1\"/>\n"
	"  <field name=\"ZE\" start=\"2\" end=\"2\"/>\n"
	"  <field name=\"OE\" start=\"3\" end=\"3\"/>\n"
	"  <field name=\"UE\" start=\"4\" end=\"4\"/>\n"
	"  <field name=\"PE\" start=\"5\" end=\"5\"/>\n"
	"  <field name=\"DAZ\" start=\"6\" end=\"6\"/>\n"
	"  <field name=\"IM\" start=\"7\" end=\"7\"/>\n"
	"  <field name=\"DM\" start=\"8\" end=\"8\"/>\n"
	"  <field name=\"ZM\" start=\"9\" end=\"9\"/>\n"
	"  <field name=\"OM\" start=\"10\" end=\"10\"/>\n"
	"  <field name=\"UM\" start=\"11\" end=\"11\"/>\n"
	"  <field name=\"PM\" start=\"12\" end=\"12\"/>\n"
	"  <field name=\"FZ\" start=\"15\" end=\"15\"/>\n"
	"</flags>\n";

static const char tdesc_avx512_types[] =
	T_VEC128
	"<vector id=\"v2ui128\" type=\"uint128\" count=\"2\"/>\n";

/* Types each feature defines; gdb looks types up per feature. */
static const struct {
	const char	*ft_feature;
	const char	*ft_types;
} tdesc_types[] = {
	{ "org.gnu.gdb.i386.core", tdesc_core_types },
	{ "org.gnu.gdb.i386.sse", tdesc_sse_types },
	{ "org.gnu.gdb.i386.avx512", tdesc_avx512_types },
};

struct tdesc_out {
	char	*to_buf;
	size_t	 to_len;
	size_t	 to_size;
	bool	 to_full;
};

static char	 tdesc_buf[TDESC_MAX];
static size_t	 tdesc_len;
static char	 tdesc_lldb_buf[TDESC_LLDB_MAX];
static size_t	 tdesc_lldb_len;

static void tdesc_printf(struct tdesc_out *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
tdesc_printf(struct tdesc_out *o, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (o->to_full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->to_buf + o->to_len, o->to_size - o->to_len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->to_size - o->to_len) {
		o->to_full = true;
		return;
	}
	o->to_len += (size_t)n;
}

/* The type definitions, indented by two more than the feature. */
static void
tdesc_feature_types(struct tdesc_out *o, const char *feature)
{
	const char	*p, *nl;
	size_t		 i;

	for (i = 0; i < sizeof(tdesc_types) / sizeof(tdesc_types[0]); i++) {
		if (strcmp(tdesc_types[i].ft_feature, feature) != 0)
			continue;
		for (p = tdesc_types[i].ft_types; *p != '\0'; p = nl + 1) {
			nl = strchr(p, '\n');
			tdesc_printf(o, "    %.*s\n", (int)(nl - p), p);
		}
	}
}

static void
tdesc_reg(struct tdesc_out *o, const struct reg_desc *d, unsigned regno)
{
	tdesc_printf(o, "    <reg name=\"%s\" bitsize=\"%u\" type=\"%s\" "
	    "regnum=\"%u\"", d->rd_name, d->rd_bits, d->rd_type, regno);
	if (d->rd_group != NULL)
		tdesc_printf(o, " group=\"%s\"", d->rd_group);
	tdesc_printf(o, "/>\n");
}

static int
tdesc_build(void)
{
	struct tdesc_out	 o = { tdesc_buf, 0, sizeof(tdesc_buf), false };
	const struct reg_desc	*d;
	const char		*feature = NULL;
	unsigned		 i;

	tdesc_printf(&o, "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	    "<target>\n"
	    "  <architecture>i386:x86-64</architecture>\n"
	    "  <osabi>GNU/Linux</osabi>\n");
	for (i = 0; i < regs_count(); i++) {
		d = regs_desc(i);
		if (feature == NULL || strcmp(feature, d->rd_feature) != 0) {
			if (feature != NULL)
				tdesc_printf(&o, "  </feature>\n");
			feature = d->rd_feature;
			tdesc_printf(&o, "  <feature name=\"%s\">\n", feature);
			tdesc_feature_types(&o, feature);
		}
		tdesc_reg(&o, d, i);
	}
	if (feature != NULL)
		tdesc_printf(&o, "  </feature>\n");
	tdesc_printf(&o, "</target>\n");
	if (o.to_full) {
		errno = EOVERFLOW;
		return (-1);
	}
	tdesc_len = o.to_len;
	return (0);
}

/*
 * lldb-server's form: one feature holding every register, each with the
 * keys of its qRegisterInfo reply as attributes, in the same order.
 */
static int
tdesc_lldb_build(void)
{
	struct tdesc_out o = { tdesc_lldb_buf, 0, sizeof(tdesc_lldb_buf),
	    false };
	const struct reg_desc *d;
	unsigned i;

	tdesc_printf(&o, "<?xml version=\"1.0\"?>\n"
	    "<target version=\"1.0\">\n"
	    "  <architecture>x86_64</architecture>\n"
	    "  <feature>\n");
	for (i = 0; i < regs_count(); i++) {
		d = regs_desc(i);
		tdesc_printf(&o, "    <reg name=\"%s\" bitsize=\"%u\" "
		    "regnum=\"%u\" offset=\"%zu\" encoding=\"%s\" "
		    "format=\"%s\" group=\"%s\"", d->rd_name, d->rd_bits, i,
		    d->rd_offset, d->rd_encoding, d->rd_format, d->rd_set);
		if (d->rd_dwarf >= 0)
			tdesc_printf(&o, " ehframe_regnum=\"%d\" "
			    "dwarf_regnum=\"%d\"", d->rd_dwarf, d->rd_dwarf);
		if (d->rd_generic != NULL)
			tdesc_printf(&o, " generic=\"%s\"", d->rd_generic);
		tdesc_printf(&o, " />\n");
	}
	tdesc_printf(&o, "  </feature>\n</target>\n");
	if (o.to_full) {
		errno = EOVERFLOW;
		return (-1);
	}
	tdesc_lldb_len = o.to_len;
	return (0);
}

const char *
regs_tdesc_lldb(size_t *len)
{
	if (regs_count() == 0) {
		errno = ENOENT;
		return (NULL);
	}
	if (tdesc_lldb_len == 0 && tdesc_lldb_build() == -1)
		return (NULL);
	if (len != NULL)
		*len = tdesc_lldb_len;
	return (tdesc_lldb_buf);
}

const char *
regs_tdesc(const char *annex, size_t *len)
{
	if (annex == NULL || strcmp(annex, "target.xml") != 0 ||
	    regs_count() == 0) {
		errno = ENOENT;
		return (NULL);
	}
	if (tdesc_len == 0 && tdesc_build() == -1)
		return (NULL);
	if (len != NULL)
		*len = tdesc_len;
	return (tdesc_buf);
}
