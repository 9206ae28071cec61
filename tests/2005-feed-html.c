/*
 * 2005-feed-html - feed_html_to_text(): block elements to breaks,
 * paragraphs as blank lines, lists, entities, script and style dropped,
 * whitespace collapsed and trimmed.
 */
#include "2000-feed-test.h"

struct html_case {
	const char *html;
	const char *text;
};

static const struct html_case html_cases[] = {
    {"", ""},
    {"   \n\t ", ""},
    {"Gewone tekst zonder opmaak.", "Gewone tekst zonder opmaak."},
    {"  veel    witruimte \n\n hier  ", "veel witruimte hier"},
    {"<p>Eerste alinea.</p><p>Tweede alinea.</p>",
     "Eerste alinea.\n\nTweede alinea."},
    {"<p>Een</p>\n\n\n<p></p><p>  </p><p>Twee</p>", "Een\n\nTwee"},
    {"regel een<br>regel twee<br/><br />regel drie",
     "regel een\nregel twee\nregel drie"},
    {"<div>blok</div><div>nog een blok</div>", "blok\nnog een blok"},
    {"<h2>Kop</h2>Tekst na de kop", "Kop\n\nTekst na de kop"},
    {"<h1>A</h1><h3>B</h3><h6>C</h6>", "A\n\nB\n\nC"},
    {"<p>Lijst:</p><ul><li>appels</li><li>peren</li></ul><p>Einde</p>",
     "Lijst:\n\n- appels\n- peren\n\nEinde"},
    {"<ol><li>een<li>twee</ol>", "- een\n- twee"},
    {"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr>"
     "</table>",
     "a b\nc d"},
    {"vooraf<script>var x = '<p>niet</p>';</script>achteraf", "voorafachteraf"},
    {"<style>p { color: red; }</style><p>Zichtbaar</p>", "Zichtbaar"},
    {"<p>Tom &amp; Jerry &lt;3 &quot;zo&quot; &#233;&#xE9; &euro;10</p>",
     "Tom & Jerry <3 \"zo\" \xc3\xa9\xc3\xa9 \xe2\x82\xac"
     "10"},
    {"a&nbsp;&nbsp;b", "a b"},
    {"caf\xc3\xa9 &mdash; na\xc3\xaf"
     "ef",
     "caf\xc3\xa9 \xe2\x80\x94 na\xc3\xaf"
     "ef"},
    {"<b>vet</b> en <i>schuin</i> en <a href=\"x\">link</a>",
     "vet en schuin en link"},
    {"<p>niet gesloten <b>vet", "niet gesloten vet"},
    {"<html><head><title>Weg</title></head><body><p>Blijft</p></body>"
     "</html>",
     "Blijft"},
    {"<!-- commentaar --><p>Na commentaar</p>", "Na commentaar"},
    {"<blockquote>Citaat</blockquote>Daarna", "Citaat\n\nDaarna"},
};

int
main(void)
{
	size_t index;

	for (index = 0; index < sizeof(html_cases) / sizeof(html_cases[0]);
	     index++) {
		const struct html_case *c = &html_cases[index];
		char *text = feed_html_to_text(c->html, strlen(c->html));

		CHECK_STR(text, c->text);
		free(text);
	}
	/* Only size bytes are read: the rest of the buffer is ignored. */
	{
		const char *html = "<p>kort</p><p>lang";
		char *text = feed_html_to_text(html, 11);

		CHECK_STR(text, "kort");
		free(text);
	}
	return feed_test_result();
}
