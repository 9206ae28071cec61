# 51xx: the libESMTP transport (transport_esmtp*.c).  5101 tests what needs
# no server and is the client the scripts drive; each script starts its own
# SMTP server (tests/lib/smtpserver.py) on a free 127.0.0.1 port.
digest_c_test(5101-esmtp 5101-esmtp.c)
foreach(script
    5102-esmtp-plain)
  digest_script_test(${script} ${script}.py)
  set_property(TEST ${script} APPEND PROPERTY DEPENDS 5101-esmtp)
endforeach()
