#!/bin/sh
# Prints the settings documentation from `commentd serve --help`, so the
# README's table and the example environment file cannot drift from the
# binary:
#
#   settings-doc.sh BIN table   the README's table rows (markdown)
#   settings-doc.sh BIN env     deploy/commentd.env.example's settings
set -eu
bin=$1 form=$2

"$bin" serve --help | awk -v form="$form" '
/^  --/ { flag = $1; var = $2; next }
/^      / && var != "" {
	line = substr($0, 7)
	# "meaning; default" - the default is after the last "; ".
	i = 0
	for (j = 1; j <= length(line); j++)
		if (substr(line, j, 2) == "; ")
			i = j
	meaning = substr(line, 1, i - 1)
	def = substr(line, i + 2)
	if (form == "table") {
		printf "| `%s` | `%s` | `%s` | %s |\n", var, flag, def, meaning
	} else {
		value = def
		range = ""
		if (match(def, / \(.*\)$/)) {
			value = substr(def, 1, RSTART - 1)
			range = " " substr(def, RSTART + 1)
		}
		gsub(/^"|"$/, "", value)
		printf "# %s%s\n#%s=%s\n\n", meaning, range, var, value
	}
	var = ""
}'
