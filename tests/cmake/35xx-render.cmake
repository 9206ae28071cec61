# 35xx: rendering the digest (render*.c, words.c, wrap.c and the shipped
# templates).
digest_c_test(3501-render-time 3501-render-time.c)
digest_c_test(3502-render-wrap 3502-render-wrap.c)
digest_c_test(3503-render-shorten 3503-render-shorten.c)
# Golden files in tests/data/render; DIGEST_UPDATE_GOLDEN=1 rewrites them.
digest_c_test(3510-render-golden 3510-render-golden.c)
# HTML well-formed (libxml2), text within 72 columns and entity-free.
digest_c_test(3511-render-check 3511-render-check.c)
digest_c_test(3512-render-errors 3512-render-errors.c)
# One renderer, many renders: the items cache against fresh renderers.
digest_c_test(3513-render-cache 3513-render-cache.c)
# Bullet lines in summaries: real lists in HTML, hanging lines in text.
digest_c_test(3514-render-lists 3514-render-lists.c)
# The shipped templates on the demo feeds through `digest preview`.
digest_script_test(3520-preview-golden 3520-preview-golden.py)
# WCAG AA contrast of every text and background pair of the shipped HTML
# template, light and dark.
digest_script_test(3530-html-contrast 3530-html-contrast.py)
