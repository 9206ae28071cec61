digest_script_test(7001-items 7001-items.py)
digest_script_test(7002-preview 7002-preview.py)
digest_script_test(7003-send 7003-send.py)
digest_script_test(7900-valgrind 7900-valgrind.sh)
