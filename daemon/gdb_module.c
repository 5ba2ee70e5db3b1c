/*
 * gdb_module.c -- qModuleInfo and jModulesInfo: what lldb needs to know
 * of a module file on the host to find or fetch its own copy: its UUID
 * (the ELF build id), its triple, its size.  lldb-server 16's formats.
 *
 * A module without a build id gets the UUID lldb gives it itself: the
 * CRC-32 of the whole file, four bytes little-endian.  jModulesInfo's
 * JSON is read by a small parser with explicit bounds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "daemon/gdb.h"
#include "daemon/log.h"
#include "platform/digest.h"
#include "platform/elf.h"

#define MOD_MAX_MODULES		256	/* entries of one jModulesInfo */
#define MOD_MAX_DEPTH		8	/* nesting of JSON values skipped */
#define MOD_MAX_TRIPLE		128	/* bytes of a triple */

struct module {
	char		 m_path[GDB_MAX_PATH];
	char		 m_uuid[2 * ELF_MAX_BUILD_ID + 1];
	char		 m_triple[32];
	uint64_t	 m_size;
};

static bool
arch_compatible(const char *want, const char *have)
{
	size_t n = strcspn(want, "-");
	bool w86 = n == 4 && want[0] == 'i' && strncmp(want + 2, "86", 2) == 0;

	if (n == 0 || (n == 7 && strncmp(want, "unknown", 7) == 0))
		return true;
	if (w86 && strcmp(have, "i386") == 0)
		return true;
	return strlen(have) == n && strncmp(want, have, n) == 0;
}

/* The module opened as path, for a client that wants triple. */
static int
module_read(const char *path, const char *triple, struct module *m)
{
	struct elf_info ei;
	uint32_t crc;
	uint8_t le[4];
	size_t i;

	if (elf_read(path, &ei) == -1)
		return -1;
	if (!arch_compatible(triple, ei.ei_arch)) {
		errno = ENOEXEC;
		return -1;
	}
	for (i = 0; i < ei.ei_build_id_len; i++)
		snprintf(m->m_uuid + 2 * i, 3, "%02X", ei.ei_build_id[i]);
	if (ei.ei_build_id_len == 0) {
		if (digest_crc32_file(path, &crc) == -1)
			return -1;
		for (i = 0; i < 4; i++)
			le[i] = (uint8_t)(crc >> (8 * i));
		snprintf(m->m_uuid, sizeof(m->m_uuid), "%02X%02X%02X%02X",
		    le[0], le[1], le[2], le[3]);
	}
	snprintf(m->m_triple, sizeof(m->m_triple), "%s--linux", ei.ei_arch);
	m->m_size = ei.ei_size;
	return 0;
}

/*
 * The module at raw for a client that wants triple ("" for any), read
 * through a descriptor gdb_host_open found (inside a vFile:setfs root).
 */
static int
module_find(struct gsess *s, const char *raw, const char *triple,
    struct module *m)
{
	char fdpath[GDB_FD_PATH_MAX];
	int fd, rc;

	if (gdb_host_resolve(s, raw, m->m_path, sizeof(m->m_path)) == -1 ||
	    (fd = gdb_host_open(s, m->m_path, O_PATH, 0)) == -1)
		return -1;
	gdb_fd_path(fd, fdpath);
	rc = module_read(fdpath, triple, m);
	close_keep_errno(fd);
	return rc;
}

static void
put_hex(struct rsp_buf *b, const char *key, const char *val)
{
	rsp_buf_addf(b, "%s:", key);
	rsp_buf_addhex(b, val, strlen(val));
	rsp_buf_addc(b, ';');
}

/* qModuleInfo:HEXPATH;HEXTRIPLE */
void
gdb_module_info(struct gsess *s, struct rsp_cursor *c)
{
	static struct module m;
	char path[GDB_MAX_PATH], triple[MOD_MAX_TRIPLE];
	struct rsp_buf *b = &s->s_reply;
	const char *semi = memchr(c->c_p, ';', rsp_cursor_left(c));
	size_t n;

	if (semi == NULL || (size_t)(semi - c->c_p) / 2 >= sizeof(path)) {
		gdb_error(s, semi == NULL ? EINVAL : ENAMETOOLONG,
		    "expected HEXPATH;HEXTRIPLE");
		return;
	}
	if (rsp_get_hexbytes(c, ';', path, sizeof(path) - 1, &n) == -1 ||
	    n == 0 || memchr(path, '\0', n) != NULL) {
		gdb_error(s, EINVAL, "bad path");
		return;
	}
	path[n] = '\0';
	if (rsp_get_hexbytes(c, '\0', triple, sizeof(triple) - 1, &n) == -1 ||
	    memchr(triple, '\0', n) != NULL) {
		gdb_error(s, EINVAL, "bad triple");
		return;
	}
	triple[n] = '\0';
	if (module_find(s, path, triple, &m) == -1) {
		gdb_error(s, errno, "no such module");
		return;
	}
	rsp_buf_reset(b);
	put_hex(b, "uuid", m.m_uuid);
	put_hex(b, "triple", m.m_triple);
	put_hex(b, "file_path", m.m_path);
	rsp_buf_addf(b, "file_offset:%016llx;file_size:%016llx;", 0ull,
	    (unsigned long long)m.m_size);
	gdb_reply_buf(s);
}

/* ------------------------------------------------------------ JSON */

struct json {
	const char	*j_p;
	const char	*j_end;
};

static void
j_ws(struct json *j)
{
	while (j->j_p < j->j_end && strchr(" \t\r\n", *j->j_p) != NULL)
		j->j_p++;
}

static bool
j_eat(struct json *j, char ch)
{
	j_ws(j);
	if (j->j_p < j->j_end && *j->j_p == ch) {
		j->j_p++;
		return true;
	}
	return false;
}

static int
j_hex4(struct json *j, unsigned *v)
{
	int i, d;

	*v = 0;
	if (j->j_end - j->j_p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((d = rsp_hexval(*j->j_p++)) == -1)
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

/*
 * A string into out (NULL: skipped), UTF-8; -1 on bad syntax.  *cut is
 * set when it did not fit in cap bytes.
 */
static int
j_string(struct json *j, char *out, size_t cap, bool *cut)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	char u8[4];
	const char *e;
	size_t n = 0, k, i;
	unsigned u;

	if (!j_eat(j, '"'))
		return -1;
	while (j->j_p < j->j_end && *j->j_p != '"') {
		if ((unsigned char)*j->j_p < 0x20)
			return -1;
		k = 1;
		u8[0] = *j->j_p++;
		if (u8[0] == '\\') {
			if (j->j_p == j->j_end)
				return -1;
			if (*j->j_p == 'u') {
				j->j_p++;
				if (j_hex4(j, &u) == -1 || u == 0 ||
				    (u >= 0xd800 && u < 0xe000))
					return -1;
				if (u < 0x80)
					u8[0] = (char)u;
				else if (u < 0x800) {
					u8[0] = (char)(0xc0 | u >> 6);
					u8[1] = (char)(0x80 | (u & 0x3f));
					k = 2;
				} else {
					u8[0] = (char)(0xe0 | u >> 12);
					u8[1] = (char)(0x80 | (u >> 6 & 0x3f));
					u8[2] = (char)(0x80 | (u & 0x3f));
					k = 3;
				}
			} else {
				for (e = esc; *e != '\0' && *e != *j->j_p;
				    e += 2)
					;
				if (*e == '\0')
					return -1;
				u8[0] = e[1];
				j->j_p++;
			}
		}
		for (i = 0; out != NULL && i < k; i++, n++) {
			if (n + 1 >= cap)
				*cut = true;
			else
				out[n] = u8[i];
		}
	}
	if (j->j_p == j->j_end)
		return -1;
	j->j_p++;
	if (out != NULL)
		out[n < cap ? n : cap - 1] = '\0';
	return 0;
}

/* true, false, null, or a number as JSON writes it. */
static int
j_scalar(struct json *j)
{
	static const char *const lit[] = { "true", "false", "null" };
	const char *p = j->j_p;
	size_t i, n;

	for (i = 0; i < 3; i++) {
		n = strlen(lit[i]);
		if ((size_t)(j->j_end - p) >= n && memcmp(p, lit[i], n) == 0) {
			j->j_p += n;
			return 0;
		}
	}
#define DIGITS(q) do {							\
	for (n = 0; (q) < j->j_end && *(q) >= '0' && *(q) <= '9'; n++)	\
		(q)++;							\
	if (n == 0)							\
		return -1;						\
} while (0)
	if (p < j->j_end && *p == '-')
		p++;
	DIGITS(p);
	if (p < j->j_end && *p == '.') {
		p++;
		DIGITS(p);
	}
	if (p < j->j_end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < j->j_end && (*p == '+' || *p == '-'))
			p++;
		DIGITS(p);
	}
#undef DIGITS
	j->j_p = p;
	return 0;
}

/*
 * Any value, skipped.  depth counts containers from the top array (1):
 * none deeper than MOD_MAX_DEPTH.
 */
static int
j_skip(struct json *j, int depth)
{
	bool cut;

	j_ws(j);
	if (j->j_p == j->j_end || depth > MOD_MAX_DEPTH)
		return -1;
	if (*j->j_p == '"')
		return j_string(j, NULL, 0, &cut);
	if (j_eat(j, '[') || j_eat(j, '{')) {
		char close = j->j_p[-1] == '[' ? ']' : '}';

		if (j_eat(j, close))
			return 0;
		do {
			if (close == '}' && (j_string(j, NULL, 0, &cut) == -1 ||
			    !j_eat(j, ':')))
				return -1;
			if (j_skip(j, depth + 1) == -1)
				return -1;
		} while (j_eat(j, ','));
		return j_eat(j, close) ? 0 : -1;
	}
	return j_scalar(j);
}

/*
 * One {"file":...,"triple":...} entry; other keys are skipped.  Sets
 * *found and fills m when the entry names a module we can describe.
 */
static int
j_entry(struct gsess *s, struct json *j, struct module *m, bool *found)
{
	char key[16], file[GDB_MAX_PATH], triple[MOD_MAX_TRIPLE];
	bool has_file = false, has_triple = false, cut = false, kcut;

	*found = false;
	j_ws(j);
	if (j->j_p == j->j_end || *j->j_p != '{')
		return j_skip(j, 2);	/* not an object: no module */
	j->j_p++;
	if (!j_eat(j, '}')) {
		do {
			kcut = false;
			if (j_string(j, key, sizeof(key), &kcut) == -1 ||
			    !j_eat(j, ':'))
				return -1;
			j_ws(j);
			if (!kcut && strcmp(key, "file") == 0 &&
			    j->j_p < j->j_end && *j->j_p == '"') {
				if (j_string(j, file, sizeof(file), &cut) == -1)
					return -1;
				has_file = true;
			} else if (!kcut && strcmp(key, "triple") == 0 &&
			    j->j_p < j->j_end && *j->j_p == '"') {
				if (j_string(j, triple, sizeof(triple),
				    &cut) == -1)
					return -1;
				has_triple = true;
			} else if (j_skip(j, 3) == -1)
				return -1;
		} while (j_eat(j, ','));
		if (!j_eat(j, '}'))
			return -1;
	}
	if (has_file && has_triple && !cut &&
	    module_find(s, file, triple, m) == 0)
		*found = true;
	return 0;
}

/*
 * jModulesInfo:[{"file":PATH,"triple":TRIPLE},...]: the modules found,
 * as a JSON array; entries we cannot describe are left out.  At most
 * MOD_MAX_MODULES entries, and a reply that fits in a packet.
 */
void
gdb_modules_info(struct gsess *s, struct rsp_cursor *c)
{
	static struct module m;
	struct rsp_buf out;
	struct json j = { c->c_p, c->c_end };
	size_t n = 0, sent = 0;
	bool found;

	rsp_buf_init(&out);
	if (!j_eat(&j, '[')) {
		gdb_error(s, EINVAL, "expected a JSON array");
		goto done;
	}
	rsp_buf_addc(&out, '[');
	if (!j_eat(&j, ']')) {
		do {
			if (++n > MOD_MAX_MODULES) {
				gdb_error(s, E2BIG, "too many modules");
				goto done;
			}
			if (j_entry(s, &j, &m, &found) == -1)
				goto bad;
			if (!found)
				continue;
			if (sent++ > 0)
				rsp_buf_addc(&out, ',');
			rsp_buf_addf(&out, "{\"file_offset\":0,\"file_path\":");
			gdb_json_string(&out, m.m_path);
			rsp_buf_addf(&out, ",\"file_size\":%llu,\"triple\":",
			    (unsigned long long)m.m_size);
			gdb_json_string(&out, m.m_triple);
			rsp_buf_addf(&out, ",\"uuid\":");
			gdb_json_string(&out, m.m_uuid);
			rsp_buf_addc(&out, '}');
		} while (j_eat(&j, ','));
		if (!j_eat(&j, ']'))
			goto bad;
	}
	j_ws(&j);
	if (j.j_p != j.j_end)
		goto bad;
	rsp_buf_addc(&out, ']');
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addbin(&s->s_reply, rsp_buf_head(&out), rsp_buf_used(&out));
	if (rsp_buf_used(&s->s_reply) > RSP_MAX_PACKET) {
		rsp_buf_reset(&s->s_reply);
		gdb_error(s, EMSGSIZE, "reply too long");
		goto done;
	}
	gdb_reply_buf(s);
	goto done;
bad:
	gdb_error(s, EINVAL, "bad JSON");
done:
	rsp_buf_free(&out);
}
