/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel-kmod.h - the module of `pcpubench kernel` (bench/kmod/) seen
 * from the program: can it run here, load, unload, and its debugfs
 * control file (bench/kernel-kmod.c). Messages name KERNEL_CMD.
 */
#ifndef KERNEL_KMOD_H
#define KERNEL_KMOD_H

#include <stdbool.h>
#include <stddef.h>

#define KERNEL_CMD "pcpubench kernel"
#define KMOD_NAME "pcpubench_kmod"
#define KMOD_FILE KMOD_NAME ".ko"
#define KMOD_SYS "/sys/module/" KMOD_NAME
#define DEBUGFS "/sys/kernel/debug"
#define KCTL DEBUGFS "/pcpubench/ctl"
#define KOUT DEBUGFS "/pcpubench/out"
#define DEBUGFS_MAGIC_ 0x64626720

/* The module beside this program (build/kmod/pcpubench_kmod.ko). */
void kmod_default_path(char *buf, size_t len);
/* Whether the module is loaded now. */
bool kmod_loaded(void);
/*
 * kmod_can_run() - root, a module for this kernel (or headers to build
 * one), loading allowed, no signature enforcement or lockdown, debugfs.
 * Return: 0; an exit code (message on stderr).
 */
int kmod_can_run(const char *mod);
/* Load @mod (finit_module). Return: 0; an exit code (message). */
int kmod_load(const char *mod);
/* Unload the module. Return: 0; EXIT_FAIL (message). */
int kmod_unload(void);
/*
 * kmod_fake() - the test hook PCPU_TEST_KMOD_OUT: the file that stands for
 * the module's answers (kmod_ctl() reads it for every command), or NULL.
 */
const char *kmod_fake(void);
/*
 * kmod_ctl() - write command @cmd to the module's control file and read
 * its answer into *@out (malloc'd, NUL-terminated). Return: 0; -errno.
 */
int kmod_ctl(const char *cmd, char **out);
/* Split a CSV line in place. Return: field count. */
int kmod_fields(char *line, char **f, int max);

#endif
