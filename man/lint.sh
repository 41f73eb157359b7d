#!/bin/sh
# Lints the manual pages with mandoc at warning level and above (make check
# runs this only when configure found mandoc). STYLE messages are left out:
# they depend on which other pages happen to be installed on this machine.
set -u
: "${srcdir:=.}"
mandoc=${MANDOC:-mandoc}
status=0
n=0
# pages generated from .in files live in the build directory
for page in "$srcdir"/man/*.[1-9] man/*.[1-9]; do
	[ -f "$page" ] || continue
	case $page in
	man/*) [ "$srcdir" = . ] && continue ;;
	esac
	n=$((n + 1))
	if ! "$mandoc" -Tlint -W warning "$page"; then
		echo "FAIL: $page"
		status=1
	fi
done
if [ "$n" -eq 0 ]; then
	echo "lint.sh: no manual pages found under $srcdir/man" >&2
	exit 99
fi
echo "mandoc lint: $n pages"
exit $status
