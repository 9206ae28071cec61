# 3xxx: the mustache engine (template_parse.c, template_render.c) and its
# value tree (value.c).

# render-template renders one case of tests/data/template/ for 3001.
add_executable(render-template ${DIGEST_TEST_DIR}/render-template.c)
target_link_libraries(render-template PRIVATE digestcore PkgConfig::CJSON)

digest_script_test(3001-template-cases 3001-template-cases.sh)
digest_c_test(3002-template-api ${DIGEST_TEST_DIR}/3002-template-api.c)
