# 41xx: bounces: VERP envelope senders (verp.c, letter.c) and the parser of
# delivery status notifications (mail_bounce.c).
digest_c_test(4101-verp 4101-verp.c)
digest_c_test(4102-bounce-parse 4102-bounce-parse.c)
