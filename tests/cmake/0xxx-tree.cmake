# 0xxx: the tree itself.
digest_script_test(0001-format 0001-format.sh)
# The install builds a tree of its own (plain, no sanitizer): run it once,
# in the normal build, not again under ASan.
if(NOT DIGEST_SANITIZE)
  digest_script_test(0002-install 0002-install.sh)
endif()
digest_script_test(0003-man 0003-man.sh)
digest_script_test(0004-dist 0004-dist.sh)
digest_script_test(0005-shape 0005-shape.sh)
