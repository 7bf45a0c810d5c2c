#!/usr/bin/env bash
# Runs every case of tests/data/cli-cases/*.cases (format: the README there):
# a command line, its exit status and fragments of its output.
source "$(dirname "$0")/lib.sh"
DATA="$TESTS_DIR/data/cli"
cases=0

run_case() { # name program unset args status, with expectations in the arrays
  local name=$1 program=$2 unset_list=$3 args=$4 expected=$5 status=0 line
  local -a words env_args=()
  for variable in $unset_list; do env_args+=(-u "$variable"); done
  eval "words=($args)"
  (cd "$WORK" && env "${env_args[@]}" "$program" "${words[@]}") >"$WORK/stdout" 2>"$WORK/stderr" || status=$?
  [ "$status" = "$expected" ] ||
    fail "case '$name': exit $status, expected $expected; stderr: $(cat "$WORK/stderr")"
  for line in "${want_stdout[@]}"; do
    grep -qF -- "$line" "$WORK/stdout" || fail "case '$name': no '$line' on stdout: $(cat "$WORK/stdout")"
  done
  for line in "${want_stderr[@]}"; do
    grep -qF -- "$line" "$WORK/stderr" || fail "case '$name': no '$line' on stderr: $(cat "$WORK/stderr")"
  done
  for line in "${refuse_stdout[@]}"; do
    if grep -qF -- "$line" "$WORK/stdout"; then fail "case '$name': '$line' on stdout"; fi
  done
  cases=$((cases + 1))
}

for file in "$TESTS_DIR"/data/cli-cases/*.cases; do
  name="" program=$LATTIGO_BATCH unset_list="" args="" status=""
  want_stdout=() want_stderr=() refuse_stdout=()
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      "# "*) [ -n "$name" ] || name=${line#\# } ;;
      "program: lattigo-sim") program=$LATTIGO_SIM ;;
      "program: lattigo-batch") program=$LATTIGO_BATCH ;;
      "unset: "*) unset_list=${line#unset: } ;;
      "args: "*) args=${line#args: } ;;
      "args:") args="" ;;
      "status: "*) status=${line#status: } ;;
      "stdout: "*) want_stdout+=("${line#stdout: }") ;;
      "stderr: "*) want_stderr+=("${line#stderr: }") ;;
      "no-stdout: "*) refuse_stdout+=("${line#no-stdout: }") ;;
      "")
        if [ -n "$status" ]; then
          run_case "$name" "$program" "$unset_list" "$args" "$status"
        fi
        name="" program=$LATTIGO_BATCH unset_list="" args="" status=""
        want_stdout=() want_stderr=() refuse_stdout=()
        ;;
      *) fail "$file: cannot read '$line'" ;;
    esac
  done <"$file"
  [ -z "$status" ] || run_case "$name" "$program" "$unset_list" "$args" "$status"
done
[ "$cases" -ge 20 ] || fail "only $cases cases ran"
echo "cli_cases: $cases cases"
