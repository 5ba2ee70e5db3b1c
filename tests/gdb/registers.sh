#!/bin/bash
# Registers: general, flags, vector (xmm/ymm/zmm where the CPU has them),
# fs_base; writes read back and survive a resume.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

grep -qw avx /proc/cpuinfo && avx=yes || avx=no
grep -qw avx512f /proc/cpuinfo && avx512=yes || avx512=no

start_server :0 "$PROGS/hello" 1 3
ok $? "server listens on a free port"
pid=$(inferior_pid)

cmds=(
	"target remote :$PORT"
	"break add"
	"continue"
	"info registers rip"
	"echo ==rax\\n"
	"p \$rax = 5"
	"p \$rax"
	"info registers rax"
	"echo ==eflags\\n"
	"info registers eflags"
	"echo ==r12\\n"
	"set \$saved = \$r12"
	"p/x \$r12 = 0x1234abcd"
	"stepi"
	"p/x \$r12"
	"set \$r12 = \$saved"
	"echo ==xmm\\n"
	"p \$xmm0"
	"p \$xmm1.v4_int32 = {1, 2, 3, 4}"
	"stepi"
	"p \$xmm1.v4_int32"
	"echo ==fs\\n"
	"p \$fs_base"
	"p \$fs_base == *(long *)\$fs_base"
	"p \$sp == \$rsp"
	"p \$pc"
	"p \$orig_rax"
	"info registers fs_base gs_base"
)
if [ $avx = yes ]; then
	cmds+=(
		"echo ==ymm\\n"
		"p \$ymm0"
		"p \$ymm0.v4_int64[0] == \$xmm0.v2_int64[0] && \$ymm0.v4_int64[1] == \$xmm0.v2_int64[1]"
		"p \$ymm2.v8_int32 = {1, 2, 3, 4, 5, 6, 7, 8}"
		"stepi"
		"p \$ymm2.v8_int32"
		"p \$xmm2.v4_int32"
	)
fi
if [ $avx512 = yes ]; then
	cmds+=(
		"echo ==zmm\\n"
		"p \$zmm3.v16_int32 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}"
		"p \$zmm20.v8_int64 = {-1, -2, -3, -4, -5, -6, -7, -8}"
		"p/x \$k1 = 0xa5"
		"stepi"
		"p \$zmm3.v16_int32"
		"p \$ymm3.v8_int32"
		"p \$zmm20.v8_int64"
		"p/x \$k1"
	)
fi
cmds+=(
	"echo ==all\\n"
	"info all-registers"
	"echo ==end\\n"
	"delete"
	"continue"
)
run_gdb regs "$PROGS/hello" "${cmds[@]}"
out="$T/regs.out"
section() {
	sed -n "/^==$1\$/,/^==/p" "$out" | sed '1d;$d'
}
for s in rax eflags r12 xmm fs ymm zmm all; do
	section $s >"$T/$s.txt"
done

contains "$out" '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <add\+[0-9]+>$' "info registers rip"
contains "$T/rax.txt" '^\$1 = 5$' "p \$rax = 5"
contains "$T/rax.txt" '^\$2 = 5$' "p \$rax reads it back"
contains "$T/rax.txt" '^rax +0x5 +5$' "info registers rax"
contains "$T/eflags.txt" '^eflags +0x[0-9a-f]+ +\[ ([A-Z]+ )*IF( [A-Z]+)* \]$' "info registers eflags: flags by name, IF set"
contains "$T/r12.txt" '^\$3 = 0x1234abcd$' "r12 written"
contains "$T/r12.txt" '^\$4 = 0x1234abcd$' "r12 kept across a stepi"
contains "$T/xmm.txt" '^\$5 = \{v8_bfloat16 = \{.*\}, v8_half = \{.*\}, v4_float = \{.*\}, v2_double = \{.*\}, v16_int8 = \{.*\}, v8_int16 = \{.*\}, v4_int32 = \{.*\}, v2_int64 = \{.*\}, uint128 = [0-9]+\}$' "p \$xmm0: the vector union"
contains "$T/xmm.txt" '^\$7 = \{1, 2, 3, 4\}$' "xmm1 written, kept across a stepi"
contains "$T/fs.txt" '^\$8 = [1-9][0-9]*$' "p \$fs_base: nonzero"
contains "$T/fs.txt" '^\$9 = 1$' "fs_base points at the thread's TCB (its first word is itself)"
contains "$T/fs.txt" '^\$10 = 1$' "\$sp is \$rsp"
contains "$T/fs.txt" '^\$11 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <add\+[0-9]+>$' "p \$pc"
contains "$T/fs.txt" '^\$12 = -1$' "p \$orig_rax"
contains "$T/fs.txt" '^fs_base +0x[0-9a-f]+ +[1-9][0-9]*$' "info registers fs_base"
contains "$T/fs.txt" '^gs_base +0x[0-9a-f]+ +[0-9]+$' "info registers gs_base"
if [ $avx = yes ]; then
	contains "$T/ymm.txt" '^\$13 = \{v16_bfloat16 = \{.*\}, v8_float = \{.*\}, v4_double = \{.*\}, v32_int8 = \{.*\}, v16_int16 = \{.*\}, v8_int32 = \{.*\}, v4_int64 = \{.*\}, v2_int128 = \{.*\}\}$' "p \$ymm0: the vector union"
	contains "$T/ymm.txt" '^\$14 = 1$' "ymm0's low half is xmm0"
	contains "$T/ymm.txt" '^\$16 = \{1, 2, 3, 4, 5, 6, 7, 8\}$' "ymm2 written (both halves), kept across a stepi"
	contains "$T/ymm.txt" '^\$17 = \{1, 2, 3, 4\}$' "xmm2 is ymm2's low half"
fi
if [ $avx512 = yes ]; then
	contains "$T/zmm.txt" '^\$[0-9]+ = \{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16\}$' "zmm3 written, kept across a stepi"
	contains "$T/zmm.txt" '^\$[0-9]+ = \{1, 2, 3, 4, 5, 6, 7, 8\}$' "ymm3 is zmm3's low half"
	contains "$T/zmm.txt" '^\$[0-9]+ = \{-1, -2, -3, -4, -5, -6, -7, -8\}$' "zmm20 (upper bank) written and kept"
	contains "$T/zmm.txt" '^\$[0-9]+ = 0xa5$' "k1 written and kept"
	contains "$T/all.txt" '^zmm31 +\{' "info all-registers: zmm31"
	contains "$T/all.txt" '^k7 +0x[0-9a-f]+ +[0-9]+$' "info all-registers: k7"
fi
n=0
for r in rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip eflags cs ss ds es fs gs; do
	grep -Eq "^$r +0x[0-9a-f]+ " "$T/all.txt" || { echo "# missing $r"; n=$((n + 1)); }
done
[ $n = 0 ]
ok $? "info all-registers: the general and segment registers"
contains "$T/all.txt" '^st0 +[-0-9.e+]+ +\(raw 0x[0-9a-f]{20}\)$' "info all-registers: st0"
contains "$T/all.txt" '^fctrl +0x37f +895$' "info all-registers: fctrl"
contains "$T/all.txt" '^mxcsr +0x1f80 +\[ IM DM ZM OM UM PM \]$' "info all-registers: mxcsr"
contains "$T/all.txt" '^(xmm|ymm|zmm)15 +\{' "info all-registers: the widest vector registers"
lacks "$out" 'Remote failure|Could not fetch|Cannot access|Invalid register|E[0-9][0-9]' "no register errors"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited with code 03\\]\$" "program runs to the end"
no_process "$pid" "the inferior is gone"
server_gone 10
ok $? "the server ends after the session"
done_testing
