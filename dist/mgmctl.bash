# SPDX-License-Identifier: MIT
#
# bash completion for mgmctl(8): its options, the request words and, after
# -s/--socket, file names.  Needs nothing from the bash-completion package.

_mgmctl() {
  local cur prev words=() i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=""
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  # The words typed so far, without the options and their arguments.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
    -s | --socket | --since) ((i++)) ;;
    -*) ;;
    *) words+=("${COMP_WORDS[i]}") ;;
    esac
  done
  case $prev in
  -s | --socket)
    COMPREPLY=($(compgen -f -- "$cur"))
    return
    ;;
  --since) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "-s --socket -j --json -h --help" -- "$cur"))
    return
  fi
  local list=""
  case "${words[*]}" in
  "") list="show reload sim ping version help raw" ;;
  show) list="protocols interfaces groups mfe igmp log status" ;;
  "show mfe") list="--stats" ;;
  "show log") list="--since" ;;
  sim) list="inject igmp advance link" ;;
  "sim igmp") list="join leave" ;;
  "sim link "*) [[ ${#words[@]} -eq 3 ]] && list="up down" ;;
  esac
  COMPREPLY=($(compgen -W "$list" -- "$cur"))
}
complete -F _mgmctl mgmctl
