# The feed parser (digest/feed*.c).
digest_c_test(2001-feed-rss2 2001-feed-rss2.c)
digest_c_test(2002-feed-atom 2002-feed-atom.c)
digest_c_test(2003-feed-rdf 2003-feed-rdf.c)
digest_c_test(2004-feed-date 2004-feed-date.c)
digest_c_test(2005-feed-html 2005-feed-html.c)
digest_c_test(2006-feed-hostile 2006-feed-hostile.c)
digest_c_test(2007-feed-shapes 2007-feed-shapes.c)
# The time module on its own (datetime.c), whose reader serves the feeds.
digest_c_test(2008-datetime 2008-datetime.c)
