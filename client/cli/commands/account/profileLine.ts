import type { OwnProfile } from '../../../../shared/core/api/schemas/users.js';

/** `alice  Alice <alice@example.com>, Engineer`: the first line of `whoami` and `profile`. */
export function profileLine(me: Pick<OwnProfile, 'userId' | 'name' | 'email' | 'designation'>): string {
  return `${me.userId}  ${me.name}${me.email ? ` <${me.email}>` : ''}${me.designation ? `, ${me.designation}` : ''}`;
}
