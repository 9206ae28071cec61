/*
 * subscriber.c - see subscriber.h.
 */
#include "subscriber.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
subscriber_clear(struct subscriber *subscriber)
{
	if (subscriber == NULL)
		return;
	free(subscriber->email);
	free(subscriber->name);
	free(subscriber->provider);
	free(subscriber->language);
	memset(subscriber, 0, sizeof *subscriber);
}

void
subscriber_list_clear(struct subscriber_list *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->count; i++)
		subscriber_clear(&list->subscribers[i]);
	free(list->subscribers);
	list->subscribers = NULL;
	list->count = 0;
}

const char *
subscriber_format_name(enum subscriber_format format)
{
	switch (format) {
	case SUBSCRIBER_FORMAT_BOTH:
		return "both";
	case SUBSCRIBER_FORMAT_TEXT:
		return "text";
	case SUBSCRIBER_FORMAT_HTML:
		return "html";
	}
	return NULL;
}

int
subscriber_format_parse(const char *text, enum subscriber_format *format_out)
{
	if (text == NULL)
		return -1;
	if (util_strcasecmp(text, "both") == 0)
		*format_out = SUBSCRIBER_FORMAT_BOTH;
	else if (util_strcasecmp(text, "text") == 0)
		*format_out = SUBSCRIBER_FORMAT_TEXT;
	else if (util_strcasecmp(text, "html") == 0)
		*format_out = SUBSCRIBER_FORMAT_HTML;
	else
		return -1;
	return 0;
}

const char *
subscriber_language_parse(const char *text)
{
	if (text == NULL)
		return NULL;
	if (util_strcasecmp(text, "nl") == 0)
		return "nl";
	if (util_strcasecmp(text, "en") == 0)
		return "en";
	return NULL;
}

const char *
subscriber_clean_name(const char *name, char **name_out)
{
	char *copy = xstrdup(name), *cursor;
	const char *problem = NULL;

	*name_out = NULL;
	/* A spreadsheet cell may hold a line break or a tab: a space. */
	for (cursor = copy; *cursor; cursor++)
		if (*cursor == '\n' || *cursor == '\r' || *cursor == '\t')
			*cursor = ' ';
	util_trim(copy);
	for (cursor = copy; *cursor && problem == NULL; cursor++)
		if ((unsigned char)*cursor < 0x20 || *cursor == 0x7f)
			problem = "name contains a control character";
	if (problem == NULL && !util_utf8_valid(copy, strlen(copy)))
		problem = "name is not valid UTF-8";
	if (problem == NULL && copy[0] != '\0') {
		*name_out = copy;
		copy = NULL;
	}
	free(copy);
	return problem;
}
