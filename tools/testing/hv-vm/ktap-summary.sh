#!/bin/sh
# Summarise the KTAP results and the kernel health in an hv-vm console log.
# Interface: see CONTRACT.txt in this directory. POSIX sh and awk (mawk) only.
set -eu

prog=${0##*/}

usage() {
	cat <<EOF
usage: $prog [--plain] --label NAME LOG

Reads the console LOG written by run-qemu.sh or run-bochs.sh and prints one
line per test result, then a tally:
  PASS|FAIL|SKIP NAME: <description>[ (skip reason)]
  TALLY NAME pass=P fail=F skip=S
Lines starting with '#' are context for a human.

Test results are the top-level KTAP lines ('ok N desc', 'not ok N desc',
'... # SKIP reason'; indented or '#'-prefixed lines are ignored) printed
between 'HV-VM: boot' and 'HV-VM: dmesg begin'. Each 'KTAP version 1' line
starts a test binary whose '1..N' plan must be met ('1..0 # SKIP reason'
counts as one skip). These also count as failures, each with a FAIL line:
  - 'HV-VM: done' missing (timeout, crash, panic);
  - a test binary with fewer (or more) results than its plan, or no plan;
  - 'Bail out!';
  - dmesg (between the dmesg markers) containing BUG:, WARNING:, Oops,
    general protection fault, Call Trace, UBSAN, KASAN, kernel BUG, RIP:,
    soft lockup, hung task, Kernel panic or an RCU 'detected stall';
  - 'Kernel panic' anywhere in the log;
  - run.sh exiting nonzero while no test failed, or no result at all.
With --plain, LOG is plain KTAP from a host-side run (the unit tests): no
HV-VM markers and no dmesg are expected.
Exit status: 0 iff fail=0.
EOF
}

die() { echo "$prog: error: $*" >&2; exit 2; }

label=
log=
plain=0
while [ $# -gt 0 ]; do
	case $1 in
	--plain) plain=1; shift ;;
	--label) [ $# -ge 2 ] || die "--label needs a value"; label=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	-*) usage >&2; die "unknown option '$1'" ;;
	*) [ -z "$log" ] || die "only one LOG may be given"; log=$1; shift ;;
	esac
done
[ -n "$label" ] && [ -n "$log" ] || { usage >&2; die "--label NAME and LOG are required"; }
[ -r "$log" ] || die "cannot read log '$log'"

exec awk -v label="$label" -v plain="$plain" '
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function result(kind, text) {
	print kind " " label ": " text
	if (kind == "PASS") npass++
	else if (kind == "SKIP") nskip++
	else nfail++
}
function context(text) { print "#   " text }
function open_block(line_no) {
	close_block()
	inblk = 1; nblk++; plan = -1; plan0skip = 0; nres = 0; blkline = line_no
}
function close_block(   name) {
	if (!inblk) return
	inblk = 0
	name = "test binary #" nblk " (KTAP at log line " blkline ")"
	if (plan == 0 && plan0skip) return
	if (plan < 0) {
		if (nres > 0) result("FAIL", name ": no 1..N plan")
		return
	}
	if (nres < plan)
		result("FAIL", name ": only " nres " of " plan " planned results (test binary crashed or was killed?)")
	else if (nres > plan)
		result("FAIL", name ": " nres " results but the plan is 1.." plan)
}
function ktap_result(line,   notok, rest, desc, reason, num) {
	notok = (line ~ /^not ok/)
	rest = line
	sub(/^(not )?ok[ \t]+/, "", rest)
	num = rest; sub(/[^0-9].*$/, "", num)
	sub(/^[0-9]+[ \t]*/, "", rest)
	sub(/^-[ \t]+/, "", rest)
	reason = ""
	if (match(rest, /[ \t]*#[ \t]*[Ss][Kk][Ii][Pp]([ \t]|$)/)) {
		reason = trim(substr(rest, RSTART + RLENGTH))
		sub(/^[Ss][Kk][Ii][Pp]/, "", reason)
		reason = trim(reason)
		desc = trim(substr(rest, 1, RSTART - 1))
		if (desc == "") desc = "test " num
		result("SKIP", desc (reason != "" ? " (" reason ")" : ""))
		return
	}
	desc = trim(rest)
	if (desc == "") desc = "test " num
	result(notok ? "FAIL" : "PASS", desc)
}
function suspicious(line) {
	return line ~ /BUG:|WARNING:|Oops|general protection fault|Call Trace|UBSAN|KASAN|kernel BUG|RIP:|soft lockup|hung task|Kernel panic|detected stall/
}

BEGIN {
	region = 0; inblk = 0; nblk = 0; npass = nfail = nskip = 0; nres_total = 0
	if (plain) { region = 1; booted = 1; done = 1 }
}

{
	gsub(/\r/, "")
	line = $0
}

/Kernel panic/ && panic_line == "" { panic_line = line; panic_no = NR }

/HV-VM: boot / && region == 0 { region = 1; booted = 1; next }
/HV-VM: dmesg begin/ && region <= 1 { close_block(); region = 2; next }
/HV-VM: dmesg end/ && region == 2 { region = 3; next }
/HV-VM: done rc=/ {
	close_block()
	done = 1
	rc = line; sub(/.*HV-VM: done rc=/, "", rc); sub(/[^0-9].*$/, "", rc)
	region = 3
	next
}

region == 2 {
	if (suspicious(line)) { nsusp++; if (nsusp <= 20) susp[nsusp] = line }
	next
}

region == 1 {
	if (suspicious(line)) { ncons++; if (ncons <= 20) cons[ncons] = line }
	if (line ~ /^K?TAP version /) { open_block(NR); next }
	if (line ~ /^1\.\.[0-9]+/) {
		if (!inblk) open_block(NR)
		plan = line; sub(/^1\.\./, "", plan); sub(/[^0-9].*$/, "", plan); plan += 0
		plan0skip = 0
		if (plan == 0 && line ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) {
			plan0skip = 1
			r = line; sub(/^[^#]*#[ \t]*[Ss][Kk][Ii][Pp][ \t]*/, "", r)
			result("SKIP", "test binary #" nblk (r != "" ? " (" r ")" : ""))
			nres_total++
		}
		next
	}
	if (line ~ /^(not )?ok[ \t]+[0-9]+([ \t]|$)/) {
		if (!inblk) open_block(NR)
		nres++; nres_total++
		ktap_result(line)
		next
	}
	if (line ~ /^Bail out!/) { result("FAIL", line); next }
	next
}

END {
	close_block()
	if (!done) {
		result("FAIL", "no \"HV-VM: done\" in the log: timeout, crash or panic" \
		    (booted ? "" : " (/init never started: no \"HV-VM: boot\")"))
		for (i = 1; i <= ncons && i <= 20; i++) context(cons[i])
	}
	if (panic_line != "")
		result("FAIL", "kernel panic at log line " panic_no ": " panic_line)
	if (nsusp > 0) {
		result("FAIL", "dmesg: " nsusp " suspicious line(s), first: " susp[1])
		for (i = 1; i <= nsusp && i <= 20; i++) context(susp[i])
		if (nsusp > 20) context("... " (nsusp - 20) " more")
	}
	if (done && rc != "" && rc != 0) {
		if (nfail == 0) result("FAIL", "run.sh exited with rc=" rc " although no test failed")
		else print "# run.sh exited with rc=" rc
	}
	if (done && nres_total == 0 && nfail == 0)
		result("FAIL", "no KTAP results in the log")
	print "TALLY " label " pass=" npass " fail=" nfail " skip=" nskip
	exit (nfail > 0) ? 1 : 0
}
' "$log"
