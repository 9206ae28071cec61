digest_script_test(7001-items 7001-items.py)
digest_script_test(7002-preview 7002-preview.py)
digest_script_test(7003-send 7003-send.py)
# Journal and locks under SIGKILL, a full disk, retries, failing addresses.
digest_script_test(7004-send-crash 7004-send-crash.py)
digest_script_test(7005-send-faults 7005-send-faults.py)
digest_script_test(7006-send-smtp-faults 7006-send-smtp-faults.py)
digest_script_test(7007-send-conditional 7007-send-conditional.py)
# Each provider's List-Id, unsubscribe address and footer; signed links that
# verify with the key; "Kies je webmail" once, then never.
digest_script_test(7008-send-providers 7008-send-providers.py)
# The digest's day is the day in the configured time zone.
digest_script_test(7009-send-midnight 7009-send-midnight.py)
# The progress line on a terminal, and none under cron.
digest_script_test(7010-send-progress 7010-send-progress.py)
# valgrind cannot run a sanitizer build: there ASan and LSan do its work.
if(NOT DIGEST_SANITIZE AND NOT DIGEST_FUZZ)
  digest_script_test(7900-valgrind 7900-valgrind.sh)
endif()
