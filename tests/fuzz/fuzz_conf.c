/*
 * libFuzzer target for the configuration loader: any bytes must give a
 * struct conf or error messages, never a crash, a leak or a hang. When a
 * config loads, its normalised form must load again to an equal struct.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors	 errs;
	struct conf		*c, *again;
	char			*out = NULL;
	size_t			 len = 0;
	FILE			*f;

	if ((c = conf_load_buf("fuzz.yaml", data, size, &errs)) == NULL)
		return 0;
	if ((f = open_memstream(&out, &len)) != NULL) {
		if (conf_write(f, c) == 0 && fclose(f) == 0) {
			again = conf_load_buf("fuzz.ok", out, len, &errs);
			if (again == NULL || !conf_equal(c, again))
				abort();	/* the writer lost something */
			conf_free(again);
		}
		free(out);
	}
	conf_free(c);
	return 0;
}
