# bash completion for lattigo-batch and lattigo-sim (installed as
# share/bash-completion/completions/lattigo-batch and .../lattigo-sim).
# Commands, options, operation names and export kinds are kept in step with
# the programs by tests/integration/install_docs.sh.

_lattigo_batch_ops="activate cost-center locate note remove-usage-limit simstate sms upload usage-limit"
_lattigo_batch_kinds="daily-usage device devices monthly-usage rate-plans reports sms-log users"
_lattigo_batch_commands="run resume status verify report validate plan export audit ops template help"

_lattigo_batch_options() { # COMMAND: the options it takes
  local manifest="--op --manifest --format --sheet --output-format --delimiter --map --set --no-luhn
    --out"
  local sending="--endpoint --credentials --insecure-http --cacert --concurrency --rate --max-retries
    --connect-timeout --timeout --stall-timeout --resend-on-5xx --max-errors --max-snapshot-age --yes --quiet
    --progress --verbose --verify"
  local reading="--endpoint --credentials --insecure-http --cacert --concurrency --rate --max-retries
    --connect-timeout --timeout --stall-timeout --verbose"
  case $1 in
    run) echo "$manifest $sending --force-new --force-endpoint --chunk --dry-run --no-preflight --help" ;;
    resume) echo "$sending --force-endpoint --help" ;;
    validate) echo "$manifest --help" ;;
    plan) echo "${manifest/--output-format/} $reading --help" ;;
    status) echo "--json --help" ;;
    verify) echo "--wait $reading --quiet --progress --help" ;;
    report) echo "--output --help" ;;
    export) echo "--endpoint --credentials --insecure-http --cacert --manifest --map --set --id-type
      --start-date --end-date --limit --direction --state --no-details --out --output
      --output-format --concurrency --rate --max-retries --timeout --connect-timeout
      --stall-timeout --verbose --quiet --progress --help" ;;
    audit) echo "--row --full --json --help" ;;
    template) echo "--format --output --help" ;;
    ops|help) echo "--help" ;;
  esac
}

_lattigo_batch() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "$_lattigo_batch_commands --help --version" -- "$cur"))
    return
  fi
  local command=${COMP_WORDS[1]}
  case $prev in
    --op) COMPREPLY=($(compgen -W "$_lattigo_batch_ops" -- "$cur")); return ;;
    --format)
      case $command in
        template) COMPREPLY=($(compgen -W "csv xlsx" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "csv jsonl xlsx" -- "$cur")) ;;
      esac
      return ;;
    --output-format)
      case $command in
        export) COMPREPLY=($(compgen -W "csv jsonl" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "csv xlsx" -- "$cur")) ;;
      esac
      return ;;
    --no-luhn) COMPREPLY=($(compgen -W "iccid imei" -- "$cur")); return ;;
    --endpoint) COMPREPLY=($(compgen -W "sim https://api.lattigo.com" -- "$cur")); return ;;
    --delimiter) COMPREPLY=($(compgen -W ", ';' '|' tab" -- "$cur")); return ;;
    --manifest|--credentials|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --out) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --map|--set|--chunk|--concurrency|--rate|--max-retries|--connect-timeout|--timeout|\
    --stall-timeout|--id-type|--state|--start-date|--end-date|--row|--limit|--sheet|\
    --max-snapshot-age|--wait) return ;;
    --direction) COMPREPLY=($(compgen -W "all received sent" -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_lattigo_batch_options "$command")" -- "$cur"))
    return
  fi
  # the first argument after the command
  local index positional=0
  for ((index = 2; index < COMP_CWORD; index++)); do
    case ${COMP_WORDS[index]} in
      --json|--quiet|--progress|--verbose|--yes|--dry-run|--no-preflight|--force-new|--force-endpoint|--insecure-http|--help|\
      --resend-on-5xx|--verify|--verify=*|\
      --no-details) ;;
      -*) ((index++)) ;;
      *) ((positional++)) ;;
    esac
  done
  case $command in
    help) [ "$positional" -eq 0 ] && COMPREPLY=($(compgen -W "$_lattigo_batch_commands" -- "$cur")) ;;
    template) [ "$positional" -eq 0 ] && COMPREPLY=($(compgen -W "$_lattigo_batch_ops" -- "$cur")) ;;
    export) [ "$positional" -eq 0 ] && COMPREPLY=($(compgen -W "$_lattigo_batch_kinds" -- "$cur")) ;;
    audit)
      if [ "$positional" -eq 0 ]; then
        COMPREPLY=($(compgen -W "verify show" -- "$cur"))
      else
        COMPREPLY=($(compgen -f -- "$cur"))
      fi ;;
    resume|status|report|verify) COMPREPLY=($(compgen -d -- "$cur")) ;;
    run|validate|plan) COMPREPLY=($(compgen -f -- "$cur")) ;; # a job file
  esac
}
complete -o filenames -F _lattigo_batch lattigo-batch

_lattigo_sim() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  case $prev in
    --state|--ledger|--tls-cert|--tls-key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --no-luhn) COMPREPLY=($(compgen -W "iccid imei" -- "$cur")); return ;;
    --port|--bind|--key-name|--api-key|--latency-ms|--jitter-ms|--rate|--fail-rate|--drop-rate|\
    --max-chunk|--max-body|--max-connections|--devices|--seed|--activation-delay-ms) return ;;
  esac
  COMPREPLY=($(compgen -W "--port --bind --key-name --api-key --latency-ms --jitter-ms --rate
    --fail-rate --drop-rate --max-chunk --max-body --max-connections --devices --seed --state
    --ledger --no-luhn --tls-cert --tls-key --activation-delay-ms --verbose --help" -- "$cur"))
}
complete -o filenames -F _lattigo_sim lattigo-sim
