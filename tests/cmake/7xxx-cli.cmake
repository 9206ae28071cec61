digest_script_test(7001-items 7001-items.py)
digest_script_test(7002-preview 7002-preview.py)
digest_script_test(7003-send 7003-send.py)
digest_script_test(7004-send-midnight 7004-send-midnight.py)
digest_script_test(7005-unsubscribe-url 7005-unsubscribe-url.py)
# valgrind cannot run a sanitizer build: there ASan and LSan do its work.
if(NOT DIGEST_SANITIZE AND NOT DIGEST_FUZZ)
  digest_script_test(7900-valgrind 7900-valgrind.sh)
endif()
