/*
 * conf_check: loads a configuration the way podbgpd -n will, for the golden
 * tests until the daemon exists. Errors go to stderr (exit 1); with -v the
 * normalised configuration goes to stdout. -R prints the run-state
 * directory compiled into the defaults, so run.sh can hide it from the
 * expected output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

static void
usage(void)
{
	fprintf(stderr, "usage: conf_check [-v] FILE\n"
	    "       conf_check -R\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct conf_errors	 errs;
	struct conf		*c;
	int			 ch, verbose = 0, rc = 0;

	while ((ch = getopt(argc, argv, "Rv")) != -1) {
		switch (ch) {
		case 'R':
			printf("%s\n", RUNSTATEDIR);
			return 0;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if ((c = conf_load(argv[optind], &errs)) == NULL) {
		conf_errors_print(stderr, &errs);
		if (errs.n == 0)
			fprintf(stderr, "%s: out of memory\n", argv[optind]);
		return 1;
	}
	if (verbose && conf_write(stdout, c) == -1) {
		fprintf(stderr, "conf_check: cannot write the configuration\n");
		rc = 1;
	}
	conf_free(c);
	return rc;
}
