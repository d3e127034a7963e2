/**
 * The version of this package (package.json's `version`; test/unit/client/userAgent.test.ts
 * fails when they differ). A constant, not a JSON import, so the SDK's browser bundle carries no
 * package.json and a packed CLI needs none at run time.
 */
export const COFFER_VERSION = '0.1.0';
