/*
 * Runs a libFuzzer target over files without libFuzzer, so every corpus is
 * replayed by `make check` with gcc (and under the sanitizers in CI).
 * Arguments are files or directories; with none, FUZZ_CORPUS is used.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
run_file(const char *path)
{
	FILE		*f;
	uint8_t		*d;
	long		 n;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1) {
		fclose(f);
		return -1;
	}
	/* exact-size allocation so ASan sees any read past the input */
	if ((d = malloc(n > 0 ? (size_t)n : 1)) == NULL ||
	    fread(d, 1, (size_t)n, f) != (size_t)n) {
		free(d);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(d, (size_t)n);
	free(d);
	return 0;
}

static int
run_path(const char *path, unsigned *count)
{
	struct stat	 st;
	struct dirent	**ents;
	char		 sub[4096];
	int		 i, n, rc = 0;

	if (stat(path, &st) == -1) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	if ((n = scandir(path, &ents, NULL, alphasort)) == -1) {
		perror(path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path,
			    ents[i]->d_name);
			if (run_path(sub, count) == -1)
				rc = -1;
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned	count = 0;
	int		i, rc = 0;

	if (argc < 2)
		rc = run_path(FUZZ_CORPUS, &count);
	for (i = 1; i < argc; i++)
		if (run_path(argv[i], &count) == -1)
			rc = -1;
	printf("%s: replayed %u inputs\n", argv[0], count);
	if (count == 0)
		rc = -1;
	return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
