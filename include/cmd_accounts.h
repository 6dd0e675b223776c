/*
 * cmd_accounts.h - the account commands: moderator accounts and API tokens.
 *
 * They run once and exit, so they use libpq's blocking calls; they load
 * the settings themselves (for --database-url and COMMENTD_DATABASE_URL)
 * around their own arguments.  Exit status: 0 done, 1 error, 2 usage.
 */
#ifndef COMMENTD_CMD_ACCOUNTS_H
#define COMMENTD_CMD_ACCOUNTS_H

/*
 * commentd moderator add NAME --role admin|moderator   (password: stdin)
 * commentd moderator list
 * commentd moderator disable NAME
 * commentd moderator bootstrap   (first start: creates "admin" with a
 *                                 generated password, printed once, if
 *                                 there is no moderator at all)
 */
int	cmd_moderator_main(int argc, char **argv);

/*
 * commentd token create NAME [--days N]   (prints the token alone)
 * commentd token revoke NAME              (revokes every token of NAME)
 */
int	cmd_token_main(int argc, char **argv);

#endif
