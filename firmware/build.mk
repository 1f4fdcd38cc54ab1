# firmware/: the board's firmware engine, freestanding C, as a static library
# for host programs (libcti, tests). kernel/ compiles the same sources itself.
FW_SRCS := $(sort $(wildcard firmware/src/*.c))
FW_OBJS := $(FW_SRCS:%.c=$(B)/%.o)
FW_LIB := $(B)/firmware/libctifw.a

$(FW_OBJS): CFLAGS := $(FW_CFLAGS)
$(FW_OBJS): LIB_CFLAGS :=

$(FW_LIB): $(FW_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

ALL_TARGETS += $(FW_LIB)
