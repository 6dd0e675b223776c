#!/bin/sh
# The house style that a compiler does not check, over every C and
# JavaScript file of ours: C lines within 80 columns, JavaScript within
# 100 (tabs to multiples of 8, a character one column), and one return
# style in C ("return x;", never "return (x);").  Prints each offence
# and exits 1 if there is any.  perl is part of every Debian system.
set -u
cd "$(dirname "$0")/.."

find src include commentctl tests tools web -name node_modules -prune -o \
    -type f \( -name '*.[ch]' -o -name '*.js' -o -name '*.mjs' \) -print |
sort |
perl -CSD -e '
	my $bad = 0;
	while (my $file = <STDIN>) {
		chomp $file;
		my $max = $file =~ /\.(c|h)$/ ? 80 : 100;
		open(my $fh, "<:encoding(UTF-8)", $file) or die "$file: $!";
		while (my $line = <$fh>) {
			chomp $line;
			my $col = 0;
			for my $ch (split //, $line) {
				$col = $ch eq "\t" ? ($col + 8) - ($col % 8) :
				    $col + 1;
			}
			if ($col > $max) {
				print "$file:$.: $col columns (at most $max)\n";
				$bad++;
			}
			if ($max == 80 && $line =~ /\breturn \((.*)\);\s*$/) {
				my $in = $1;
				# Whole expression in parentheses?
				my ($d, $whole) = (0, 1);
				for my $i (0 .. length($in) - 1) {
					my $c = substr($in, $i, 1);
					$d++ if $c eq "(";
					$d-- if $c eq ")";
					$whole = 0 if $d < 0;
				}
				if ($whole && $d == 0) {
					print "$file:$.: return (x); style\n";
					$bad++;
				}
			}
		}
		close $fh;
	}
	print "$bad style offence(s)\n" if $bad;
	exit($bad ? 1 : 0);
'
