/*
 * libFuzzer target for the control protocol's grammar: any request line
 * must parse or give an error text, never a crash; a parsed command must
 * be a known one with bounded names, and its name must parse again to the
 * same command (what podbgpctl's help and errors print is valid input).
 * Any reply line must split or be refused.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cmd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_cmd	 c, again;
	char		 line[CTL_LINE_MAX + 64], err[CTL_ERR_LEN];
	const char	*text;
	unsigned	 code;
	bool		 last;

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = '\0';
	if (ctl_cmd_parse(line, &c, err, sizeof(err)) == 0) {
		if (c.id >= CTL_CMD_MAX || strlen(c.name) > CTL_NAME_MAX ||
		    strlen(c.proto) > CTL_NAME_MAX)
			abort();
		/* the full name of a command without arguments parses */
		if (ctl_cmd_parse(ctl_cmd_name(c.id), &again, err,
		    sizeof(err)) == 0 && again.id != c.id)
			abort();
	} else if (err[0] == '\0' || strlen(err) >= sizeof(err))
		abort();
	if (ctl_reply_parse(line, &code, &last, &text) == 0 &&
	    (code > 9999 || text != line + 5))
		abort();
	return 0;
}
