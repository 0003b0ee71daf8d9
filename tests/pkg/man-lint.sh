#!/bin/sh
# SPDX-License-Identifier: MIT
#
# man-lint.sh PAGE... - lint the generated manual pages with both groff
# (-ww: every warning, -t: the tables) and mandoc -T lint: any message
# fails.  One kind of mandoc message is let through, "skipping paragraph
# macro": scdoc writes a .P after each .SH and around blocks, which both
# formatters drop, so it renders the same.  A page that was not built
# (no scdoc) or a missing linter skips (77), and fails under CI=true.
set -u
missing=""
for p in "$@"; do
  [ -f "$p" ] || missing="$missing $(basename "$p")"
done
command -v groff >/dev/null 2>&1 || missing="$missing groff"
command -v mandoc >/dev/null 2>&1 || missing="$missing mandoc"
if [ -n "$missing" ]; then
  echo "man-lint: missing:$missing (scdoc, groff, mandoc: tools/deps.sh)"
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
bad=0
for p in "$@"; do
  out=$(groff -t -ww -z -man "$p" 2>&1
    mandoc -T lint -W warning "$p" 2>&1 |
      grep -v 'WARNING: skipping paragraph macro: PP \(empty\|after SH\)')
  if [ -n "$out" ]; then
    echo "$out"
    echo "man-lint: $(basename "$p"): warnings"
    bad=1
  else
    echo "man-lint: $(basename "$p"): clean"
  fi
done
exit $bad
