/*
 * token.h - secrets handed to clients, and their stored hashes (libsodium).
 *
 * A submitter token lets a reader read back their own pending comment.
 * With an Idempotency-Key it is derived (HMAC-SHA-256 under the server's
 * secret of the article key and the idempotency key), so a retried
 * submission gets the very token the first attempt would have; without
 * one it is 32 random bytes.  Only its SHA-256 is stored.
 */
#ifndef COMMENTD_TOKEN_H
#define COMMENTD_TOKEN_H

#include <stddef.h>
#include <stdint.h>

/* 32 bytes in unpadded base64url: 43 characters and a NUL. */
#define TOKEN_TEXT_SIZE	64
/* SHA-256 in hex and a NUL. */
#define TOKEN_HASH_HEX_SIZE	65

/* Initialises libsodium and draws the keyed hash's secret; call once
 * before any thread starts. */
int	token_init(void);

/*
 * SipHash-2-4 (libsodium's crypto_shorthash) of data under a secret
 * drawn by token_init: for hash tables whose keys clients choose (the
 * read cache, article generations), so no one can send keys that all
 * land in one bucket.
 */
uint64_t token_keyed_hash(const void *data, size_t len);

void	token_submitter(const unsigned char *secret, size_t secret_len,
	    const char *article_key, size_t key_len, const char *idem_key,
	    char out[TOKEN_TEXT_SIZE]);
/* 32 random bytes in unpadded base64url: API and session tokens. */
void	token_random(char out[TOKEN_TEXT_SIZE]);
/* The CSRF token that goes with a session token: HMAC-SHA-256 under the
 * server secret, so it needs no storage and dies with the session. */
void	token_csrf(const unsigned char *secret, size_t secret_len,
	    const char *session_token, char out[TOKEN_TEXT_SIZE]);
/* Who reported a comment, without keeping their address: HMAC-SHA-256
 * of it under the server secret, in hex. */
void	token_reporter(const unsigned char *secret, size_t secret_len,
	    const char *address, char out[TOKEN_HASH_HEX_SIZE]);
/* Constant-time equality of two NUL-terminated tokens. */
int	token_equal(const char *a, const char *b);
void	token_hash_hex(const char *token, size_t len,
	    char out[TOKEN_HASH_HEX_SIZE]);
/* A short, strong hex digest of data (ETags): 32 hex chars and a NUL. */
void	token_digest_hex(const void *data, size_t len, char out[33]);

#endif
