# 0xxx: the tree itself.
digest_script_test(0001-format 0001-format.sh)
