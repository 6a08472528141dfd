// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-topo.c - the topology logical CPUs are mapped onto.
 *
 * Two things are read: the topology the logical CPUs follow (hwloc: this
 * machine, a synthetic description or an XML file, hwloc's own formats)
 * and the machine we really run on (the CPUs this process may use and
 * their nodes, the nodes with memory), which affinity and memory placement
 * must use whatever the topology says.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcpu.h"
#include "pcpu-file.h"

#ifdef HAVE_HWLOC
#include <hwloc.h>
#endif
#ifdef HAVE_NUMA
#include <numa.h>
#endif

static void set_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, arg);
}

static int cmp_pu(const void *a, const void *b)
{
	const struct pcpu_topo_pu *x = a, *y = b;

	return (x->os_index > y->os_index) - (x->os_index < y->os_index);
}

static void add_node(int *nodes, unsigned *nr, int node)
{
	unsigned i, j;

	for (i = 0; i < *nr; i++)
		if (nodes[i] == node)
			return;
	if (*nr >= PCPU_MAX_NODES)
		return;
	for (i = 0; i < *nr && nodes[i] < node; i++)
		;
	for (j = *nr; j > i; j--)
		nodes[j] = nodes[j - 1];
	nodes[i] = node;
	(*nr)++;
}

/* The machine itself: allowed CPUs, their nodes, nodes with memory. */
static int load_host(struct pcpu_topo *t)
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	t->nr_host_cpus = (unsigned)CPU_COUNT(&set);
	t->host_cpus = calloc(t->nr_host_cpus ? t->nr_host_cpus : 1, sizeof(int));
	t->host_cpu_node = calloc(t->nr_host_cpus ? t->nr_host_cpus : 1, sizeof(int));
	if (!t->host_cpus || !t->host_cpu_node)
		return -ENOMEM;
	for (cpu = 0; cpu < CPU_SETSIZE && (unsigned)n < t->nr_host_cpus; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		t->host_cpus[n] = cpu;
		t->host_cpu_node[n] = 0;
#ifdef HAVE_NUMA
		if (numa_available() >= 0) {
			int node = numa_node_of_cpu(cpu);

			t->host_cpu_node[n] = node >= 0 ? node : 0;
		}
#endif
		n++;
	}
	t->nr_host_nodes = 0;
#ifdef HAVE_NUMA
	if (numa_available() >= 0) {
		struct bitmask *mems = numa_get_mems_allowed();
		int node;

		for (node = 0; mems && node <= numa_max_node(); node++)
			if (numa_bitmask_isbitset(mems, (unsigned)node))
				add_node(t->host_nodes, &t->nr_host_nodes, node);
		if (mems)
			numa_bitmask_free(mems);
	}
#endif
	if (!t->nr_host_nodes)
		add_node(t->host_nodes, &t->nr_host_nodes, 0);
	return 0;
}

/* Without hwloc: the host's CPUs, as the topology too. */
static int topo_from_host(struct pcpu_topo *t)
{
	unsigned i;

	t->pus = calloc(t->nr_host_cpus, sizeof(*t->pus));
	if (!t->pus)
		return -ENOMEM;
	t->nr_pus = t->nr_host_cpus;
	for (i = 0; i < t->nr_pus; i++) {
		t->pus[i].os_index = (unsigned)t->host_cpus[i];
		t->pus[i].node = t->host_cpu_node[i];
		add_node(t->nodes, &t->nr_nodes, t->pus[i].node);
	}
	return 0;
}

#ifdef HAVE_HWLOC
static int topo_from_hwloc(struct pcpu_topo *t, hwloc_topology_t topo)
{
	int i, n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);

	if (n <= 0)
		return -EINVAL;
	t->pus = calloc((size_t)n, sizeof(*t->pus));
	if (!t->pus)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)i);
		int node = pu->nodeset ? hwloc_bitmap_first(pu->nodeset) : 0;

		if (pu->os_index >= PCPU_NR_CPUS) {
			free(t->pus);
			t->pus = NULL;
			return -ERANGE;
		}
		t->pus[i].os_index = pu->os_index;
		t->pus[i].node = node < 0 ? 0 : node;
		add_node(t->nodes, &t->nr_nodes, t->pus[i].node);
	}
	t->nr_pus = (unsigned)n;
	qsort(t->pus, t->nr_pus, sizeof(*t->pus), cmp_pu);
	for (i = 1; i < n; i++)
		if (t->pus[i].os_index == t->pus[i - 1].os_index)
			return -EINVAL;	/* duplicate PU ids */
	return 0;
}
#endif

/**
 * pcpu_topo_sysfs_cpu_node() - the node of host CPU @cpu from the
 * /sys/devices/system/cpu/cpuN/nodeM link, which a present CPU keeps while
 * offline (hwloc and libnuma only see online CPUs).
 * Return: the node; -ENOENT no such CPU or no node link.
 */
int pcpu_topo_sysfs_cpu_node(unsigned cpu)
{
	char path[64];
	struct dirent *de;
	int node = -ENOENT;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u", cpu);
	d = opendir(path);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d)))
		if (sscanf(de->d_name, "node%d", &node) == 1)
			break;
	closedir(d);
	return node;
}

/*
 * The number of PUs a hwloc synthetic string describes (the product of
 * its arities, "node:2 core:4 pu:2" -> 16), counted before hwloc builds
 * it: hwloc takes seconds and gigabytes for a large one that would be
 * refused afterwards anyway. Saturates above @limit.
 */
static unsigned long synthetic_pus(const char *s, unsigned long limit)
{
	unsigned long n = 1, a;
	const char *p = s;
	char *end;

	while ((p = strchr(p, ':'))) {
		p++;
		a = strtoul(p, &end, 10);
		if (end == p)
			continue;
		if (!a)
			return 0;
		if (n > limit / a)
			return limit + 1;
		n *= a;
		p = end;
	}
	return n;
}

/**
 * pcpu_topo_load() - read the topology logical CPUs follow, and the host.
 * @spec: NULL or "host"; "synthetic:<hwloc synthetic string>";
 *        "xml:<file>".
 *
 * Return: 0; -EINVAL bad spec or unusable topology (reason in @err);
 * -ERANGE a PU id beyond PCPU_NR_CPUS, or a synthetic topology with more
 * PUs than that (refused before hwloc builds it); -ENOTSUP synthetic or
 * XML without hwloc; -ENOMEM.
 */
int pcpu_topo_load(struct pcpu_topo *t, const char *spec, char *err, size_t errlen)
{
	int ret;

	memset(t, 0, sizeof(*t));
	ret = load_host(t);
	if (ret)
		goto err;
	if (!spec || !strcmp(spec, "host")) {
		snprintf(t->source, sizeof(t->source), "host");
		t->is_host = true;
	} else if (!strncmp(spec, "synthetic:", 10) &&
		   synthetic_pus(spec + 10, PCPU_NR_CPUS) > PCPU_NR_CPUS) {
		if (err && errlen)
			snprintf(err, errlen, "topology '%s' has more PUs than the "
				 "%d logical CPUs a run can have", spec, PCPU_NR_CPUS);
		ret = -ERANGE;
		goto err;
	} else if (!strncmp(spec, "synthetic:", 10) || !strncmp(spec, "xml:", 4)) {
		snprintf(t->source, sizeof(t->source), "%s", spec);
	} else {
		set_err(err, errlen, "unknown topology '%s' (use host, "
			"synthetic:<hwloc synthetic> or xml:<file>)", spec);
		ret = -EINVAL;
		goto err;
	}
#ifdef HAVE_HWLOC
	{
		hwloc_topology_t topo;

		if (hwloc_topology_init(&topo)) {
			ret = -ENOMEM;
			goto err;
		}
		if (!t->is_host && spec[0] == 's') {
			ret = hwloc_topology_set_synthetic(topo, spec + 10);
		} else if (!t->is_host) {
			/* A regular file of bounded size only: a FIFO or
			 * /dev/zero is refused before any read. */
			char *xml, why[160];
			size_t len;

			ret = pcpu_file_read(spec + 4, PCPU_FILE_MAX_XML, &xml,
					     &len, why, sizeof(why));
			if (ret) {
				if (err && errlen)
					snprintf(err, errlen, "topology '%.200s': %s",
						 spec, why);
				hwloc_topology_destroy(topo);
				ret = ret == -ENOMEM ? ret : -EINVAL;
				goto err;
			}
			ret = hwloc_topology_set_xmlbuffer(topo, xml, (int)len + 1);
			free(xml);
		}
		if (ret) {
			set_err(err, errlen, "hwloc rejected topology '%s'", spec);
			hwloc_topology_destroy(topo);
			ret = -EINVAL;
			goto err;
		}
		ret = hwloc_topology_load(topo);
		if (!ret)
			ret = topo_from_hwloc(t, topo);
		else
			ret = -EINVAL;
		hwloc_topology_destroy(topo);
		if (ret) {
			set_err(err, errlen, "cannot use topology '%s' (no PUs, "
				"duplicate or out-of-range PU ids)", spec);
			goto err;
		}
	}
#else
	if (!t->is_host) {
		set_err(err, errlen, "topology '%s' needs hwloc (libhwloc-dev)", spec);
		ret = -ENOTSUP;
		goto err;
	}
	ret = topo_from_host(t);
	if (ret)
		goto err;
#endif
	(void)topo_from_host;
	return 0;
err:
	pcpu_topo_free(t);
	return ret;
}

void pcpu_topo_free(struct pcpu_topo *t)
{
	free(t->pus);
	free(t->host_cpus);
	free(t->host_cpu_node);
	t->pus = NULL;
	t->host_cpus = NULL;
	t->host_cpu_node = NULL;
	t->nr_pus = 0;
	t->nr_host_cpus = 0;
}
