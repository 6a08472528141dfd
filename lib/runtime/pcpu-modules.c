// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-modules.c - modules' per-CPU sections: the fixed reserve, the
 * alignment slack and a dedicated VM area (pcpu-modules.h).
 *
 * The allocator is the kernel's reserved chunk reduced to what decides
 * whether a module loads: one region of unit offsets, 4-byte granules
 * (PCPU_MIN_ALLOC_SIZE), the section's alignment applied to the unit
 * offset, first fit, -ENOSPC when no gap fits. reserve and slack carve
 * their region out of every unit (the copies are made with the unit: the
 * template gets the section and every existing unit a copy, as
 * percpu_modcopy() copies into every possible CPU's); vm reserves a second
 * area with the units' geometry at a constant displacement and commits,
 * page by page, only what loaded sections cover, on each CPU's node.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pcpu-internal.h"
#include "pcpu-modules.h"

struct pcpu_mod_blk {
	size_t off, size;		/* unit offset; granule-rounded size */
	struct pcpu_mod_blk *next;
};

struct pcpu_mods {
	struct pcpu_mod_policy pol;
	struct pcpu_mod_area area;	/* vm: offsets inside the area's unit */
	/* vm only */
	struct pcpu_region mirror;	/* the dedicated VM area */
	uintptr_t delta;		/* copy of CPU c = unit_addr(c) + delta */
	unsigned *page_ref;		/* sections covering each page */
	unsigned char *tmpl;		/* the sections' templates */
	struct pcpu_cpuset has;		/* CPUs holding copies */
	int *node, *host_node;		/* per CPU: placed for */
};

/* ---- policy names ---------------------------------------------------------- */

static const char *const kind_names[] = {
	[PCPU_MOD_NONE] = "none",
#define PCPU_X_NAME(id, name, desc) [PCPU_MOD_##id] = name,
	PCPU_MOD_POLICIES(PCPU_X_NAME)
#undef PCPU_X_NAME
};

static const char *const kind_descs[] = {
	[PCPU_MOD_NONE] = "no module sections",
#define PCPU_X_DESC(id, name, desc) [PCPU_MOD_##id] = desc,
	PCPU_MOD_POLICIES(PCPU_X_DESC)
#undef PCPU_X_DESC
};

const char *pcpu_mod_kind_desc(enum pcpu_mod_kind k)
{
	return (unsigned)k < PCPU_NR_MOD_KINDS ? kind_descs[k] : "unknown";
}

/**
 * pcpu_mod_policy_parse() - see pcpu-modules.h.
 */
int pcpu_mod_policy_parse(const char *s, struct pcpu_mod_policy *p)
{
	const char *arg;
	char *end;
	unsigned long long k;

	memset(p, 0, sizeof(*p));
	if (!s)
		return -EINVAL;
	arg = strchr(s, ':');
	if (!strncmp(s, "reserve", 7) && (s[7] == '\0' || s[7] == ':')) {
		p->kind = PCPU_MOD_RESERVE;
		p->reserve = PCPU_MOD_RESERVE_DEFAULT;
		if (!arg)
			return 0;
		if (arg[1] < '0' || arg[1] > '9')
			return -EINVAL;
		errno = 0;
		k = strtoull(arg + 1, &end, 10);
		if (errno || end == arg + 1)
			return -EINVAL;
		if ((*end == 'k' || *end == 'K') && !end[1]) {
			if (k > (256ULL << 10))
				return -EINVAL;
			k <<= 10;
		} else if (*end) {
			return -EINVAL;
		}
		if (k > (256ULL << 20) || k % PCPU_MOD_GRANULE)
			return -EINVAL;
		p->reserve = (size_t)k;
		return 0;
	}
	if (!strcmp(s, "slack")) {
		p->kind = PCPU_MOD_SLACK;
		return 0;
	}
	if (!strcmp(s, "vm") || !strcmp(s, "vm:online")) {
		p->kind = PCPU_MOD_VM;
		return 0;
	}
	if (!strcmp(s, "vm:possible")) {
		p->kind = PCPU_MOD_VM;
		p->possible = true;
		return 0;
	}
	return -EINVAL;
}

int pcpu_mod_policy_format(const struct pcpu_mod_policy *p, char *buf, size_t len)
{
	int n;

	switch (p->kind) {
	case PCPU_MOD_RESERVE:
		n = snprintf(buf, len, "reserve:%zu", p->reserve);
		break;
	case PCPU_MOD_VM:
		n = snprintf(buf, len, "vm:%s", p->possible ? "possible" : "online");
		break;
	default:
		n = snprintf(buf, len, "%s", (unsigned)p->kind < PCPU_NR_MOD_KINDS ?
			     kind_names[p->kind] : "unknown");
		break;
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* ---- the allocator ------------------------------------------------------------ */

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void pcpu_mod_area_init(struct pcpu_mod_area *a, size_t start, size_t size)
{
	memset(a, 0, sizeof(*a));
	a->start = start;
	a->size = size;
}

void pcpu_mod_area_fini(struct pcpu_mod_area *a)
{
	while (a->blks) {
		struct pcpu_mod_blk *b = a->blks;

		a->blks = b->next;
		free(b);
	}
	a->used = 0;
	a->nr = 0;
}

static bool bad_align(size_t align)
{
	return !align || align & (align - 1) || align > PCPU_PAGE_SIZE;
}

/**
 * pcpu_mod_area_alloc() - see pcpu-modules.h.
 * Context: no locking; the caller serialises.
 */
int pcpu_mod_area_alloc(struct pcpu_mod_area *a, size_t size, size_t align,
			size_t *off)
{
	struct pcpu_mod_blk **pp, *nb;
	size_t at = a->start, end = a->start + a->size;

	if (!size || bad_align(align))
		return -EINVAL;
	if (align < PCPU_MOD_GRANULE)
		align = PCPU_MOD_GRANULE;
	size = round_up(size, PCPU_MOD_GRANULE);
	for (pp = &a->blks; ; pp = &(*pp)->next) {
		at = round_up(at, align);
		if (!*pp || at + size <= (*pp)->off)
			break;
		at = (*pp)->off + (*pp)->size;
	}
	if (at + size > end)
		return -ENOSPC;
	nb = malloc(sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	nb->off = at;
	nb->size = size;
	nb->next = *pp;
	*pp = nb;
	a->used += size;
	a->nr++;
	*off = at;
	return 0;
}

/* The block at @off, its size in *size; unlinked when @unlink. */
static int area_take(struct pcpu_mod_area *a, size_t off, size_t *size, bool unlink)
{
	struct pcpu_mod_blk **pp, *b;

	for (pp = &a->blks; *pp; pp = &(*pp)->next) {
		if ((*pp)->off != off)
			continue;
		b = *pp;
		*size = b->size;
		if (unlink) {
			*pp = b->next;
			a->used -= b->size;
			a->nr--;
			free(b);
		}
		return 0;
	}
	return -EINVAL;
}

int pcpu_mod_area_free(struct pcpu_mod_area *a, size_t off)
{
	size_t size;

	return area_take(a, off, &size, true);
}

size_t pcpu_mod_area_largest(const struct pcpu_mod_area *a, size_t align)
{
	const struct pcpu_mod_blk *b = a->blks;
	size_t at = a->start, end = a->start + a->size, best = 0, gap_end, s;

	if (bad_align(align))
		return 0;
	if (align < PCPU_MOD_GRANULE)
		align = PCPU_MOD_GRANULE;
	for (;;) {
		gap_end = b ? b->off : end;
		s = round_up(at, align);
		if (s < gap_end && gap_end - s > best)
			best = gap_end - s;
		if (!b)
			break;
		at = b->off + b->size;
		b = b->next;
	}
	return best & ~(size_t)(PCPU_MOD_GRANULE - 1);
}

/* ---- module sections of a runtime ------------------------------------------- */

/* Where @cpu's unit is, or will be when it comes online (vm mirror). */
static uintptr_t unit_addr(const struct pcpu_rt *rt, unsigned cpu)
{
	const struct pcpu_cpu *c = &rt->cpus[cpu];

	if (c->kept && c->base)
		return (uintptr_t)c->base;
	if (rt->stride_base)
		return (uintptr_t)rt->stride_base + ((uintptr_t)cpu << rt->unit_shift);
	if (rt->vm.base)
		return (uintptr_t)rt->vm.base + ((uintptr_t)cpu << rt->unit_shift);
	return (uintptr_t)c->base;
}

static int mirror_setup(struct pcpu_rt *rt, struct pcpu_mods *m, char *err,
			size_t errlen)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0, u;
	size_t pages = rt->unit_size / PCPU_PAGE_SIZE;
	int cpu, ret;

	if (rt->layout == PCPU_L_THREAD)
		return pcpu_seterr(err, errlen, -ENOTSUP, "module policy vm needs "
				   "units at fixed addresses; the thread layout "
				   "copies each unit into the holder's __thread "
				   "block, which a second area cannot join");
	pcpu_for_each_cpu(cpu, &rt->possible) {
		u = unit_addr(rt, (unsigned)cpu);
		if (!u)
			return pcpu_seterr(err, errlen, -EINVAL, "module policy vm: "
					   "CPU %d has no unit address", cpu);
		if (u < lo)
			lo = u;
		if (u + rt->unit_size > hi)
			hi = u + rt->unit_size;
	}
	if (m->pol.possible) {
		/* Full, the area commits a unit for every possible CPU. */
		double need = (double)rt->nr_possible * (double)rt->unit_size;
		long avail = pcpu_mem_available();

		if (avail > 0 && need > (double)avail / 2)
			return pcpu_seterr(err, errlen, -ENOTSUP, "module policy "
					   "vm:possible could commit %u x %zu bytes "
					   "= %.0f MiB, more than half of MemAvailable "
					   "(%ld MiB) here", rt->nr_possible,
					   rt->unit_size, need / 1048576.0, avail >> 20);
	}
	if (hi - lo > (1ULL << 40))
		return pcpu_seterr(err, errlen, -ENOMEM, "module policy vm: the "
				   "units span %zu bytes of address space, more "
				   "than the 1 TiB a mirror may take",
				   (size_t)(hi - lo));
	ret = pcpu_mem_reserve(hi - lo, PCPU_PAGE_SIZE, &m->mirror.map,
			       &m->mirror.map_len, &m->mirror.base);
	if (ret)
		return pcpu_seterr(err, errlen, ret, "module policy vm: cannot "
				   "reserve %zu bytes of address space: %s",
				   (size_t)(hi - lo), strerror(-ret));
	m->mirror.len = hi - lo;
	m->delta = (uintptr_t)m->mirror.base - lo;
	m->page_ref = calloc(pages, sizeof(*m->page_ref));
	m->tmpl = calloc(1, rt->unit_size);
	m->node = malloc(PCPU_NR_CPUS * sizeof(*m->node));
	m->host_node = malloc(PCPU_NR_CPUS * sizeof(*m->host_node));
	if (!m->page_ref || !m->tmpl || !m->node || !m->host_node)
		return pcpu_seterr(err, errlen, -ENOMEM, "module policy vm: out "
				   "of memory");
	for (cpu = 0; cpu < PCPU_NR_CPUS; cpu++)
		m->node[cpu] = m->host_node[cpu] = -1;
	if (m->pol.possible)
		m->has = rt->possible;
	pcpu_mod_area_init(&m->area, 0, rt->unit_size);
	return 0;
}

static void mods_free(struct pcpu_mods *m)
{
	if (m->mirror.map)
		munmap(m->mirror.map, m->mirror.map_len);
	pcpu_mod_area_fini(&m->area);
	free(m->page_ref);
	free(m->tmpl);
	free(m->node);
	free(m->host_node);
	free(m);
}

/**
 * pcpu_mod_reserve_size() - bytes the module policy takes out of every
 * unit before the dynamic part (reserve:K: K; else 0).
 */
size_t pcpu_mod_reserve_size(const struct pcpu_config *cfg)
{
	if (!cfg->modules || cfg->modules->kind != PCPU_MOD_RESERVE)
		return 0;
	return cfg->modules->reserve;
}

/**
 * pcpu_mod_setup() - set up the module policy of a runtime whose layout
 * is initialised and whose CPUs are not online yet.
 * Return: 0; -EINVAL unknown policy; -ENOTSUP vm over the thread layout,
 * or vm:possible whose full area would take more than half of MemAvailable;
 * -ENOMEM (message in @err). Nothing is left on error.
 */
int pcpu_mod_setup(struct pcpu_rt *rt, char *err, size_t errlen)
{
	const struct pcpu_mod_policy *p = rt->cfg.modules;
	struct pcpu_mods *m;
	size_t sect = (size_t)(__stop_pcpu_data - __start_pcpu_data);
	int ret = 0;

	rt->cfg.modules = NULL;		/* the caller's; ours is m->pol */
	if (!p || p->kind == PCPU_MOD_NONE)
		return 0;
	if ((unsigned)p->kind >= PCPU_NR_MOD_KINDS)
		return pcpu_seterr(err, errlen, -EINVAL, "unknown module policy %d",
				   (int)p->kind);
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->pol = *p;
	switch (p->kind) {
	case PCPU_MOD_RESERVE:
		pcpu_mod_area_init(&m->area, rt->static_size, p->reserve);
		break;
	case PCPU_MOD_SLACK:
		/* From the end of the static section to its page boundary. */
		pcpu_mod_area_init(&m->area, sect, rt->static_size - sect);
		break;
	default:
		ret = mirror_setup(rt, m, err, errlen);
		break;
	}
	if (ret) {
		mods_free(m);
		return ret;
	}
	rt->mods = m;
	return 0;
}

void pcpu_mod_teardown(struct pcpu_rt *rt)
{
	if (rt->mods)
		mods_free(rt->mods);
	rt->mods = NULL;
}

static unsigned char *copy_base(const struct pcpu_rt *rt, unsigned cpu)
{
	return (unsigned char *)(unit_addr(rt, cpu) + rt->mods->delta);
}

/* vm: the node @cpu's copies go on now (what the runtime knows of it). */
static void copy_node_now(struct pcpu_rt *rt, unsigned cpu, int *node, int *hnode)
{
	const struct pcpu_cpu *c = &rt->cpus[cpu];
	bool present = pcpu_cpuset_test(&rt->present, cpu);

	*node = present ? c->node : c->init_node;
	*hnode = present ? c->host_node : c->init_host_node;
}

/* vm: commit pages [p0, p1) of @cpu's copy, placed, faulted in. */
static int commit_pages(struct pcpu_rt *rt, unsigned cpu, size_t p0, size_t p1)
{
	struct pcpu_mods *m = rt->mods;
	unsigned char *addr = copy_base(rt, cpu) + p0 * PCPU_PAGE_SIZE;
	size_t len = (p1 - p0) * PCPU_PAGE_SIZE;
	int node, hnode, ret;
	void *p;

	if (!len)
		return 0;
	copy_node_now(rt, cpu, &node, &hnode);
	p = mmap(addr, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	ret = pcpu_mem_place(rt, addr, len, hnode);
	if (!ret)
		ret = pcpu_mem_populate(addr, len);
	if (ret) {
		pcpu_mem_decommit_fixed(addr, len);
		return ret;
	}
	m->node[cpu] = node;
	m->host_node[cpu] = hnode;
	return 0;
}

static void decommit_pages(struct pcpu_rt *rt, unsigned cpu, size_t p0, size_t p1)
{
	if (p1 > p0)
		pcpu_mem_decommit_fixed(copy_base(rt, cpu) + p0 * PCPU_PAGE_SIZE,
					(p1 - p0) * PCPU_PAGE_SIZE);
}

/* vm: pages [p0, p1) whose references are all new get committed for every
 * CPU holding copies. On failure the ones committed are released. */
static int vm_commit_range(struct pcpu_rt *rt, size_t p0, size_t p1)
{
	struct pcpu_mods *m = rt->mods;
	size_t p, q;
	int cpu, ret = 0;

	for (p = p0; p < p1; p = q) {
		if (m->page_ref[p]) {
			q = p + 1;
			continue;
		}
		for (q = p; q < p1 && !m->page_ref[q]; q++)
			;
		pcpu_for_each_cpu(cpu, &m->has) {
			ret = commit_pages(rt, (unsigned)cpu, p, q);
			if (ret)
				goto undo;
		}
	}
	return 0;
undo:
	for (p = p0; p < p1; p++) {
		if (m->page_ref[p])
			continue;
		pcpu_for_each_cpu(cpu, &m->has)
			decommit_pages(rt, (unsigned)cpu, p, p + 1);
	}
	return ret;
}

/**
 * pcpu_mod_load() - see pcpu-modules.h.
 */
int pcpu_mod_load(struct pcpu_rt *rt, size_t size, size_t align,
		  const void *init, pcpu_off_t *off)
{
	struct pcpu_mods *m = rt->mods;
	size_t at, p0, p1, p;
	int cpu, ret;

	if (!size || size > rt->unit_size || bad_align(align))
		return -EINVAL;
	if (!m)
		return -ENOTSUP;
	pthread_mutex_lock(&rt->lock);
	ret = -EBUSY;
	if (pcpu_tls_held(rt))
		goto out;
	ret = pcpu_mod_area_alloc(&m->area, size, align, &at);
	if (ret)
		goto out;
	if (m->pol.kind != PCPU_MOD_VM) {
		/* In the unit: the template, then every unit that exists. */
		pcpu_tmpl_set(rt, at, init, size);
		*off = at;
		goto out;
	}
	p0 = at / PCPU_PAGE_SIZE;
	p1 = (at + size + PCPU_PAGE_SIZE - 1) / PCPU_PAGE_SIZE;
	ret = vm_commit_range(rt, p0, p1);
	if (ret) {
		pcpu_mod_area_free(&m->area, at);
		goto out;
	}
	for (p = p0; p < p1; p++)
		m->page_ref[p]++;
	if (init)
		memcpy(m->tmpl + at, init, size);
	else
		memset(m->tmpl + at, 0, size);
	pcpu_for_each_cpu(cpu, &m->has)
		memcpy(copy_base(rt, (unsigned)cpu) + at, m->tmpl + at, size);
	*off = (pcpu_off_t)(m->delta + at);
out:
	pthread_mutex_unlock(&rt->lock);
	return ret;
}

/**
 * pcpu_mod_unload() - see pcpu-modules.h.
 */
int pcpu_mod_unload(struct pcpu_rt *rt, pcpu_off_t off)
{
	struct pcpu_mods *m = rt->mods;
	size_t at, size, p, p0, p1;
	int cpu, ret;

	if (!m)
		return -EINVAL;
	at = m->pol.kind == PCPU_MOD_VM ? (size_t)(off - m->delta) : (size_t)off;
	pthread_mutex_lock(&rt->lock);
	ret = area_take(&m->area, at, &size, true);
	if (ret)
		goto out;
	if (m->pol.kind != PCPU_MOD_VM) {
		memset(rt->tmpl + at, 0, size);
		goto out;
	}
	memset(m->tmpl + at, 0, size);
	p0 = at / PCPU_PAGE_SIZE;
	p1 = (at + size + PCPU_PAGE_SIZE - 1) / PCPU_PAGE_SIZE;
	for (p = p0; p < p1; p++) {
		if (--m->page_ref[p])
			continue;
		pcpu_for_each_cpu(cpu, &m->has)
			decommit_pages(rt, (unsigned)cpu, p, p + 1);
	}
out:
	pthread_mutex_unlock(&rt->lock);
	return ret;
}

/* The section that holds byte @at, if any. */
static bool loaded_at(const struct pcpu_mods *m, size_t at)
{
	const struct pcpu_mod_blk *b;

	for (b = m->area.blks; b; b = b->next)
		if (at >= b->off && at < b->off + b->size)
			return true;
	return false;
}

void *pcpu_mod_ptr(struct pcpu_rt *rt, unsigned cpu, pcpu_off_t off)
{
	struct pcpu_mods *m = rt->mods;
	size_t at;

	if (!m || !pcpu_cpuset_test(&rt->possible, cpu))
		return NULL;
	if (m->pol.kind != PCPU_MOD_VM) {
		if (!loaded_at(m, (size_t)off) || !rt->cpus[cpu].base)
			return NULL;
		return rt->cpus[cpu].base + off;
	}
	at = (size_t)(off - m->delta);
	if (!loaded_at(m, at) || !pcpu_cpuset_test(&m->has, cpu))
		return NULL;
	return copy_base(rt, cpu) + at;
}

/* Node @cpu's vm copies were placed for (@host: host node), -ENOENT. */
static int copy_node_of(struct pcpu_rt *rt, unsigned cpu, bool host)
{
	struct pcpu_mods *m = rt->mods;

	if (!m || m->pol.kind != PCPU_MOD_VM || cpu >= PCPU_NR_CPUS ||
	    !pcpu_cpuset_test(&m->has, cpu) || m->node[cpu] < 0)
		return -ENOENT;
	return host ? m->host_node[cpu] : m->node[cpu];
}

int pcpu_mod_copy_host_node(struct pcpu_rt *rt, unsigned cpu)
{
	return copy_node_of(rt, cpu, true);
}

int pcpu_mod_copy_node(struct pcpu_rt *rt, unsigned cpu)
{
	return copy_node_of(rt, cpu, false);
}

size_t pcpu_mod_largest(struct pcpu_rt *rt, size_t align)
{
	size_t n;

	if (!rt->mods)
		return 0;
	pthread_mutex_lock(&rt->lock);
	n = pcpu_mod_area_largest(&rt->mods->area, align);
	pthread_mutex_unlock(&rt->lock);
	return n;
}

/* Bytes of [base + start, base + start + len) in resident pages. */
static size_t resident_overlap(const unsigned char *base, size_t start, size_t len)
{
	size_t s, e, n = 0, pe;

	for (s = start; s < start + len; s = pe) {
		pe = (s / PCPU_PAGE_SIZE + 1) * PCPU_PAGE_SIZE;
		e = pe < start + len ? pe : start + len;
		if (pcpu_mem_resident(base + s, 1))
			n += e - s;
	}
	return n;
}

/**
 * pcpu_mod_account() - see pcpu-modules.h.
 * Context: takes the runtime's lock.
 * Return: 0; -ENOTSUP no module policy.
 */
int pcpu_mod_account(struct pcpu_rt *rt, struct pcpu_mod_mem *mm)
{
	struct pcpu_mods *m = rt->mods;
	int cpu;

	memset(mm, 0, sizeof(*mm));
	if (!m)
		return -ENOTSUP;
	pthread_mutex_lock(&rt->lock);
	mm->region_bytes = m->area.size;
	mm->used_bytes = m->area.used;
	mm->largest_free = pcpu_mod_area_largest(&m->area, PCPU_MOD_GRANULE);
	mm->nr_loaded = m->area.nr;
	if (m->pol.kind == PCPU_MOD_VM) {
		mm->reserved_bytes = m->mirror.len;
		pcpu_for_each_cpu(cpu, &m->has) {
			size_t r = pcpu_mem_resident(copy_base(rt, (unsigned)cpu),
						     rt->unit_size);

			mm->nr_copies++;
			mm->committed_bytes += r;
			if (pcpu_cpuset_test(&rt->online, (unsigned)cpu))
				mm->committed_online_bytes += r;
		}
	} else {
		pcpu_for_each_cpu(cpu, &rt->possible) {
			const unsigned char *b = rt->cpus[cpu].base;
			size_t r;

			if (!b)
				continue;
			mm->nr_copies++;
			mm->reserved_bytes += m->area.size;
			r = resident_overlap(b, m->area.start, m->area.size);
			mm->committed_bytes += r;
			if (pcpu_cpuset_test(&rt->online, (unsigned)cpu))
				mm->committed_online_bytes += r;
		}
	}
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

/**
 * pcpu_mod_cpu_online() - vm:online: give @cpu copies of every loaded
 * section, on its node now, from the templates. Called by the core with
 * the lock held, after the unit exists and before the CPU is published.
 * Return: 0; -ENOMEM (nothing left committed).
 */
int pcpu_mod_cpu_online(struct pcpu_rt *rt, unsigned cpu)
{
	struct pcpu_mods *m = rt->mods;
	size_t pages, p, q;
	int ret;

	if (!m || m->pol.kind != PCPU_MOD_VM || m->pol.possible)
		return 0;
	pages = rt->unit_size / PCPU_PAGE_SIZE;
	for (p = 0; p < pages; p = q) {
		if (!m->page_ref[p]) {
			q = p + 1;
			continue;
		}
		for (q = p; q < pages && m->page_ref[q]; q++)
			;
		ret = commit_pages(rt, cpu, p, q);
		if (ret) {
			decommit_pages(rt, cpu, 0, pages);
			return ret;
		}
		memcpy(copy_base(rt, cpu) + p * PCPU_PAGE_SIZE,
		       m->tmpl + p * PCPU_PAGE_SIZE, (q - p) * PCPU_PAGE_SIZE);
	}
	pcpu_cpuset_set(&m->has, cpu);
	return 0;
}

/* vm:online: @cpu went offline; its copies go with it. Lock held. */
void pcpu_mod_cpu_offline(struct pcpu_rt *rt, unsigned cpu)
{
	struct pcpu_mods *m = rt->mods;

	if (!m || m->pol.kind != PCPU_MOD_VM || m->pol.possible)
		return;
	decommit_pages(rt, cpu, 0, rt->unit_size / PCPU_PAGE_SIZE);
	pcpu_cpuset_clear(&m->has, cpu);
	m->node[cpu] = m->host_node[cpu] = -1;
}

/**
 * pcpu_mod_access_needs() - see pcpu-modules.h.
 */
const char *pcpu_mod_access_needs(enum pcpu_access_id a, enum pcpu_layout_id l,
				  enum pcpu_mod_kind k)
{
	if (k == PCPU_MOD_RESERVE || k == PCPU_MOD_SLACK) {
		if (a == PCPU_A_TLS)
			return "as a boot variable: the section is in the unit, "
			       "copied into the holder's __thread block with it";
		return "as a boot variable: the section is in the unit, one "
		       "offset; its page may be the boot variables' own";
	}
	if (k != PCPU_MOD_VM)
		return "no module sections";
	switch (a) {
	case PCPU_A_TABLE:
		return "the same table load: the area mirrors the units, so "
		       "offset = displacement + section offset; the copy is on "
		       "a page of its own (one more TLB entry on the path)";
	case PCPU_A_SEGMENT:
		return "the same %gs: instruction with a 64-bit displacement "
		       "in a register (not an absolute 32-bit one); the copy is "
		       "on a page of its own (one more TLB entry)";
	case PCPU_A_SHIFT:
		return l == PCPU_L_EMBED ? "no such pair" :
		       "the same base + (cpu << shift) arithmetic: the area has "
		       "the units' stride, offset = displacement + section "
		       "offset; the copy is on a page of its own";
	default:
		return "not available: the thread layout copies only the unit "
		       "into the holder's __thread block";
	}
}
