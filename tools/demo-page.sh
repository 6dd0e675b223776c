#!/bin/sh
# Builds a demo article page (served at / and /en) from a template, an
# article text and the page's own strings: the article's first line is
# the headline, every other non-empty line a paragraph; the strings file
# holds NAME=TEXT lines (# starts a comment) that replace @S:NAME@.
# Text is HTML-escaped; nothing in it is markup.
#
#   demo-page.sh LANG TEMPLATE ARTICLE.txt STRINGS.txt > page.html
set -eu
lang=$1 template=$2 article=$3 strings=$4

case "$lang" in
ar) dir=rtl ;;
*) dir=ltr ;;
esac

escape() {
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' \
	    -e 's/"/\&quot;/g'
}

title=$(head -n 1 "$article" | tr -d '\r' | escape)
body=$(tail -n +2 "$article" | tr -d '\r' | escape |
    awk 'NF { printf "          <p>%s</p>\n", $0 }')
texts=$(grep -v '^#' "$strings" | tr -d '\r' | escape)

# awk, not sed, and the text through the environment, not -v: the text
# may hold any character sed or awk -v would treat as special.
TITLE=$title BODY=$body TEXTS=$texts awk -v lang="$lang" -v dir="$dir" '
# Every occurrence of what in s replaced by with, literally.
function subst(s, what, with,    i, out) {
	out = ""
	while ((i = index(s, what)) > 0) {
		out = out substr(s, 1, i - 1) with
		s = substr(s, i + length(what))
	}
	return out s
}
BEGIN {
	n = split(ENVIRON["TEXTS"], lines, "\n")
	for (k = 1; k <= n; k++) {
		if ((i = index(lines[k], "=")) > 0)
			text[substr(lines[k], 1, i - 1)] = substr(lines[k], i + 1)
	}
}
{
	if ($0 ~ /^[ \t]*@ARTICLE@[ \t]*$/) { print ENVIRON["BODY"]; next }
	$0 = subst($0, "@LANG@", lang)
	$0 = subst($0, "@DIR@", dir)
	$0 = subst($0, "@TITLE@", ENVIRON["TITLE"])
	while (match($0, /@S:[a-z_]+@/)) {
		name = substr($0, RSTART + 3, RLENGTH - 4)
		if (!(name in text)) {
			print "demo-page.sh: no text for " name > "/dev/stderr"
			exit 1
		}
		$0 = substr($0, 1, RSTART - 1) text[name] \
		    substr($0, RSTART + RLENGTH)
	}
	print
}' "$template"
