# 4xxx: composing messages (mail.c) and each subscriber's letter (letter.c).
digest_c_test(4001-mail-compose 4001-mail-compose.c)
# Parses 4001's messages back with Python's email package.
digest_script_test(4002-mail-parse 4002-mail-parse.py)
set_property(TEST 4002-mail-parse APPEND PROPERTY DEPENDS 4001-mail-compose)
digest_c_test(4003-letter-date 4003-letter-date.c)
# Letters rendered once per variant against letters built whole.
digest_c_test(4010-letter-variant 4010-letter-variant.c)
# Parses 4010's pairs back with Python's email package and compares them.
digest_script_test(4011-letter-variant-parse 4011-letter-variant-parse.py)
set_property(TEST 4011-letter-variant-parse APPEND PROPERTY DEPENDS
  4010-letter-variant)
