/*
 * token.c - client tokens and digests (see token.h).
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "token.h"

/* The keyed hash's secret: drawn at start, never leaves the process. */
static unsigned char	token_hash_secret[crypto_shorthash_KEYBYTES];

int
token_init(void)
{
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(token_hash_secret, sizeof token_hash_secret);
	return 0;
}

uint64_t
token_keyed_hash(const void *data, size_t len)
{
	unsigned char	out[crypto_shorthash_BYTES];
	uint64_t	h;

	crypto_shorthash(out, data, len, token_hash_secret);
	memcpy(&h, out, sizeof h);
	return h;
}

void
token_submitter(const unsigned char *secret, size_t secret_len,
    const char *article_key, size_t key_len, const char *idem_key,
    char out[TOKEN_TEXT_SIZE])
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 mac[crypto_auth_hmacsha256_BYTES];
	unsigned char			 len[4];

	if (idem_key == NULL) {
		randombytes_buf(mac, sizeof mac);
	} else {
		/* Length-prefixed so (key, idem) pairs cannot collide. */
		len[0] = (unsigned char)(key_len >> 24);
		len[1] = (unsigned char)(key_len >> 16);
		len[2] = (unsigned char)(key_len >> 8);
		len[3] = (unsigned char)key_len;
		crypto_auth_hmacsha256_init(&st, secret, secret_len);
		crypto_auth_hmacsha256_update(&st,
		    (const unsigned char *)"submitter", 10);
		crypto_auth_hmacsha256_update(&st, len, sizeof len);
		crypto_auth_hmacsha256_update(&st,
		    (const unsigned char *)article_key, key_len);
		crypto_auth_hmacsha256_update(&st,
		    (const unsigned char *)idem_key, strlen(idem_key));
		crypto_auth_hmacsha256_final(&st, mac);
	}
	sodium_bin2base64(out, TOKEN_TEXT_SIZE, mac, sizeof mac,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(mac, sizeof mac);
}

void
token_random(char out[TOKEN_TEXT_SIZE])
{
	unsigned char	raw[32];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, TOKEN_TEXT_SIZE, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

/* HMAC-SHA-256 under the server secret of a label (with its NUL, so no
 * label is a prefix of another's input) and then data. */
static void
token_hmac(const unsigned char *secret, size_t secret_len,
    const char *label, const char *data,
    unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state	 st;

	crypto_auth_hmacsha256_init(&st, secret, secret_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)label,
	    strlen(label) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)data,
	    strlen(data));
	crypto_auth_hmacsha256_final(&st, mac);
}

void
token_reporter(const unsigned char *secret, size_t secret_len,
    const char *address, char out[TOKEN_HASH_HEX_SIZE])
{
	unsigned char	mac[crypto_auth_hmacsha256_BYTES];

	token_hmac(secret, secret_len, "report", address, mac);
	sodium_bin2hex(out, TOKEN_HASH_HEX_SIZE, mac, sizeof mac);
}

void
token_csrf(const unsigned char *secret, size_t secret_len,
    const char *session_token, char out[TOKEN_TEXT_SIZE])
{
	unsigned char	mac[crypto_auth_hmacsha256_BYTES];

	token_hmac(secret, secret_len, "csrf", session_token, mac);
	sodium_bin2base64(out, TOKEN_TEXT_SIZE, mac, sizeof mac,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
token_equal(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

void
token_hash_hex(const char *token, size_t len, char out[TOKEN_HASH_HEX_SIZE])
{
	unsigned char	h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, len);
	sodium_bin2hex(out, TOKEN_HASH_HEX_SIZE, h, sizeof h);
}

void
token_digest_hex(const void *data, size_t len, char out[33])
{
	unsigned char	h[16];

	crypto_generichash(h, sizeof h, data, len, NULL, 0);
	sodium_bin2hex(out, 33, h, sizeof h);
}
