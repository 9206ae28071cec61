# 61xx: bounces in the store (state_bounces.c).
digest_state_test(6101-state-bounces 6101-state-bounces.c)
