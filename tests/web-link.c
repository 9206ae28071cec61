/*
 * web-link.c - prints a subscriber's signed link as digest makes it
 * (links.h): web-link CONFIG ACTION EMAIL [ISSUED].  ISSUED is seconds
 * since the epoch (default: now), so a test can make an old link.  The
 * 8xxx tests use it for the links that the digests carry, and as the
 * start of the tokens they tamper with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "config.h"
#include "links.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct config *config = NULL;
	struct links *links = NULL;
	char *problems = NULL, *url;
	long issued = (long)time(NULL);

	if (argc < 4 || argc > 5 ||
	    (argc == 5 && util_parse_long(argv[4], 0, 1L << 40, &issued))) {
		fprintf(stderr,
			"usage: web-link CONFIG ACTION EMAIL [ISSUED]\n");
		return 64;
	}
	if (config_load(argv[1], &config, &problems) != CONFIG_OK) {
		fprintf(stderr, "%s", problems);
		free(problems);
		return 78;
	}
	if (links_open(config, &links, &problems) != LINKS_OK) {
		fprintf(stderr, "web-link: %s\n",
			problems ? problems : "no [web] base_url");
		free(problems);
		config_free(config);
		return 78;
	}
	url = links_url(links, argv[2], argv[3], (time_t)issued);
	printf("%s\n", url);
	free(url);
	links_free(links);
	config_free(config);
	return 0;
}
