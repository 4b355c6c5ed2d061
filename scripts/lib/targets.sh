# Sourced by scripts/bench-all.sh: gathers the target lines that the benchmark steps print, in
# whatever language, into one "Targets" section. A step reports a target by printing one line,
# anywhere in its stdout or stderr, with seven tab-separated fields:
#
#   target<TAB>name<TAB>measured<TAB>baseline<TAB>ratio<TAB>required<TAB>met|missed
#
# and a figure that is context, not a target, the same way with `context` first and `-` for
# the last two fields. Leading spaces are ignored (go test indents some output); nothing else is
# interpreted, so a new step only has to print its lines. The step judges its own target (met or
# missed, from figures of the same run); the collector never recomputes a verdict.
#
#   targets_collect TSV FILE...  every target and context line of FILE... (missing files are
#                                skipped) into TSV as: source file name<TAB>the seven fields.
#                                A line that starts with target<TAB> but has another shape is
#                                kept as a "malformed" target, counted as missed, so a broken
#                                step shows instead of vanishing.
#   targets_render TSV MD        print the section (targets, then context) to stdout and write
#                                it to MD as Markdown.
#   targets_test.sh (scripts/tests/) checks both.

targets_collect() {
    local tsv="$1" f files=()
    shift
    for f in "$@"; do [[ -f "$f" ]] && files+=("$f"); done
    : >"$tsv"
    ((${#files[@]})) || return 0
    awk -v OFS='\t' '
        {
            line = $0
            sub(/^ +/, "", line)
            sub(/\r$/, "", line)
            n = split(line, f, "\t")
            if (f[1] != "target" && f[1] != "context")
                next
            src = FILENAME
            sub(/.*\//, "", src)
            ok = n == 7
            if (f[1] == "target")
                ok = ok && (f[7] == "met" || f[7] == "missed")
            if (ok) {
                print src, line
            } else if (f[1] == "target") {
                gsub(/\t/, " <TAB> ", line)
                print src, "target", "malformed target line", line, "-", "-", "7 tab-separated fields", "missed"
            }
        }' "${files[@]}" >"$tsv"
}

targets_render() {
    local tsv="$1" md="$2"
    awk -F'\t' -v md="$md" '
        function cell(s) { gsub(/\|/, "\\|", s); return s }
        $2 == "target" { t[++nt] = $0; if ($8 == "met") met++ }
        $2 == "context" { c[++nc] = $0 }
        END {
            printf "Targets: %d met, %d missed (each judged by its step on figures of the same run)\n", met, nt - met
            print "## Targets\n" > md
            if (nt == 0) {
                print "  (no step printed a target line)"
                print "No step printed a target line.\n" > md
            } else {
                printf "%d met, %d missed. Each step judges its own targets on figures measured in the same run.\n\n", met, nt - met > md
                print "| | Target | Measured | Baseline | Ratio | Required | From |" > md
                print "|---|---|---|---|---:|---|---|" > md
            }
            for (i = 1; i <= nt; i++) {
                split(t[i], f, "\t")
                printf "  %-6s  %s\n          measured %s\n          baseline %s\n          ratio %s, required %s  [%s]\n", \
                    f[8] == "met" ? "met" : "MISSED", f[3], f[4], f[5], f[6], f[7], f[1]
                printf "| %s | %s | %s | %s | %s | %s | %s |\n", f[8] == "met" ? "met" : "**missed**", \
                    cell(f[3]), cell(f[4]), cell(f[5]), cell(f[6]), cell(f[7]), cell(f[1]) > md
            }
            if (nc > 0) {
                print "Context (not targets):"
                print "\nContext, not targets:\n" > md
                print "| Figure | Measured | Against | Ratio | From |" > md
                print "|---|---|---|---:|---|" > md
            }
            for (i = 1; i <= nc; i++) {
                split(c[i], f, "\t")
                printf "  %s: %s\n      against %s: %s  [%s]\n", f[3], f[4], f[5], f[6], f[1]
                printf "| %s | %s | %s | %s | %s |\n", cell(f[3]), cell(f[4]), cell(f[5]), cell(f[6]), cell(f[1]) > md
            }
        }' "$tsv"
}
