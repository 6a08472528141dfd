# pcpubench build.
#
#   make            build/pcpubench (optimised, -O2)
#   make check      install missing Debian packages (root on Debian), build,
#                   run every test: unit tests, the same tests under
#                   ASan+UBSan, CLI and report tests, and the guest tests
#                   when qemu can run here
#   make asan       build/asan/ (AddressSanitizer + UBSan) binaries
#   make tsan       build/tsan/ (ThreadSanitizer) binaries
#   make clean
#
# Every lib/*.c goes into build/libpcpu.a, every bench/*.c into
# build/pcpubench, every tests/test-*.c becomes build/tests/test-*.
# Optional libraries are found with pkg-config; a missing one is compiled
# out and reported as "unavailable, because ..." at run time.

.DEFAULT_GOAL := all

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
CFLAGS_BASE := -std=gnu11 -g $(OPT) -Wall -Wextra -Wno-unused-parameter \
	-Wshadow -Wstrict-prototypes -Wmissing-prototypes -D_GNU_SOURCE \
	-fno-omit-frame-pointer -falign-loops=32 -Ilib
LDLIBS_BASE := -lpthread -lm -ldl

HAVE_HWLOC := $(shell pkg-config --exists hwloc && echo 1)
HAVE_NUMA  := $(shell pkg-config --exists numa && echo 1 || \
	(test -e /usr/include/numaif.h && echo 1))
HAVE_PFM   := $(shell test -e /usr/include/perfmon/pfmlib.h && echo 1)
HAVE_CMOCKA := $(shell pkg-config --exists cmocka && echo 1)

ifeq ($(HAVE_HWLOC),1)
CFLAGS_BASE += -DHAVE_HWLOC=1 $(shell pkg-config --cflags hwloc)
LDLIBS_BASE += $(shell pkg-config --libs hwloc)
endif
ifeq ($(HAVE_NUMA),1)
CFLAGS_BASE += -DHAVE_NUMA=1
LDLIBS_BASE += -lnuma
endif
ifeq ($(HAVE_PFM),1)
CFLAGS_BASE += -DHAVE_PFM=1
LDLIBS_BASE += -lpfm
endif

# The flags a build was made with, recorded in results' meta.json.
BUILD_FLAGS_STR := $(CC) $(CFLAGS_BASE) $(CFLAGS)
GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell \
	git diff --quiet HEAD 2>/dev/null || echo -dirty)
CFLAGS_ALL = $(CFLAGS_BASE) $(CFLAGS) \
	-DPCPU_GIT_REV='"$(GIT_REV)"' \
	-DPCPU_CC_VERSION='"$(shell $(CC) --version | head -1)"' \
	-DPCPU_BUILD_FLAGS='"$(subst ",,$(BUILD_FLAGS_STR))"'

LIB_SRC   := $(sort $(wildcard lib/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
TEST_SRC  := $(sort $(wildcard tests/test-*.c))
HDRS      := $(wildcard lib/*.h bench/*.h tests/*.h) Makefile

define variant
# $(1): output dir, $(2): extra flags
$(1)/lib/%.o: lib/%.c $(HDRS) | $(1)/lib
	$$(CC) $$(CFLAGS_ALL) $(2) -c -o $$@ $$<
$(1)/bench/%.o: bench/%.c $(HDRS) | $(1)/bench
	$$(CC) $$(CFLAGS_ALL) $(2) -c -o $$@ $$<
$(1)/libpcpu.a: $(patsubst lib/%.c,$(1)/lib/%.o,$(LIB_SRC))
	rm -f $$@ && ar rcs $$@ $$^
$(1)/pcpubench: $(patsubst bench/%.c,$(1)/bench/%.o,$(BENCH_SRC)) $(1)/libpcpu.a
	$$(CC) $$(CFLAGS_ALL) $(2) -o $$@ $$^ $$(LDLIBS_BASE)
$(1)/tests/%: tests/%.c $(1)/libpcpu.a $(HDRS) | $(1)/tests
	$$(CC) $$(CFLAGS_ALL) $(2) -Itests -o $$@ $$< $(1)/libpcpu.a \
		$$(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka) $$(LDLIBS_BASE)
$(1)/lib $(1)/bench $(1)/tests:
	mkdir -p $$@
endef

ASAN_FLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined
TSAN_FLAGS := -O1 -fsanitize=thread

$(eval $(call variant,$(BUILD),))
$(eval $(call variant,$(BUILD)/asan,$(ASAN_FLAGS)))
$(eval $(call variant,$(BUILD)/tsan,$(TSAN_FLAGS)))

TESTS      := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
ASAN_TESTS := $(patsubst tests/%.c,$(BUILD)/asan/tests/%,$(TEST_SRC))

.PHONY: all check deps asan tsan clean tests test-unit test-asan test-cli \
	test-guest test-report

all: $(BUILD)/pcpubench

tests: $(TESTS)
asan: $(BUILD)/asan/pcpubench $(ASAN_TESTS)
tsan: $(BUILD)/tsan/pcpubench

deps:
	@scripts/setup-deps.sh

# The one test command (README, .ci/run). Runs every suite even when an
# earlier one fails, then fails if any did.
check: deps
	@$(MAKE) --no-print-directory all tests asan tsan
	@scripts/run-tests.sh

clean:
	rm -rf $(BUILD)

# The independent TLB pointer chase used to cross-check `pcpubench tlb`
# (a different method on purpose; see tests/tlb-refchase.c).
$(BUILD)/tlb-refchase: tests/tlb-refchase.c | $(BUILD)/tests
	$(CC) -O2 -Wall -o $@ $< -lm
tests: $(BUILD)/tlb-refchase
