#!/bin/bash
# The manual pages, man/handoffd.8 and man/handoffctl.1: groff formats
# each with no warning (-ww), man(1) renders each with a NAME section,
# every command handoffd's and handoffctl's --help name has an entry of
# its own, and every long option that handoffd --help, each command's
# --help and handoffctl --help print is mentioned in its page.  An option
# added without its documentation fails here.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

HANDOFFCTL="$top_builddir/handoffctl"
MAN="$top_srcdir/man"

# formats PAGE: groff -man -ww is silent and exits 0.
formats() {
	local page=$1 name=${1##*/}
	if ! command -v groff >/dev/null; then
		ok 0 "$name: groff -ww prints no warning # SKIP no groff"
		return
	fi
	groff -man -Tutf8 -ww -z "$page" >"$T/groff-$name.out" \
	    2>"$T/groff-$name.log"
	[ $? -eq 0 ] && [ ! -s "$T/groff-$name.log" ]
	ok $? "$name: groff -ww prints no warning"
}

# renders PAGE: man -l formats it, with a NAME section.
renders() {
	local page=$1 name=${1##*/}
	if ! command -v man >/dev/null; then
		ok 0 "$name: man -l renders a NAME section # SKIP no man -l"
		return
	fi
	MANWIDTH=80 man -l "$page" 2>"$T/man-$name.log" |
	    sed 's/.\x08//g' >"$T/man-$name.out"
	[ "${PIPESTATUS[0]}" -eq 0 ] && grep -q '^NAME$' "$T/man-$name.out"
	ok $? "$name: man -l renders a NAME section"
}

# plain PAGE: the page's source without comments, with \- as - and
# without font and zero-width escapes, as the text a reader sees.
plain() {
	sed -e '/^\.\\"/d' -e 's/\\".*//' -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' \
	    -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g' -e 's/\\[%&]//g' "$1"
}

# options HELP...: the long options the help texts print, once each.
options() {
	cat "$@" | grep -o -- '--[a-z][a-z-]*' | sort -u
}

# mentioned PLAIN OPTION: the option as a whole word, not a part of a
# longer one (--debug is not --remote-debug).
mentioned() {
	grep -Eq -- "(^|[^A-Za-z0-9-])$2([^a-z-]|\$)" "$1"
}

# has_entry PAGE WORD: a tagged paragraph (.TP) whose tag starts with
# WORD in bold, the way each command is listed.
has_entry() {
	awk -v w="$2" '
		prev == ".TP" && ($1 == ".B" || $1 == ".BI" || $1 == ".BR") {
			t = $2; gsub(/"/, "", t)
			if (t == w) found = 1
		}
		{ prev = $0 }
		END { exit !found }' "$1"
}

for page in "$MAN/handoffd.8" "$MAN/handoffctl.1"; do
	[ -f "$page" ]
	ok $? "${page##*/} exists"
	formats "$page"
	renders "$page"
done

# ---- handoffd: the commands, then every option of every --help
plain "$MAN/handoffd.8" >"$T/handoffd.8.txt"
"$HANDOFFD" --help >"$T/help-handoffd.out" 2>&1
ok $? "handoffd --help exits 0"
cmds=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\)  .*/\1/p' \
    "$T/help-handoffd.out")
[ -n "$cmds" ]
ok $? "handoffd --help names its commands"
helps="$T/help-handoffd.out"
for cmd in $cmds; do
	"$HANDOFFD" "$cmd" --help >"$T/help-$cmd.out" 2>&1
	ok $? "handoffd $cmd --help exits 0"
	has_entry "$MAN/handoffd.8" "$cmd"
	ok $? "handoffd.8 has an entry for the command $cmd"
	helps="$helps $T/help-$cmd.out"
done
opts=$(options $helps)
[ -n "$opts" ]
ok $? "handoffd's help texts print long options"
for opt in $opts; do
	mentioned "$T/handoffd.8.txt" "$opt"
	ok $? "handoffd.8 documents $opt"
done

# ---- handoffctl: the commands, then every option of its --help
plain "$MAN/handoffctl.1" >"$T/handoffctl.1.txt"
"$HANDOFFCTL" --help >"$T/help-handoffctl.out" 2>&1
ok $? "handoffctl --help exits 0"
cmds=$(sed -n 's/^\(usage:\)\{0,1\} *handoffctl \([a-z][a-z-]*\) .*/\2/p' \
    "$T/help-handoffctl.out" | sort -u)
[ -n "$cmds" ]
ok $? "handoffctl --help names its commands"
for cmd in $cmds; do
	has_entry "$MAN/handoffctl.1" "$cmd"
	ok $? "handoffctl.1 has an entry for the command $cmd"
done
opts=$(options "$T/help-handoffctl.out")
[ -n "$opts" ]
ok $? "handoffctl --help prints long options"
for opt in $opts; do
	mentioned "$T/handoffctl.1.txt" "$opt"
	ok $? "handoffctl.1 documents $opt"
done

done_testing
