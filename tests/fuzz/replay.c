/*
 * replay.c - runs a fuzz target over saved inputs, without libFuzzer.
 *
 * Linked with one fuzz_*.c, this is how gcc and sanitizer builds use the
 * corpus as a regression test: every file named on the command line, or
 * found (recursively, in name order) in a directory named there, goes
 * through LLVMFuzzerTestOneInput once.  A crash or a broken invariant
 * aborts the process, so reaching the end means every input passed; an
 * input that cannot be read counts as failed, and so does replaying no
 * input at all (an empty corpus tests nothing).
 *
 * It ends with "replayed N inputs, N failed", not the test programs'
 * "N passed, N failed": `make test` counts a target as one case and
 * its inputs apart (tests/tally.sh).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static unsigned long	replay_passed;
static unsigned long	replay_failed;

static void	replay_path(const char *);
static void	replay_dir(const char *);
static void	replay_file(const char *);
static int	replay_read(const char *, uint8_t **, size_t *);

/*
 * Reads the whole file into a buffer of exactly its size, so that ASan
 * sees a read past the end of the input.
 */
static int
replay_read(const char *path, uint8_t **out, size_t *outlen)
{
	FILE	*f;
	uint8_t	*buf = NULL, *nbuf;
	size_t	 len = 0, size = 0, n;
	int	 saved;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	for (;;) {
		if (len == size) {
			size = size == 0 ? 4096 : size * 2;
			if ((nbuf = realloc(buf, size)) == NULL)
				goto fail;
			buf = nbuf;
		}
		n = fread(buf + len, 1, size - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);

	/* At least one byte: malloc(0) may return NULL. */
	if ((nbuf = malloc(len == 0 ? 1 : len)) == NULL) {
		free(buf);
		return -1;
	}
	memcpy(nbuf, buf, len);
	free(buf);
	*out = nbuf;
	*outlen = len;
	return 0;

fail:
	/* Report the read error, not what fclose() may leave behind. */
	saved = errno;
	free(buf);
	fclose(f);
	errno = saved;
	return -1;
}

static void
replay_file(const char *path)
{
	uint8_t	*data;
	size_t	 len;

	if (replay_read(path, &data, &len) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		replay_failed++;
		return;
	}
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	replay_passed++;
}

static void
replay_dir(const char *path)
{
	struct dirent	**names;
	char		 *sub;
	int		  n, i;

	if ((n = scandir(path, &names, NULL, alphasort)) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		replay_failed++;
		return;
	}
	for (i = 0; i < n; i++) {
		/* Skip ".", ".." and hidden files (editor droppings). */
		if (names[i]->d_name[0] != '.') {
			if (asprintf(&sub, "%s/%s", path,
			    names[i]->d_name) == -1) {
				perror("asprintf");
				exit(1);
			}
			replay_path(sub);
			free(sub);
		}
		free(names[i]);
	}
	free(names);
}

static void
replay_path(const char *path)
{
	struct stat	sb;

	if (stat(path, &sb) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		replay_failed++;
		return;
	}
	if (S_ISDIR(sb.st_mode))
		replay_dir(path);
	else
		replay_file(path);
}

int
main(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++)
		replay_path(argv[i]);
	if (replay_passed + replay_failed == 0)
		fputs("no inputs: an empty corpus tests nothing\n", stderr);
	printf("replayed %lu inputs, %lu failed\n",
	    replay_passed + replay_failed, replay_failed);
	return replay_failed == 0 && replay_passed > 0 ? 0 : 1;
}
