#!/usr/bin/env bash
# `make test`: run each step (a make target) with its whole output in $LOGS/<step>.log, and
# print one line per step: its name, its result, its time and its last word. A failed step's
# log is printed in full; pytest's closing line ("N passed in ...") is always printed. Every
# step runs, and the exit status is non-zero if any failed.
#   usage: tests/steps.sh LOGS MAKE STEP...
set -uo pipefail
logs=$1 make=$2
shift 2
mkdir -p "$logs"

# The line that says what a step found, from its log.
summary() {
	local step=$1 log=$2
	case $step in
	bench-smoke) echo "$(grep -c ' ok$' "$log") benchmark paths ran (report: $log)" ;;
	pytest) grep -E '^=* ?([0-9]+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?)|no tests ran)\b.* in [0-9.]+s' "$log" | tail -n 1 ;;
	*) grep -v '^[[:space:]|]*$' "$log" | tail -n 1 ;;
	esac
}

failed=()
for step in "$@"; do
	log=$logs/$step.log
	started=$SECONDS
	if $make --no-print-directory -s "$step" >"$log" 2>&1; then
		result=ok
	else
		result=FAILED
		failed+=("$step")
	fi
	printf '%-16s %-6s %4ds  %s\n' "$step" "$result" $((SECONDS - started)) "$(summary "$step" "$log")"
	if [ "$result" = FAILED ]; then
		echo "----- $log -----"
		cat "$log"
		echo "----- end of $step -----"
	fi
done

# pytest's closing line once more, as pytest wrote it: CI reads it from the start of a line.
if [ -f "$logs/pytest.log" ]; then
	summary pytest "$logs/pytest.log"
fi
if [ ${#failed[@]} -gt 0 ]; then
	echo "make test: FAILED: ${failed[*]} (every step's output is in $logs/)"
	exit 1
fi
echo "make test: every step passed (their output is in $logs/)"
