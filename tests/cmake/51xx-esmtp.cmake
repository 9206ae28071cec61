# 51xx: the libESMTP transport (transport_esmtp*.c).  5101 tests what needs
# no server and is the client the scripts drive; each script starts its own
# SMTP server (tests/lib/smtpserver.py) on a free 127.0.0.1 port.
digest_c_test(5101-esmtp 5101-esmtp.c)
digest_c_test(5113-esmtp-socket 5113-esmtp-socket.c)
foreach(script
    5102-esmtp-plain 5103-esmtp-starttls 5104-esmtp-auth 5105-esmtp-refusals
    5106-esmtp-down 5107-esmtp-slow-final 5108-esmtp-crash 5109-esmtp-batch
    5110-esmtp-hook 5111-esmtp-timeouts)
  digest_script_test(${script} ${script}.py)
  set_property(TEST ${script} APPEND PROPERTY DEPENDS 5101-esmtp)
endforeach()
# valgrind cannot run a sanitizer build: there ASan and LSan do its work.
if(NOT DIGEST_SANITIZE)
  digest_script_test(5112-esmtp-valgrind 5112-esmtp-valgrind.py)
  set_property(TEST 5112-esmtp-valgrind APPEND PROPERTY DEPENDS 5101-esmtp)
endif()
