/*
 * fuzz_config.c - libFuzzer target for config_load(): iniparser and our
 * validation of every section and key, on arbitrary bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct config *config = NULL;
	char *problems = NULL;
	FILE *file;

	/* config_load() reads a path, so the input goes through a file. */
	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/fuzz-config-%ld.ini",
			 (long)getpid());
	file = fopen(path, "wb");
	if (file == NULL)
		return 0;
	if (fwrite(data, 1, size, file) != size) {
		fclose(file);
		return 0;
	}
	if (fclose(file) != 0)
		return 0;
	config_load(path, &config, &problems);
	config_free(config);
	free(problems);
	return 0;
}
