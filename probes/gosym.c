// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gosym.c: per-address caches over gobin's pclntab reader (see gosym.h),
 * and Go's traceback printing rules applied to them: the runtime's
 * showframe (runtime internals hidden unless exported, wrappers hidden
 * unless they called a panic, gopanic shown as "panic"), its symPC (a
 * return address is read at the call before it, except after an injected
 * call), printFuncName (generic shapes as "[...]") and printcreatedby.
 * Frames live in chunks that never move, so pointers handed out stay
 * valid. Must not print, do I/O, or read the process: addresses come in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "gobin.h"
#include "gosym.h"

#define MAX_INLINE	64	/* logical frames at one pc kept (innermost first) */
#define CHUNK		4096	/* frames per chunk */

/* u64 key -> u32 value, open addressing; key 0 is stored as ~0 (never a pc here). */
struct map {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap; /* power of two, or 0 */
	size_t n;
};

static uint64_t map_key(uint64_t k)
{
	return k ? k : ~0ull;
}

static size_t map_slot(const struct map *m, uint64_t k)
{
	uint64_t h = k * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17) & (m->cap - 1);
}

static bool map_get(const struct map *m, uint64_t k, uint32_t *v)
{
	size_t i;

	if (!m->cap)
		return false;
	k = map_key(k);
	for (i = map_slot(m, k); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == k) {
			*v = m->vals[i];
			return true;
		}
	}
	return false;
}

static int map_put(struct map *m, uint64_t k, uint32_t v)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct map g = { .cap = m->cap ? 2 * m->cap : 1024 };

		g.keys = calloc(g.cap, sizeof(*g.keys));
		g.vals = calloc(g.cap, sizeof(*g.vals));
		if (!g.keys || !g.vals) {
			free(g.keys);
			free(g.vals);
			return -ENOMEM;
		}
		for (i = 0; i < m->cap; i++) {
			size_t j;

			if (!m->keys[i])
				continue;
			for (j = map_slot(&g, m->keys[i]); g.keys[j]; j = (j + 1) & (g.cap - 1))
				;
			g.keys[j] = m->keys[i];
			g.vals[j] = m->vals[i];
		}
		g.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	k = map_key(k);
	for (i = map_slot(m, k); m->keys[i] && m->keys[i] != k; i = (i + 1) & (m->cap - 1))
		;
	if (!m->keys[i])
		m->n++;
	m->keys[i] = k;
	m->vals[i] = v;
	return 0;
}

static void map_free(struct map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* Fixed-size objects in chunks that never move. */
struct slab {
	char **chunks;
	size_t n;
	size_t used; /* bytes used in the last chunk */
};

#define SLAB_CHUNK	(64 << 10)

static void *slab_alloc(struct slab *sl, size_t size)
{
	char *p;

	if (!sl->n || sl->used + size > SLAB_CHUNK) {
		void *c = realloc(sl->chunks, (sl->n + 1) * sizeof(*sl->chunks));

		if (!c)
			return NULL;
		sl->chunks = c;
		if (!(sl->chunks[sl->n] = malloc(SLAB_CHUNK)))
			return NULL;
		sl->n++;
		sl->used = 0;
	}
	p = sl->chunks[sl->n - 1] + sl->used;
	sl->used += (size + 15) & ~(size_t)15;
	return p;
}

static void slab_free(struct slab *sl)
{
	for (size_t i = 0; i < sl->n; i++)
		free(sl->chunks[i]);
	free(sl->chunks);
	memset(sl, 0, sizeof(*sl));
}

/* A run of frames at one address: where they are and how many. */
struct run {
	const struct gosym_frame *f;
	uint32_t n;
};

struct gosym {
	const struct gobin *gb;
	int minor;
	/* frames, in chunks that never move */
	struct gosym_frame **chunks;
	size_t nchunks, used; /* frames used in the last chunk */
	/* interned (func, file, line) -> id, and each id's first frame */
	struct map ids;
	const struct gosym_frame **canon; /* by id - 1 */
	size_t nids, capids;
	/* per address */
	struct map unwind_of, frames_of, created_of, start_of;
	struct slab objs; /* the unwinds and starts handed out */
	const void **obj; /* unwind_of and start_of index these, from 1 */
	size_t nobj, capobj;
	struct run *runs; /* frames_of and created_of index these, from 1 */
	size_t nruns, capruns;
	char **names; /* display names gosym made ("main.F[...]") */
	size_t nnames, capnames;
	struct gosym_line *scratch; /* gosym__traceback's */
	size_t capscratch;
};

/* Grow an array to hold one more element. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 256;
	p = realloc(*arr, c * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

int gosym__new(const struct gobin *gb, struct gosym **out)
{
	struct gosym *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->gb = gb;
	s->minor = gobin__minor(gb);
	*out = s;
	return 0;
}

void gosym__free(struct gosym *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nchunks; i++)
		free(s->chunks[i]);
	free(s->chunks);
	for (i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	map_free(&s->ids);
	map_free(&s->unwind_of);
	map_free(&s->frames_of);
	map_free(&s->created_of);
	map_free(&s->start_of);
	free(s->canon);
	slab_free(&s->objs);
	free(s->obj);
	free(s->runs);
	free(s->scratch);
	free(s);
}

/* Room for n contiguous frames. */
static struct gosym_frame *frames_alloc(struct gosym *s, size_t n)
{
	struct gosym_frame *c;

	if (!s->nchunks || s->used + n > CHUNK) {
		void *p = realloc(s->chunks, (s->nchunks + 1) * sizeof(*s->chunks));

		if (!p)
			return NULL;
		s->chunks = p;
		c = malloc(CHUNK * sizeof(*c));
		if (!c)
			return NULL;
		s->chunks[s->nchunks++] = c;
		s->used = 0;
	}
	c = s->chunks[s->nchunks - 1] + s->used;
	s->used += n;
	return c;
}

/* ------------------------------------------------------------- Go's rules */

/* runtime.isExportedRuntime: the receiver must be exported too from Go 1.23. */
static bool exported_runtime(const char *name, int minor)
{
	const char *rest, *dot;

	if (strncmp(name, "runtime.", 8))
		return false;
	rest = name + 8;
	if (minor && minor < 23)
		return *rest >= 'A' && *rest <= 'Z';
	dot = strrchr(rest, '.');
	if (dot) {
		const char *r = rest;
		size_t rlen = (size_t)(dot - rest);

		if (rlen >= 3 && r[0] == '(' && r[1] == '*' && r[rlen - 1] == ')')
			r += 2;
		if (!(*r >= 'A' && *r <= 'Z'))
			return false;
		rest = dot + 1;
	}
	return *rest >= 'A' && *rest <= 'Z';
}

/* The showframe flags of a function by its pclntab name (the wrapper bit is gobin's). */
static uint32_t name_flags(const char *name, int minor)
{
	uint32_t f = 0;

	if (!strcmp(name, "runtime.gopanic"))
		f |= GOSYM_PANIC | GOSYM_PANICKY;
	if (!strcmp(name, "runtime.sigpanic") || !strcmp(name, "runtime.panicwrap"))
		f |= GOSYM_PANICKY;
	/* Always shown from Go 1.25: they say the goroutine runs finalizers or cleanups. */
	if (!strcmp(name, "runtime.runFinalizers") || !strcmp(name, "runtime.runCleanups"))
		return f;
	if (!strchr(name, '.') || (!strncmp(name, "runtime.", 8) && !exported_runtime(name, minor)))
		f |= GOSYM_RUNTIME;
	return f;
}

/* runtime.printFuncName: "panic" for gopanic, "[...]" for a generic shape. */
static const char *display_name(struct gosym *s, const char *name)
{
	const char *open = strchr(name, '['), *close;
	size_t len;
	char *d;

	if (!strcmp(name, "runtime.gopanic"))
		return "panic";
	if (!open)
		return name;
	close = strrchr(name, ']');
	if (!close || close <= open || !strcmp(open, "[...]"))
		return name;
	if (close - open == 4 && !strncmp(open, "[...]", 5))
		return name;
	if (grow((void **)&s->names, &s->capnames, s->nnames, sizeof(*s->names)))
		return name;
	len = (size_t)(open - name) + 5 + strlen(close + 1);
	d = malloc(len + 1);
	if (!d)
		return name;
	memcpy(d, name, (size_t)(open - name));
	memcpy(d + (open - name), "[...]", 5);
	strcpy(d + (open - name) + 5, close + 1);
	s->names[s->nnames++] = d;
	return d;
}

static uint64_t hash_str(uint64_t h, const char *p)
{
	for (; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull;
}

/* Give f the id of its (func, file, line). */
static int intern(struct gosym *s, struct gosym_frame *f)
{
	uint64_t h = hash_str(hash_str(0xcbf29ce484222325ull, f->func), f->file) ^
		     (uint64_t)(uint32_t)f->line * 0x9e3779b97f4a7c15ull;
	uint32_t id;

	for (;; h++) {
		const struct gosym_frame *c;

		if (!map_get(&s->ids, h, &id))
			break;
		c = s->canon[id - 1];
		if (c->line == f->line && !strcmp(c->func, f->func) && !strcmp(c->file, f->file)) {
			f->id = id;
			return 0;
		}
	}
	if (grow((void **)&s->canon, &s->capids, s->nids, sizeof(*s->canon)))
		return -ENOMEM;
	s->canon[s->nids++] = f;
	f->id = (uint32_t)s->nids;
	return map_put(&s->ids, h, f->id);
}

/* ---------------------------------------------------------------- lookups */

/* A new object of the slab, indexed (from 1) in map m under key. */
static void *new_obj(struct gosym *s, struct map *m, uint64_t key, size_t size)
{
	void *o;

	if (grow((void **)&s->obj, &s->capobj, s->nobj, sizeof(*s->obj)))
		return NULL;
	o = slab_alloc(&s->objs, size);
	if (!o || map_put(m, key, (uint32_t)s->nobj + 1))
		return NULL;
	memset(o, 0, size);
	s->obj[s->nobj++] = o;
	return o;
}

const struct gosym_unwind *gosym__unwind(struct gosym *s, uint64_t pc)
{
	struct gobin_unwind u;
	struct gosym_unwind *w;
	uint32_t i;
	int ret;

	if (map_get(&s->unwind_of, pc, &i))
		return i ? s->obj[i - 1] : NULL;
	ret = gobin__unwind_info(s->gb, pc, &u);
	if (ret == -ENOENT) {
		map_put(&s->unwind_of, pc, 0);
		return NULL;
	}
	w = new_obj(s, &s->unwind_of, pc, sizeof(*w));
	if (!w)
		return NULL;
	w->entry = u.entry;
	w->spdelta = ret ? -1 : u.spdelta;
	w->flags = (u.top_frame ? GOSYM_U_TOP : 0) | (u.sp_write ? GOSYM_U_SPWRITE : 0);
	if (!strcmp(u.name, "runtime.asyncPreempt") || !strcmp(u.name, "runtime.sigpanic") ||
	    !strncmp(u.name, "runtime.debugCall", 17))
		w->flags |= GOSYM_U_INJECTED;
	return w;
}

static int add_run(struct gosym *s, const struct gosym_frame *f, uint32_t n)
{
	if (grow((void **)&s->runs, &s->capruns, s->nruns, sizeof(*s->runs)))
		return -ENOMEM;
	s->runs[s->nruns].f = f;
	s->runs[s->nruns].n = n;
	return (int)++s->nruns;
}

int gosym__frames(struct gosym *s, uint64_t pc, bool call, const struct gosym_frame **out)
{
	struct gobin_frame gf[MAX_INLINE];
	struct gosym_frame *f;
	uint64_t key = pc << 1 | call;
	uint32_t r;
	int n, i, ret;

	*out = NULL;
	if (map_get(&s->frames_of, key, &r)) {
		if (!r)
			return 0;
		*out = s->runs[r - 1].f;
		return (int)s->runs[r - 1].n;
	}
	n = gobin__symbolize(s->gb, call ? pc - 1 : pc, gf, MAX_INLINE);
	if (n <= 0)
		return map_put(&s->frames_of, key, 0) ? -ENOMEM : 0;
	f = frames_alloc(s, (size_t)n);
	if (!f)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		f[i].func = display_name(s, gf[i].func);
		f[i].file = gf[i].file;
		f[i].line = gf[i].line;
		f[i].flags = name_flags(gf[i].func, s->minor) |
			     (gf[i].wrapper ? GOSYM_WRAPPER : 0) | (i < n - 1 ? GOSYM_INLINED : 0);
		if (intern(s, &f[i]))
			return -ENOMEM;
	}
	ret = add_run(s, f, (uint32_t)n);
	if (ret < 0 || map_put(&s->frames_of, key, (uint32_t)ret))
		return -ENOMEM;
	*out = f;
	return n;
}

/* runtime.showframe at the default level: is this frame printed? */
static bool shown(const struct gosym_frame *f, bool first, uint32_t callee)
{
	if ((f->flags & GOSYM_WRAPPER) && !(callee & GOSYM_PANICKY))
		return false;
	if ((f->flags & GOSYM_PANIC) && !first)
		return true;
	return !(f->flags & GOSYM_RUNTIME);
}

static int walk(struct gosym *s, const uint64_t *pcs, int n, bool all, int *count)
{
	uint32_t callee = 0;
	bool trap = false;
	int i, k = 0;

	for (i = 0; i < n; i++) {
		const struct gosym_unwind *u = gosym__unwind(s, pcs[i]);
		const struct gosym_frame *f;
		int nf, j;

		if (!u)
			break;
		nf = gosym__frames(s, pcs[i], !trap && pcs[i] > u->entry, &f);
		if (nf < 0)
			return nf;
		for (j = 0; j < nf; j++) {
			bool show = all || shown(&f[j], k == 0, callee);

			callee = f[j].flags;
			if (!show)
				continue;
			if (grow((void **)&s->scratch, &s->capscratch, (size_t)k,
				 sizeof(*s->scratch)))
				return -ENOMEM;
			s->scratch[k].frame = &f[j];
			s->scratch[k].offset = !(f[j].flags & GOSYM_INLINED) && pcs[i] > u->entry ?
						       pcs[i] - u->entry :
						       0;
			k++;
		}
		trap = u->flags & GOSYM_U_INJECTED;
	}
	*count = k;
	return 0;
}

int gosym__traceback(struct gosym *s, const uint64_t *pcs, int n, bool all, struct gosym_line *out,
		     int max, int *total)
{
	int k = 0, ret;

	ret = walk(s, pcs, n, all, &k);
	/* Go: "By default, omits runtime frames. If that means we print nothing at all,
	 * repeat forcing all frames printed." */
	if (!ret && !k && !all)
		ret = walk(s, pcs, n, true, &k);
	if (ret)
		return ret;
	if (total)
		*total = k;
	if (k > max)
		k = max;
	if (k > 0)
		memcpy(out, s->scratch, (size_t)k * sizeof(*out));
	return k;
}

bool gosym__created_by(struct gosym *s, uint64_t gopc, bool all, struct gosym_line *out)
{
	const struct gosym_unwind *u;
	const struct gosym_frame *f;
	struct gosym_frame *c;
	uint32_t r;
	int n, ret;

	if (!gopc || !(u = gosym__unwind(s, gopc)))
		return false;
	if (!map_get(&s->created_of, gopc, &r)) {
		/* The physical function's name, the innermost position's file and line. */
		n = gosym__frames(s, gopc, gopc > u->entry, &f);
		if (n <= 0 || !(c = frames_alloc(s, 1)))
			return false;
		*c = f[n - 1];
		c->file = f[0].file;
		c->line = f[0].line;
		c->flags &= ~GOSYM_INLINED;
		if (intern(s, c) || (ret = add_run(s, c, 1)) < 0 ||
		    map_put(&s->created_of, gopc, (uint32_t)ret))
			return false;
		r = (uint32_t)ret;
	}
	c = (struct gosym_frame *)s->runs[r - 1].f;
	if (!all && !shown(c, false, 0))
		return false;
	out->frame = c;
	out->offset = gopc > u->entry ? gopc - u->entry : 0;
	return true;
}

const struct gosym_start *gosym__start(struct gosym *s, uint64_t startpc)
{
	struct gobin_func fn, wrapped;
	struct gosym_start *st;
	uint32_t i;

	if (map_get(&s->start_of, startpc, &i))
		return i ? s->obj[i - 1] : NULL;
	if (gobin__func_at(s->gb, startpc, &fn)) {
		map_put(&s->start_of, startpc, 0);
		return NULL;
	}
	st = new_obj(s, &s->start_of, startpc, sizeof(*st));
	if (!st)
		return NULL;
	/* runtime.isSystemGoroutine, by the function at startpc itself */
	if (!strcmp(fn.name, "runtime.main") || !strcmp(fn.name, "runtime.corostart") ||
	    strncmp(fn.name, "runtime.", 8))
		st->kind = GOSYM_START_USER;
	else if (!strcmp(fn.name, "runtime.runfinq") || !strcmp(fn.name, "runtime.runFinalizers") ||
		 !strcmp(fn.name, "runtime.runCleanups"))
		st->kind = GOSYM_START_FINALIZER;
	else
		st->kind = GOSYM_START_SYSTEM;
	if (!gobin__wrapped_func(s->gb, fn.entry, &wrapped))
		fn = wrapped;
	st->func = display_name(s, fn.name);
	return st;
}
