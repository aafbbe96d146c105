/**
 * The secret-name rule, shared by the stores (which refuse other names) and the reference grammar (which
 * reads `secret:NAME`). It lives with the secrets, below the references that name them.
 */
export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The rule in words, for messages. */
export const SECRET_NAME_RULE =
  'secret names are 1-128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit';
