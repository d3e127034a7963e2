/** The help of the arguments that name whom to share with or revoke. */
export const PRINCIPALS_HELP = 'users (alice) and groups (g:GROUPID)';
