#!/usr/bin/env bash
# The documentation matches the program (issue 17 §7): every option each
# command's --help lists (generated from the option table) appears in
# docs/usage.md, and every exit status of the exit_code enum in
# src/cli/commands.h is documented in README.md, docs/usage.md and
# lattigo-batch(1) — and none of them documents a status the program does not
# have. lattigo-batch(1) and the completion are checked for options by
# install_docs.sh, with the same lists (lib.sh).
source "$(dirname "$0")/lib.sh"

readme="$SOURCE_DIR/README.md"
usage="$SOURCE_DIR/docs/usage.md"
man_batch="$SOURCE_DIR/docs/man/lattigo-batch.1"
header="$SOURCE_DIR/src/cli/commands.h"

# mentions FILE WORD: WORD appears as a whole word (an option is not matched
# by a longer option it prefixes).
mentions() { grep -qE -- "(^|[^a-z0-9-])$2([^a-z0-9-]|$)" "$1"; }

commands=$(list_commands)
[ "$(echo "$commands" | wc -l)" -ge 9 ] || fail "could not read the commands from --help: $commands"
checked=0
for command in $commands; do
  [ "$command" = help ] && continue
  mentions "$usage" "$command" || fail "docs/usage.md does not mention the command '$command'"
  for option in $(list_options "$command"); do
    mentions "$usage" "$option" || fail "docs/usage.md lacks $option (of '$command --help')"
    checked=$((checked + 1))
  done
done
[ "$checked" -ge 30 ] || fail "read only $checked options from the commands' --help"

# The exit statuses the program knows, from the enum itself.
codes=$(sed -n '/^enum exit_code {/,/^};/p' "$header" | sed -n 's/^[[:space:]]*EXIT_[A-Z_]* = \([0-9]\+\),.*/\1/p' | sort -n)
[ "$(echo "$codes" | wc -w)" -ge 5 ] || fail "could not read enum exit_code from $header: $codes"

# Where each document lists them.
readme_codes=$(sed -n '/^Exit status:/,/^$/p' "$readme" | grep -oE '`[0-9]+`' | tr -d '`' | sort -un)
usage_codes=$(sed -n '/^## Exit status/,/^## /p' "$usage" | sed -n 's/^| \([0-9]\+\) |.*/\1/p' | sort -un)
man_codes=$(awk '/^\.SH /{on = ($0 == ".SH EXIT STATUS")} on' "$man_batch" | sed -n 's/^\.B \([0-9]\+\)$/\1/p' | sort -un)
assert_eq "$(echo $codes)" "$(echo $readme_codes)" "exit statuses in README.md's 'Exit status:' paragraph vs enum exit_code"
assert_eq "$(echo $codes)" "$(echo $usage_codes)" "exit statuses in docs/usage.md's '## Exit status' table vs enum exit_code"
assert_eq "$(echo $codes)" "$(echo $man_codes)" "exit statuses in lattigo-batch(1)'s EXIT STATUS vs enum exit_code"

# What --help says an option defaults to holds for every command that lists
# it: a resume (or a re-run) sends to the job's stored endpoint, so its --help
# may not name $LATTIGO_ENDPOINT as the default alone (issue 17 §3).
for command in run resume; do
  line=$("$LATTIGO_BATCH" "$command" --help | sed -n '/^  --endpoint /,/^  --[a-z]/p' | tr '\n' ' ')
  case "$line" in
    *"stored endpoint"*) ;;
    *) fail "'$command --help' gives --endpoint a default without the job's stored endpoint: $line" ;;
  esac
done
