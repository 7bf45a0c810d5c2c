#!/usr/bin/env bash
# The man pages and the shell completion agree with the programs (issue 13):
# every command `lattigo-batch --help` lists, every option any command's
# --help lists (derived from the option table), every operation of
# `lattigo-batch ops`, every export kind and every lattigo-sim option appears
# in lattigo-batch(1) / lattigo-sim(1) and in the bash and zsh completion, and
# the bash completion offers no option the program does not name;
# the pages pass `mandoc -T lint` and render; the bash completion really
# completes them; the zsh file parses.
source "$(dirname "$0")/lib.sh"

man_batch="$SOURCE_DIR/docs/man/lattigo-batch.1"
man_sim="$SOURCE_DIR/docs/man/lattigo-sim.1"
bash_completion="$SOURCE_DIR/completion/lattigo-batch.bash"
zsh_completion="$SOURCE_DIR/completion/_lattigo-batch"
command -v mandoc >/dev/null || fail "mandoc is not installed (scripts/setup installs it)"
command -v zsh >/dev/null || fail "zsh is not installed (scripts/setup installs it)"

for page in "$man_batch" "$man_sim"; do
  mandoc -T lint -W warning "$page" >"$WORK/lint.out" 2>&1 || fail "mandoc -T lint $page: $(cat "$WORK/lint.out")"
  [ ! -s "$WORK/lint.out" ] || fail "mandoc -T lint $page: $(cat "$WORK/lint.out")"
  mandoc -T utf8 "$page" 2>&1 | sed "s/.\x08//g" >"$WORK/page.txt" || fail "mandoc cannot render $page"
  for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
    grep -q "^$section" "$WORK/page.txt" || fail "$page has no $section section"
  done
done

# What the programs know.
commands=$(list_commands)
[ "$(echo "$commands" | wc -l)" -ge 9 ] || fail "could not read the commands from --help: $commands"
declare -A options=()
for command in $commands; do
  [ "$command" = help ] && continue
  for option in $(list_options "$command"); do
    options[$command]+=" $option"
  done
done
sim_options=$("$LATTIGO_SIM" --help | grep -oE '^ +--[a-z][a-z0-9-]*' | tr -d ' ')
[ "$(echo "$sim_options" | wc -w)" -ge 20 ] || fail "could not read lattigo-sim's options: $sim_options"
operations=$("$LATTIGO_BATCH" ops | grep -E '^[a-z][a-z-]*$')
[ "$(echo "$operations" | wc -w)" -ge 9 ] || fail "could not read the operations: $operations"
kinds=$("$LATTIGO_BATCH" export --help | sed -n '/^\(WHAT\|KIND\):/,/^$/p' | sed -n 's/^  \([a-z-]\+\) .*/\1/p')
[ "$(echo "$kinds" | wc -w)" -ge 8 ] || fail "could not read the export kinds: $kinds"

# in_page PAGE WORD: roff writes '-' as '\-' in names and options.
in_page() { grep -qF -- "$(printf '%s' "$2" | sed 's/-/\\-/g')" "$1"; }
for command in $commands; do
  in_page "$man_batch" ".B $command" || in_page "$man_batch" "lattigo-batch $command" ||
    fail "lattigo-batch(1) does not describe the command '$command'"
done
for command in "${!options[@]}"; do
  for option in ${options[$command]}; do
    in_page "$man_batch" "$option" || fail "lattigo-batch(1) lacks $option (of '$command')"
  done
done
in_page "$man_batch" "--version" || fail "lattigo-batch(1) lacks --version"
for option in $sim_options; do
  in_page "$man_sim" "$option" || fail "lattigo-sim(1) lacks $option"
done
for word in $operations $kinds; do
  in_page "$man_batch" "$word" || fail "lattigo-batch(1) lacks '$word'"
done
for variable in LATTIGO_KEY_NAME LATTIGO_API_KEY LATTIGO_ENDPOINT LATTIGO_SIM; do
  grep -q "$variable" "$man_batch" || fail "lattigo-batch(1) lacks the environment variable $variable"
done

# The bash completion, driven the way bash drives it.
# complete_words WORDS...: prints the candidates for the last word.
complete_words() {
  bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    if [ "${COMP_WORDS[0]}" = lattigo-sim ]; then _lattigo_sim; else _lattigo_batch; fi
    printf "%s\n" "${COMPREPLY[@]}"' completion "$bash_completion" "$@"
}
got=$(complete_words lattigo-batch "")
for command in $commands; do
  grep -qx -- "$command" <<<"$got" || fail "bash completion does not offer the command $command: $got"
done
grep -qx -- "--version" <<<"$got" || fail "bash completion does not offer --version"
for command in "${!options[@]}"; do
  got=$(complete_words lattigo-batch "$command" --)
  for option in ${options[$command]}; do
    grep -qx -- "$option" <<<"$got" || fail "bash completion of '$command --' lacks $option"
  done
done
# ...and offers nothing the program does not name: a removed or renamed
# option fails here rather than completing to a usage error.
names_option() { grep -qE -- "(^|[^a-z0-9-])$2([^a-z0-9-]|\$)" <<<"$1"; }
for command in $commands; do
  [ "$command" = help ] && continue
  help_text=$("$LATTIGO_BATCH" "$command" --help)
  for option in $(complete_words lattigo-batch "$command" --); do
    [ "$option" = --help ] && continue
    names_option "$help_text" "$option" ||
      fail "bash completion of '$command --' offers $option, which '$command --help' does not name"
  done
done
for option in $(complete_words lattigo-sim --); do
  [ "$option" = --help ] || names_option "$sim_options" "$option" ||
    fail "bash completion of lattigo-sim offers $option, which lattigo-sim --help does not name"
done
got=$(complete_words lattigo-batch run --op "")
for operation in $operations; do
  grep -qx -- "$operation" <<<"$got" || fail "bash completion of --op lacks $operation"
done
[ "$(echo "$got" | wc -l)" -eq "$(echo "$operations" | wc -w)" ] || fail "bash completion of --op offers more than the operations: $got"
got=$(complete_words lattigo-batch export "")
for kind in $kinds; do
  grep -qx -- "$kind" <<<"$got" || fail "bash completion of export lacks $kind"
done
got=$(complete_words lattigo-sim --)
for option in $sim_options; do
  grep -qx -- "$option" <<<"$got" || fail "bash completion of lattigo-sim lacks $option"
done
mkdir -p "$WORK/jobs/out-a" && touch "$WORK/jobs/lot-42.csv"
got=$(cd "$WORK/jobs" && complete_words lattigo-batch run --manifest lot)
assert_eq "lot-42.csv" "$got" "bash completion of a manifest file"
got=$(cd "$WORK/jobs" && complete_words lattigo-batch status "")
assert_eq "out-a" "$got" "bash completion of a job directory"

# The zsh completion parses and names every command, option, operation and kind.
zsh -n "$zsh_completion" || fail "the zsh completion does not parse"
for word in $commands $operations $kinds $sim_options ${options[@]}; do
  grep -qF -- "$word" "$zsh_completion" || fail "the zsh completion lacks '$word'"
done
