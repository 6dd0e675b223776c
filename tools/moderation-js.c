/*
 * moderation-js.c - build-time tool: writes the admin client's
 * moderation.js from src/moderation.c, so the client's statuses,
 * allowed moves and batch limit are the server's own, not a copy.
 *
 *   moderation-js > moderation.js
 */
#include <stdio.h>

#include "moderation.h"

/* A JavaScript array of strings: ['a', 'b']. */
static void
print_list(const char *const *names, int n)
{
	int	i;

	putchar('[');
	for (i = 0; i < n; i++)
		printf("%s'%s'", i > 0 ? ", " : "", names[i]);
	putchar(']');
}

int
main(void)
{
	const char	*names[(int)MOD_STATUS_COUNT + (int)MOD_ACTION_COUNT +
			    MOD_REASON_COUNT];
	const char	*status;
	int		 i, a, n;

	printf("// moderation.js - the moderation state machine, as the "
	    "server has it.\n"
	    "// Written by the build from src/moderation.c "
	    "(tools/moderation-js.c):\n"
	    "// do not edit.\n\n");

	for (i = 0; i < MOD_STATUS_COUNT; i++)
		names[i] = mod_status_name((enum mod_status)i);
	printf("// Every status a comment can be in.\n"
	    "export const STATUSES = ");
	print_list(names, MOD_STATUS_COUNT);
	printf(";\n\n");

	for (a = 0; a < MOD_ACTION_COUNT; a++)
		names[a] = mod_action_name((enum mod_action)a);
	printf("// Every moderation action.\nexport const ACTIONS = ");
	print_list(names, MOD_ACTION_COUNT);
	printf(";\n\n");

	printf("// The actions that can move a comment in each status.\n"
	    "export const ALLOWED = {\n");
	for (i = 0; i < MOD_STATUS_COUNT; i++) {
		status = mod_status_name((enum mod_status)i);
		for (a = n = 0; a < MOD_ACTION_COUNT; a++) {
			if (mod_action_applies((enum mod_action)a, status))
				names[n++] = mod_action_name(
				    (enum mod_action)a);
		}
		printf("  %s: ", status);
		print_list(names, n);
		printf(",\n");
	}
	printf("};\n\n");

	for (i = 0; i < MOD_REASON_COUNT; i++)
		names[i] = mod_reason_name(i);
	printf("// The reason codes a comment may carry (spam_flags).\n"
	    "export const REASONS = ");
	print_list(names, MOD_REASON_COUNT);
	printf(";\n\n");

	printf("// Comment ids one batch request may name.\n"
	    "export const BATCH_MAX = %d;\n", MOD_BATCH_MAX);
	return ferror(stdout) || fflush(stdout) != 0 ? 1 : 0;
}
