/*
 * 6002-csv.c - the RFC 4180 reader: quoting, escapes, line breaks inside
 * fields, CRLF, a byte order mark, line numbers and its refusals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "testcheck.h"
#include "util.h"

/*
 * Reads input and renders it as "LINE:[f1|f2]" per record, then "END" or
 * "ERR LINE: message", so one string compares the whole result.
 */
static char *
render(const char *input, size_t size)
{
	struct csv_reader reader;
	struct csv_record record;
	struct buf out = BUF_INIT;
	char *errstr = NULL;
	enum csv_status status;
	size_t index;

	csv_reader_init(&reader, input, size);
	for (;;) {
		status = csv_read_record(&reader, &record, &errstr);
		if (status == CSV_END) {
			buf_puts(&out, "END");
			break;
		}
		if (status == CSV_ESYNTAX) {
			buf_printf(&out, "ERR %zu: %s", record.line, errstr);
			free(errstr);
			csv_record_clear(&record);
			break;
		}
		buf_printf(&out, "%zu:[", record.line);
		for (index = 0; index < record.count; index++)
			buf_printf(&out, "%s%s", index ? "|" : "",
				   record.fields[index]);
		buf_puts(&out, "] ");
		csv_record_clear(&record);
	}
	return buf_detach(&out);
}

static void
expect(int line, const char *input, size_t size, const char *want)
{
	char *got = render(input, size);

	if (strcmp(got, want) != 0) {
		fprintf(stderr, "%s:%d: got  %s\n%*s want %s\n", __FILE__, line,
			got, (int)strlen(__FILE__) + 6, "", want);
		failures++;
	}
	free(got);
}

#define EXPECT(input, want) expect(__LINE__, input, sizeof input - 1, want)

int
main(void)
{
	EXPECT("", "END");
	EXPECT("a,b,c\n", "1:[a|b|c] END");
	EXPECT("a,b,c", "1:[a|b|c] END");
	EXPECT("a,b\r\nc,d\r\n", "1:[a|b] 2:[c|d] END");
	EXPECT("a,,\n", "1:[a||] END");
	/* Regression (found by fuzz_csv): a comma as the last byte read past
	 * the end of the input. */
	EXPECT("a,b,", "1:[a|b|] END");
	EXPECT(",\n", "1:[|] END");
	EXPECT("\"a,b\",c\n", "1:[a,b|c] END");
	EXPECT("\"say \"\"hi\"\"\",x\n", "1:[say \"hi\"|x] END");
	EXPECT("\"\"\n", "1:[] END");
	/* A quoted line break keeps the record going; lines still count. */
	EXPECT("\"one\ntwo\",x\nnext\n", "1:[one\ntwo|x] 3:[next] END");
	EXPECT("\"one\r\ntwo\"\r\nnext\r\n", "1:[one\ntwo] 3:[next] END");
	/* Blank lines are skipped but counted. */
	EXPECT("a\n\n\r\nb\n", "1:[a] 4:[b] END");
	EXPECT("\xEF\xBB\xBF"
	       "email\n",
	       "1:[email] END");
	EXPECT("J\xC3\xB6rg,x\n", "1:[J\xC3\xB6rg|x] END");
	/* A bare CR is data, not a line break. */
	EXPECT("a\rb\n", "1:[a\rb] END");

	EXPECT("a\n\"open,x\nmore\n", "1:[a] ERR 2: unclosed quoted field");
	EXPECT("\"a\"b\n", "ERR 1: text after the closing quote of a field");
	EXPECT("x\nab\"c\n", "1:[x] ERR 2: quote inside an unquoted field");
	EXPECT("x\n\xC3\x28\n", "1:[x] ERR 2: field is not valid UTF-8");
	EXPECT("\xC0\xAF\n", "ERR 1: field is not valid UTF-8");
	EXPECT("\xED\xA0\x80\n", "ERR 1: field is not valid UTF-8");
	EXPECT("\xF4\x90\x80\x80\n", "ERR 1: field is not valid UTF-8");
	EXPECT("\xE2\x82\n", "ERR 1: field is not valid UTF-8");
	EXPECT("a\0b\n", "ERR 1: NUL byte in a field");

	CHECK(util_utf8_valid("\xF0\x9F\x93\xB0", 4));
	CHECK(!util_utf8_valid("\xF0\x9F\x93", 3));
	CHECK(!util_utf8_valid("\xFF", 1));
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("6002-csv: all checks passed\n");
	return 0;
}
