#!/bin/sh
# Builds a demo article page (served at / and /en) from a template and
# an article text: the first line is the headline, every other non-empty
# line a paragraph.  Text is HTML-escaped; nothing in it is markup.
#
#   demo-page.sh LANG TEMPLATE ARTICLE.txt > page.html
set -eu
lang=$1 template=$2 article=$3

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
    awk 'NF { printf "      <p>%s</p>\n", $0 }')

# awk, not sed, and the text through the environment, not -v: the text
# may hold any character sed or awk -v would treat as special.
TITLE=$title BODY=$body awk -v lang="$lang" -v dir="$dir" '
{
	title = ENVIRON["TITLE"]; body = ENVIRON["BODY"]
	gsub(/@LANG@/, lang); gsub(/@DIR@/, dir)
	if (index($0, "@TITLE@")) {
		i = index($0, "@TITLE@")
		$0 = substr($0, 1, i - 1) title substr($0, i + 7)
	}
	if ($0 ~ /^[ \t]*@ARTICLE@[ \t]*$/) { print body; next }
	print
}' "$template"
