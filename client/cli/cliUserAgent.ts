import { COFFER_VERSION } from '../sdk/cofferVersion.js';

/** What the CLI sends as User-Agent, so the audit log tells it apart from other clients of the API. */
export const CLI_USER_AGENT = `coffer-cli/${COFFER_VERSION}`;
