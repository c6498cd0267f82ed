/* A shared object that is not a provider: it exports no entry point. */
int pn_test_not_a_provider(void);
__attribute__((visibility("default"))) int pn_test_not_a_provider(void) { return 42; }
