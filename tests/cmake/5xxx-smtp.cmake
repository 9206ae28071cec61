# 5xxx: delivering messages (transport*.c).  5001 tests what needs no server
# and is the client the scripts drive; each script starts its own SMTP
# server (tests/lib/smtpserver.py) on a free 127.0.0.1 port and stops it.
digest_c_test(5001-transport 5001-transport.c)
foreach(script
    5002-smtp-plain 5003-smtp-starttls 5004-smtp-implicit 5005-smtp-auth
    5006-smtp-reject 5007-smtp-tempfail 5008-smtp-down
    5009-smtp-no-starttls 5010-smtp-tls-mismatch 5011-smtp-reuse
    5012-transport-stdout 5013-smtp-drop 5014-smtp-slow-final
    5015-smtp-greeting 5016-smtp-slow-reply 5017-smtp-crash 5018-smtp-quit
    5019-smtp-connect-timeout 5020-smtp-timeout-config 5021-smtp-out-of-step
    5023-smtp-reply-codes)
  digest_script_test(${script} ${script}.py)
  set_property(TEST ${script} APPEND PROPERTY DEPENDS 5001-transport)
endforeach()
# valgrind cannot run a sanitizer build: there ASan and LSan do its work.
if(NOT DIGEST_SANITIZE AND NOT DIGEST_FUZZ)
  digest_script_test(5022-smtp-valgrind 5022-smtp-valgrind.py)
  set_property(TEST 5022-smtp-valgrind APPEND PROPERTY DEPENDS 5001-transport)
endif()
