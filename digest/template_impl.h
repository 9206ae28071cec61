/*
 * template_impl.h - the parsed form of a template, shared by the parser
 * (template_parse.c) and the renderer (template_render.c).  Private to the
 * engine: template.h stays its whole contract.
 *
 * A template is a flat array of nodes.  A section node records where its
 * children end, so rendering walks the array and never looks at the source
 * again: the cost of a render is the size of its output plus one name
 * lookup per tag.
 */
#ifndef DIGEST_TEMPLATE_IMPL_H
#define DIGEST_TEMPLATE_IMPL_H

#include <stddef.h>

#include "template.h"

enum node_kind {
	NODE_TEXT,
	NODE_VARIABLE,
	NODE_RAW,
	NODE_SECTION,
	NODE_INVERTED,
	NODE_PARTIAL
};

/*
 * One step of a render.  TEXT: offset/length into template->text.
 * VARIABLE, RAW, SECTION, INVERTED: offset into template->names, where the
 * dotted name is stored as its parts, each NUL-terminated, and length is
 * the number of parts (0 for the implicit iterator ".").  PARTIAL: offset of
 * the NUL-terminated name in template->names, and the indentation as a
 * span of template->text.  SECTION, INVERTED: end is the index of the first
 * node after the section's children.
 */
struct node {
	enum node_kind kind;
	size_t line;
	size_t offset;
	size_t length;
	size_t end;
	size_t indent_offset;
	size_t indent_length;
};

struct template
{
	char *text; /* a private copy of the source, NUL-terminated */
	size_t size;
	char *origin;
	struct node *nodes;
	size_t node_count;
	char *names;
};

#endif
