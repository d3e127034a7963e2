/** Exit codes, stable for scripts (also listed in `coffer --help`). */
export const EXIT = {
  OK: 0,
  /** Anything not listed below. */
  FAILURE: 1,
  /** Bad command line or input (missing option, weak passphrase, invalid request). */
  USAGE: 2,
  /**
   * Not logged in, session expired, wrong passphrase, or your level does not allow it (403);
   * a link's password is wrong or it is locked, its audience excludes you, or it is view only.
   */
  AUTH: 3,
  /** No such document or user, or no access; a link revoked, expired, used up or stale. */
  NOT_FOUND: 4,
  /** A public key changed or does not match its fingerprint: check before accepting. */
  KEY_CHANGED: 5,
  /** The server cannot be reached. */
  UNREACHABLE: 6,
  /** Something already exists (file, user id, share) or changed concurrently. */
  CONFLICT: 7,
  /** `coffer audit verify | checkpoint`: the audit log does not verify (each finding is named). */
  AUDIT_INVALID: 8,
  /** Interrupted (Ctrl-C), as shells report SIGINT. */
  CANCELLED: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0 success, 1 failure, 2 usage or invalid input, 3 not logged in / wrong passphrase / not allowed
  (links: wrong password, locked, not for you, view only), 4 not found or no access (links: revoked,
  expired, used up), 5 public key changed, 6 server unreachable, 7 conflict (exists), 8 the audit log does not verify,
  130 cancelled`;
