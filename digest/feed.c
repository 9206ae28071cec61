/*
 * feed.c - reading a feed document: the hardened push parser, the encoding
 * fallback, what kind of feed the root says it is, and feed_parse().
 *
 * The document is parsed into a libxml2 tree with the network off, no
 * external entity or DTD loading and no entity substitution.  Entities
 * declared in the document stay references in the tree; feed_element.c
 * expands them under a byte budget, so an expansion bomb fails instead of
 * eating memory.  Each item is read as soon as its end tag arrives and its
 * subtree freed.  Items are built in a private list and handed over only
 * when the whole feed was read, so a failure appends nothing.
 */
#include "feed_impl.h"
#include "util.h"

#include <pthread.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/* Feeds bigger than this are refused before parsing.  It is at least the
 * largest [fetch] max_size that config.c accepts. */
#define FEED_MAX_SIZE ((size_t)64 * 1024 * 1024)
/* Bytes that expanding the document's own entities may add, beyond its
 * size; a few harmless entities fit, a bomb does not. */
#define FEED_EXPANSION_ALLOWANCE ((size_t)1024 * 1024)
/* Longest libxml2 message we quote in an error. */
#define FEED_MESSAGE_MAX 160
/* Chunks keep libxml2 from copying the whole feed at once. */
#define FEED_CHUNK_SIZE ((size_t)256 * 1024)

static pthread_once_t feed_init_once = PTHREAD_ONCE_INIT;

static xmlParserInputPtr
feed_refuse_entity_loader(const char *url, const char *public_id,
			  xmlParserCtxtPtr parser)
{
	/* A feed may not make us open files or URLs: refuse them all. */
	(void)url;
	(void)public_id;
	(void)parser;
	return NULL;
}

/*
 * What bytes 0x80 to 0x9F mean in windows-1252 as the WHATWG encoding
 * standard defines it.  The five bytes Microsoft left undefined stand for
 * the C1 control of the same number, so no byte is an error.
 */
static const unsigned short feed_cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

/*
 * The names a document may give windows-1252 under the WHATWG standard:
 * a browser reads a page labelled ISO-8859-1 or US-ASCII as windows-1252,
 * so the quotes and the euro sign of bytes 0x80 to 0x9F come out right.
 */
static const char *const feed_cp1252_labels[] = {"ansi_x3.4-1968",
						 "ascii",
						 "cp1252",
						 "cp819",
						 "csisolatin1",
						 "ibm819",
						 "iso-8859-1",
						 "iso-ir-100",
						 "iso8859-1",
						 "iso88591",
						 "iso_8859-1",
						 "iso_8859-1:1987",
						 "l1",
						 "latin1",
						 "us-ascii",
						 "x-cp1252"};

/*
 * libxml2's decoder callback: windows-1252 in, UTF-8 out, as much as fits.
 * Returns the bytes written; *inlen and *outlen say how many were read
 * and written.
 */
static int
feed_cp1252_to_utf8(unsigned char *out, int *outlen, const unsigned char *in,
		    int *inlen)
{
	int read = 0;
	int written = 0;

	while (read < *inlen) {
		unsigned int code = in[read];

		if (code >= 0x80 && code < 0xA0)
			code = feed_cp1252_high[code - 0x80];
		if (code < 0x80) {
			if (written + 1 > *outlen)
				break;
			out[written++] = (unsigned char)code;
		} else if (code < 0x800) {
			if (written + 2 > *outlen)
				break;
			out[written++] = (unsigned char)(0xC0 | (code >> 6));
			out[written++] = (unsigned char)(0x80 | (code & 0x3F));
		} else {
			if (written + 3 > *outlen)
				break;
			out[written++] = (unsigned char)(0xE0 | (code >> 12));
			out[written++] =
			    (unsigned char)(0x80 | ((code >> 6) & 0x3F));
			out[written++] = (unsigned char)(0x80 | (code & 0x3F));
		}
		read++;
	}
	*inlen = read;
	*outlen = written;
	return written;
}

static void
feed_init(void)
{
	size_t index;

	xmlInitParser();
	/* Only feed*.c use libxml2, so the process-wide loader, decoders
	 * and encoding names are ours. */
	xmlSetExternalEntityLoader(feed_refuse_entity_loader);
	/* A registered decoder comes before libxml2's own and iconv's, and
	 * the labels lead to it; the handler lives as long as the process. */
	if (xmlNewCharEncodingHandler("windows-1252", feed_cp1252_to_utf8,
				      NULL) == NULL)
		return;
	for (index = 0;
	     index < sizeof(feed_cp1252_labels) / sizeof(feed_cp1252_labels[0]);
	     index++)
		xmlAddEncodingAlias("windows-1252", feed_cp1252_labels[index]);
}

static void
feed_on_error(void *context, xmlErrorPtr error)
{
	struct feed_parse_state *state = context;

	if (state == NULL || error == NULL || !state->collecting ||
	    state->first_error != NULL || error->level < XML_ERR_ERROR)
		return;
	state->first_error =
	    xstrdup(error->message != NULL ? error->message : "unknown error");
	state->first_error_line = error->line;
	state->first_error_code = error->code;
}

static void
feed_quiet_generic(void *context, const char *message, ...)
{
	(void)context;
	(void)message;
}

static xmlParserInputPtr
feed_refuse_resolve(void *context, const xmlChar *public_id,
		    const xmlChar *system_id)
{
	(void)context;
	(void)public_id;
	(void)system_id;
	return NULL;
}

static void
feed_skip_external_subset(void *context, const xmlChar *name,
			  const xmlChar *external_id, const xmlChar *system_id)
{
	(void)context;
	(void)name;
	(void)external_id;
	(void)system_id;
}

/*
 * Makes a libxml2 message fit for an error string: one line, printable
 * ASCII, bounded length.  Returns a new string (free()).
 */
static char *
feed_clean_message(const char *message)
{
	struct buf clean = BUF_INIT;
	size_t index;

	for (index = 0; message[index] != '\0'; index++) {
		unsigned char byte = (unsigned char)message[index];

		if (clean.length >= FEED_MESSAGE_MAX) {
			buf_puts(&clean, "...");
			break;
		}
		if (byte == '\n' || byte == '\r' || byte == '\t')
			byte = ' ';
		buf_putc(&clean,
			 byte >= 0x20 && byte < 0x7F ? (char)byte : '?');
	}
	while (clean.length > 0 && clean.data[clean.length - 1] == ' ')
		clean.data[--clean.length] = '\0';
	return buf_detach(&clean);
}

/* True when the start of the data looks like an HTML page. */
static int
feed_looks_like_html(const char *data, size_t size)
{
	size_t limit = size < 2048 ? size : 2048;
	size_t index;

	for (index = 0; index < limit; index++) {
		size_t left = limit - index;

		if (data[index] != '<')
			continue;
		if (left >= 14 &&
		    util_strncasecmp(data + index, "<!doctype html", 14) == 0)
			return 1;
		if (left >= 5 &&
		    util_strncasecmp(data + index, "<html", 5) == 0)
			return 1;
	}
	return 0;
}

/* True when the data holds nothing but whitespace (and perhaps a BOM). */
static int
feed_is_blank(const char *data, size_t size)
{
	size_t index = 0;

	if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		index = 3;
	for (; index < size; index++) {
		if (data[index] != ' ' && data[index] != '\t' &&
		    data[index] != '\r' && data[index] != '\n')
			return 0;
	}
	return 1;
}

/* What the root element says the document is. */
static enum feed_kind
feed_kind_of(xmlNodePtr root)
{
	if (root == NULL)
		return FEED_KIND_OTHER;
	/* RSS 2.0 has no namespace, but some feeds put it in Userland's. */
	if (feed_element_is(root, FEED_VOCAB_RSS, "rss"))
		return FEED_KIND_RSS;
	if (feed_element_is(root, FEED_VOCAB_RDF, "RDF"))
		return FEED_KIND_RSS;
	if (feed_element_is(root, FEED_VOCAB_ATOM, "feed"))
		return FEED_KIND_ATOM;
	return FEED_KIND_OTHER;
}

/*
 * Reads element into an item when it is one: an RSS item in the root or
 * its channel, or an Atom entry in the feed.  Returns 1 when it was.
 */
static int
feed_take_item(struct feed_parse_state *state, xmlNodePtr element)
{
	xmlNodePtr root = xmlDocGetRootElement(state->document);
	xmlNodePtr parent = element->parent;

	if (state->kind == FEED_KIND_UNKNOWN)
		state->kind = feed_kind_of(root);
	if (parent == NULL || element == root)
		return 0;
	if (state->kind == FEED_KIND_RSS &&
	    feed_element_is(element, FEED_VOCAB_RSS, "item") &&
	    (parent == root ||
	     (parent->parent == root &&
	      feed_element_is(parent, FEED_VOCAB_RSS, "channel")))) {
		feed_rss_read_item(state, element);
		return 1;
	}
	if (state->kind == FEED_KIND_ATOM &&
	    feed_element_is(element, FEED_VOCAB_ATOM, "entry") &&
	    parent == root) {
		feed_atom_read_entry(state, element);
		return 1;
	}
	return 0;
}

/*
 * Replaces libxml2's end-of-element callback: an item is read as soon as
 * it is complete and its subtree freed, so the tree never holds more than
 * one item's content and memory stays flat however long the feed.
 */
static void
feed_on_end_element(void *context, const xmlChar *local_name,
		    const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxtPtr parser = context;
	struct feed_parse_state *state = parser->_private;
	xmlNodePtr element = parser->node;
	int taken = 0;

	if (element != NULL && parser->myDoc != NULL && parser->wellFormed &&
	    !state->expansion_exceeded) {
		state->document = parser->myDoc;
		/* Errors from here on are the HTML converter's, not the
		 * feed's. */
		state->collecting = 0;
		taken = feed_take_item(state, element);
		state->collecting = 1;
	}
	xmlSAX2EndElementNs(context, local_name, prefix, uri);
	if (taken) {
		/* The empty element stays: libxml2 keeps state about the last
		 * child of the parent to merge text into, and unlinking the
		 * item would make a stale text node that child. */
		xmlFreeNodeList(element->children);
		element->children = NULL;
		element->last = NULL;
		/* What came before it (the previous item, emptied, and the
		 * white space between) is done with: freed, so that a long
		 * feed leaves no trail of empty nodes. */
		while (element->prev != NULL) {
			xmlNodePtr done = element->prev;

			xmlUnlinkNode(done);
			xmlFreeNode(done);
		}
	}
	if (state->expansion_exceeded)
		xmlStopParser(parser);
}

/* Forgets what an earlier attempt at the same document left in state. */
static void
feed_read_reset(struct feed_parse_state *state, size_t size)
{
	free(state->first_error);
	state->first_error = NULL;
	state->first_error_line = 0;
	state->first_error_code = 0;
	feed_item_list_clear(&state->items);
	state->kind = FEED_KIND_UNKNOWN;
	state->document = NULL;
	state->expansion_left = size + FEED_EXPANSION_ALLOWANCE;
	state->expansion_exceeded = 0;
	state->collecting = 1;
}

/*
 * Makes a push parser that has seen the first head bytes of data, with our
 * options and callbacks; encoding overrides the prolog when given.  Returns
 * it (xmlFreeParserCtxt()), or NULL with state->first_error set.
 */
static xmlParserCtxtPtr
feed_parser_new(struct feed_parse_state *state, const char *data, size_t head,
		const char *base_url, const char *encoding)
{
	int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
	xmlParserCtxtPtr parser;

	parser = xmlCreatePushParserCtxt(NULL, NULL, data, (int)head, base_url);
	if (parser == NULL || parser->sax == NULL) {
		state->first_error = xstrdup("out of memory");
		goto fail;
	}
	if (encoding != NULL) {
		if (xmlCtxtResetPush(parser, data, (int)head, base_url,
				     encoding) != 0) {
			state->first_error = xstrdup("unknown encoding");
			goto fail;
		}
		options |= XML_PARSE_IGNORE_ENC;
	}
	xmlCtxtUseOptions(parser, options);
	parser->_private = state;
	/* Belt and braces next to the refusing loader: no DTD, no entity
	 * from outside, whatever the options say. */
	parser->sax->resolveEntity = feed_refuse_resolve;
	parser->sax->externalSubset = feed_skip_external_subset;
	parser->sax->endElementNs = feed_on_end_element;
	return parser;
fail:
	if (parser != NULL)
		xmlFreeParserCtxt(parser);
	return NULL;
}

/* Hands the parser the rest of the document, then its end. */
static void
feed_read_chunks(struct feed_parse_state *state, xmlParserCtxtPtr parser,
		 const char *data, size_t size)
{
	xmlParserInputState before;
	size_t offset;

	for (offset = 0; offset < size; offset += FEED_CHUNK_SIZE) {
		size_t length = size - offset < FEED_CHUNK_SIZE
				    ? size - offset
				    : FEED_CHUNK_SIZE;

		xmlParseChunk(parser, data + offset, (int)length, 0);
		if (!parser->wellFormed || parser->disableSAX)
			return;
	}
	before = parser->instate;
	xmlParseChunk(parser, NULL, 0, 1);
	/* libxml2 calls a document that just stops "extra content at the
	 * end"; say what happened instead. */
	if (state->first_error_code == XML_ERR_DOCUMENT_END &&
	    before != XML_PARSER_EPILOG && before != XML_PARSER_EOF) {
		free(state->first_error);
		state->first_error = xstrdup("premature end of data, the "
					     "document is truncated");
	}
}

/*
 * Parses data with the push parser, reading items as they complete.
 * Returns the (item-less) document (xmlFreeDoc()), or NULL with
 * state->first_error set.  encoding overrides the prolog when given.
 */
static xmlDocPtr
feed_read(struct feed_parse_state *state, const char *data, size_t size,
	  const char *base_url, const char *encoding)
{
	size_t head = size < 4 ? size : 4;
	xmlParserCtxtPtr parser;
	xmlDocPtr document = NULL;

	feed_read_reset(state, size);
	parser = feed_parser_new(state, data, head, base_url, encoding);
	if (parser == NULL)
		goto out;
	feed_read_chunks(state, parser, data + head, size - head);
	state->collecting = 0;
	document = parser->myDoc;
	parser->myDoc = NULL;
	/* A halted parser (an encoding error, say) may still look well
	 * formed: both flags must be clean. */
	if (document != NULL && (!parser->wellFormed || parser->disableSAX)) {
		xmlFreeDoc(document);
		document = NULL;
	}
	if (document == NULL && state->first_error == NULL)
		state->first_error = xstrdup("the parser gave up");
	xmlFreeParserCtxt(parser);
out:
	state->collecting = 0;
	state->document = document;
	return document;
}

/*
 * Says why a document that did not parse cannot be read.  Returns the
 * status and sets *errstr_out (free()).
 */
static enum feed_status
feed_explain_failure(const struct feed_parse_state *state, const char *data,
		     size_t size, char **errstr_out)
{
	char *message;

	if (state->expansion_exceeded) {
		*errstr_out = xstrdup("not well-formed XML: entity expansion "
				      "exceeds the limit");
		return FEED_EPARSE;
	}
	if (feed_looks_like_html(data, size)) {
		*errstr_out = xstrdup("not a feed: the document is HTML");
		return FEED_ENOTFEED;
	}
	message = feed_clean_message(state->first_error);
	*errstr_out = xasprintf("not well-formed XML at line %d: %s",
				state->first_error_line, message);
	free(message);
	return FEED_EPARSE;
}

/*
 * Checks that a parsed document is a feed.  Returns FEED_OK, or a status
 * with *errstr_out (free()).
 */
static enum feed_status
feed_check_root(xmlDocPtr document, char **errstr_out)
{
	xmlNodePtr root = xmlDocGetRootElement(document);

	if (root == NULL) {
		*errstr_out = xstrdup("not well-formed XML: no root element");
		return FEED_EPARSE;
	}
	if (util_strcasecmp((const char *)root->name, "html") == 0) {
		*errstr_out = xstrdup("not a feed: the document is HTML");
		return FEED_ENOTFEED;
	}
	if (feed_kind_of(root) == FEED_KIND_OTHER) {
		*errstr_out = xasprintf("not a feed: the root element is "
					"<%.40s>",
					(const char *)root->name);
		return FEED_ENOTFEED;
	}
	return FEED_OK;
}

/*
 * Reads the document into state->items, every libxml2 message routed to
 * state and never to stderr.  Returns FEED_OK, or a status with
 * *errstr_out (free()).
 */
static enum feed_status
feed_read_document(struct feed_parse_state *state, const char *data,
		   size_t size, const char *base_url, char **errstr_out)
{
	xmlStructuredErrorFunc old_structured = xmlStructuredError;
	void *old_structured_context = xmlStructuredErrorContext;
	xmlGenericErrorFunc old_generic = xmlGenericError;
	void *old_generic_context = xmlGenericErrorContext;
	enum feed_status status;

	xmlSetStructuredErrorFunc(state, feed_on_error);
	xmlSetGenericErrorFunc(NULL, feed_quiet_generic);
	state->html = feed_html_converter_new();
	state->document = feed_read(state, data, size, base_url, NULL);
	if (state->document == NULL && state->first_error != NULL &&
	    strstr(state->first_error, "not proper UTF-8") != NULL) {
		/* Undeclared Latin-1 is the commonest lie; cp1252 covers it. */
		state->document =
		    feed_read(state, data, size, base_url, "windows-1252");
	}
	if (state->document == NULL || state->expansion_exceeded)
		status = feed_explain_failure(state, data, size, errstr_out);
	else
		status = feed_check_root(state->document, errstr_out);
	xmlSetStructuredErrorFunc(old_structured_context, old_structured);
	xmlSetGenericErrorFunc(old_generic_context, old_generic);
	return status;
}

enum feed_status
feed_parse(const char *data, size_t size, const char *base_url,
	   const char *source_name, struct item_list *list, char **errstr_out)
{
	struct feed_parse_state state;
	enum feed_status status;
	char *errstr = NULL;

	memset(&state, 0, sizeof(state));
	state.source_name = source_name;
	if (data == NULL || feed_is_blank(data, size)) {
		status = FEED_EPARSE;
		errstr = xstrdup("not well-formed XML: the document is empty");
		goto out;
	}
	if (size > FEED_MAX_SIZE) {
		status = FEED_ETOOBIG;
		errstr = xasprintf("feed larger than %zu MiB",
				   FEED_MAX_SIZE / (1024 * 1024));
		goto out;
	}
	pthread_once(&feed_init_once, feed_init);
	status = feed_read_document(&state, data, size, base_url, &errstr);
	if (status == FEED_OK)
		feed_item_list_take(list, &state.items);
out:
	feed_item_list_clear(&state.items);
	feed_html_converter_free(state.html);
	if (state.document != NULL)
		xmlFreeDoc(state.document);
	free(state.first_error);
	if (errstr_out != NULL)
		*errstr_out = errstr;
	else
		free(errstr);
	return status;
}
