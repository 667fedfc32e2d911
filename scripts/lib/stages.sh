# Sourced by scripts/test.sh: runs stages one after another, each even when
# an earlier one failed, and prints a line per stage at the end.
#   stage NAME COMMAND...   runs COMMAND in a subshell with errexit on and
#                           records passed, failed (with its exit status) or
#                           skipped (COMMAND called skip REASON), and its time
#   skip REASON...          in a stage: ends it as skipped, saying why
#   stages_summary          prints the lines; returns 1 if a stage failed
# tests/scripts/stages_test.py holds it to that.
stages_dir=$(mktemp -d)
trap 'rm -rf "$stages_dir"' EXIT
stages_lines=()
stages_failed=0

stages_elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

stage() {
  local name=$1 start=$SECONDS rc outcome
  shift
  echo "== $name" >&2
  export stages_skip_file="$stages_dir/skip"
  rm -f "$stages_skip_file"
  # Not `if ( ... )`: bash ignores errexit inside a subshell whose status is tested.
  set +e
  ( set -e; "$@" )
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then
    outcome=passed
  elif [ $rc -eq 77 ] && [ -s "$stages_skip_file" ]; then
    outcome="skipped: $(head -n1 "$stages_skip_file")"
  else
    outcome="FAILED (exit $rc)"
    stages_failed=1
  fi
  stages_lines+=("$(printf '%-12s %7s  %s' "$name" "$(stages_elapsed $((SECONDS - start)))" "$outcome")")
}

skip() {
  echo "$*" >"$stages_skip_file"
  echo "skipped: $*" >&2
  exit 77
}

stages_summary() {
  echo "== summary" >&2
  printf '%s\n' "${stages_lines[@]}" >&2
  return $stages_failed
}
