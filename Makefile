# mmda: plain GNU make. `make`, `make test`, `make demo`, `make deps`,
# `make check-deps`, `make bench-import`, `make bench-learn`, `make SANITIZE=address,undefined test`, `V=1`.

CC      ?= cc
PKG     ?= pkg-config
LIBS_PC  = ncursesw libsixel sqlite3 libcjson libcurl libturbojpeg libpng libwebp libgif

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wwrite-strings -Wformat=2 -Wpointer-arith -Wundef -Wvla
ifdef CI
WARN += -Werror
endif

OPT    ?= -O2 -g
CFLAGS ?= $(OPT)
ALL_CFLAGS  = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) \
              -I. -MMD -MP -DMMDA_SAMPLE_DIR=\"$(CURDIR)/tests/data/sample\" -DMMDA_THEME_DIR=\"$(CURDIR)/themes\" $(shell $(PKG) --cflags $(LIBS_PC) 2>/dev/null)
ALL_LDFLAGS = $(LDFLAGS)
ALL_LIBS    = $(shell $(PKG) --libs $(LIBS_PC) 2>/dev/null) -lpthread -lm

ifdef SANITIZE
# gcc leaves float-to-integer overflow out of "undefined"; a manifest id of 1e300 was one.
SAN_ALL = $(SANITIZE)$(if $(findstring undefined,$(SANITIZE)),$(comma)float-cast-overflow)
comma := ,
ALL_CFLAGS  += -fsanitize=$(SAN_ALL) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SAN_ALL)
BUILD ?= build-san
else
BUILD ?= build
endif

ifeq ($(V),1)
Q =
else
Q = @
endif

# core/ is one folder per concern (core/*/); cli/, tui/ and views/ make the program.
CORE_SRC  = $(sort $(wildcard core/*/*.c))
DB_SRC    = $(sort $(wildcard db/*.c))
CLI_SRC   = $(sort $(wildcard cli/*.c))
TUI_SRC   = $(sort $(wildcard tui/*.c))
VIEWS_SRC = $(sort $(wildcard views/*.c))
APP_SRC   = $(CLI_SRC) $(TUI_SRC) $(VIEWS_SRC)

CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o)
DB_OBJ   = $(DB_SRC:%.c=$(BUILD)/%.o)
APP_OBJ  = $(APP_SRC:%.c=$(BUILD)/%.o)
LIB      = $(BUILD)/libmmda.a

UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# A tool is one file, but for ptyterm_*.c: parts linked into ptyterm.
TOOL_PARTS = $(sort $(wildcard tests/tools/ptyterm_*.c))
TOOL_SRC = $(filter-out $(TOOL_PARTS),$(sort $(wildcard tests/tools/*.c)))
TOOL_BIN = $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

# Binary name: the sanitized build must not overwrite the normal one.
ifdef SANITIZE
BIN = $(BUILD)/mmda
else
BIN = mmda
endif

.PHONY: all deps bench-deps test demo check-deps clean bench-import bench-augment bench-tune \
	bench-score bench-export bench-tui bench-link bench-backends bench-learn bench-scale bench \
	tests-build fuzz

all: $(BIN)

$(BIN): $(APP_OBJ) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(APP_OBJ) $(LIB) $(ALL_LIBS)

$(LIB): $(CORE_OBJ) $(DB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# The per-pixel metric loops (make bench-score): the hashes' integer loops vectorise
# at -O3; SSIM's need only the vectoriser's full cost model (its run-time alias checks).
$(BUILD)/core/metrics/imghash.o: ALL_CFLAGS += -O3
$(BUILD)/core/metrics/imgmetrics.o: ALL_CFLAGS += -fvect-cost-model=dynamic

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/harness.h $(wildcard tests/unit/*.h) $(LIB)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(ALL_LIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(ALL_LIBS)

$(BUILD)/tools/ptyterm: tests/tools/ptyterm.c $(TOOL_PARTS) $(LIB)
	@mkdir -p $(@D)
	@echo "  CC      $< $(TOOL_PARTS)"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TOOL_PARTS) $(LIB) $(ALL_LIBS)

deps:
	@sh scripts/deps.sh

bench-deps:
	@sh scripts/deps.sh bench

tests-build: $(BIN) $(UNIT_BIN) $(TOOL_BIN)

test: deps
	@$(MAKE) --no-print-directory tests-build
	@MMDA="$(CURDIR)/$(BIN)" BUILD="$(CURDIR)/$(BUILD)" SANITIZE="$(SANITIZE)" \
	  sh tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	./$(BIN) demo

check-deps:
	@sh scripts/check-deps.sh

bench-import: bench-deps
	@$(MAKE) --no-print-directory $(BIN)
	@MMDA="$(CURDIR)/$(BIN)" sh tests/bench/import.sh

bench-augment: bench-deps
	@$(MAKE) --no-print-directory $(BIN) $(BUILD)/tools/benchtool
	@MMDA="$(CURDIR)/$(BIN)" BENCHTOOL="$(CURDIR)/$(BUILD)/tools/benchtool" sh tests/bench/augment.sh

bench-tune: bench-deps
	@$(MAKE) --no-print-directory $(BUILD)/tools/bench_tune
	@BENCH_TUNE="$(CURDIR)/$(BUILD)/tools/bench_tune" sh tests/bench/tune.sh

bench-score: bench-deps
	@$(MAKE) --no-print-directory $(BUILD)/tools/benchtool
	@BENCHTOOL="$(CURDIR)/$(BUILD)/tools/benchtool" sh tests/bench/score.sh

bench-backends: bench-deps
	@$(MAKE) --no-print-directory $(BUILD)/tools/bench_backends
	@BENCH_BACKENDS="$(CURDIR)/$(BUILD)/tools/bench_backends" TOP="$(CURDIR)" \
	  sh tests/bench/backends.sh

bench-learn: bench-deps
	@$(MAKE) --no-print-directory $(BUILD)/tools/bench_learn
	@$(BUILD)/tools/bench_learn 5

bench-export: bench-deps
	@$(MAKE) --no-print-directory $(BIN)
	@MMDA="$(CURDIR)/$(BIN)" sh tests/bench/export.sh

bench-tui: bench-deps
	@$(MAKE) --no-print-directory $(BIN) $(BUILD)/tools/ptyterm
	@MMDA="$(CURDIR)/$(BIN)" BENCH_PTYTERM="$(CURDIR)/$(BUILD)/tools/ptyterm" sh tests/bench/tui.sh

# MMDA_BEFORE=path/to/another/mmda adds its figures beside, as a baseline.
bench-link: bench-deps
	@$(MAKE) --no-print-directory $(BIN) $(BUILD)/tools/ptyterm
	@MMDA="$(CURDIR)/$(BIN)" BENCH_PTYTERM="$(CURDIR)/$(BUILD)/tools/ptyterm" sh tests/bench/link.sh

# SIZES="10000 100000" leaves out the 1M project.
bench-scale: bench-deps
	@$(MAKE) --no-print-directory $(BIN) $(BUILD)/tools/ptyterm
	@MMDA="$(CURDIR)/$(BIN)" BENCH_PTYTERM="$(CURDIR)/$(BUILD)/tools/ptyterm" sh tests/bench/scale.sh

# Every bench above, then one table of their BENCH lines (tests/bench/all.sh).
bench: bench-deps
	@MAKE="$(MAKE)" sh tests/bench/all.sh

# libFuzzer targets (clang), not part of `make test`: each runs FUZZ_SECONDS from its seeds
# (tests/data images, manifests and shards, the HTTP fixtures' replies, rows made from the
# sample). The library is built again with coverage.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= image reply manifest tar merge
fuzz:
	@$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz \
	  SANITIZE=fuzzer-no-link,address,undefined build-fuzz/libmmda.a
	@mkdir -p build-fuzz/fuzz
	@for t in $(FUZZ_TARGETS); do echo "  LD      build-fuzz/fuzz/fuzz_$$t"; \
	  clang $(filter-out -MMD -MP,$(ALL_CFLAGS)) -fsanitize=fuzzer,address,undefined \
	    -o build-fuzz/fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c build-fuzz/libmmda.a $(ALL_LIBS) || exit 1; done
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf build build-san build-fuzz mmda

-include $(CORE_OBJ:.o=.d) $(DB_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(UNIT_BIN:%=%.d)
