import { invite } from './account/invite.js';
import { login } from './account/login.js';
import { logout } from './account/logout.js';
import { passwd } from './account/passwd.js';
import { profile } from './account/profile.js';
import { register } from './account/register.js';
import { whoami } from './account/whoami.js';
import { audit } from './audit/audit.js';
import type { CommandDefinition } from './CommandDefinition.js';
import { comment } from './comments/comment.js';
import { download } from './documents/download.js';
import { ls } from './documents/ls.js';
import { rm } from './documents/rm.js';
import { upload } from './documents/upload.js';
import { limit } from './folders/limit.js';
import { mkdir } from './folders/mkdir.js';
import { mv } from './folders/mv.js';
import { rename } from './folders/rename.js';
import { rmdir } from './folders/rmdir.js';
import { group } from './groups/group.js';
import { link } from './links/link.js';
import { open } from './links/open.js';
import { perms } from './sharing/perms.js';
import { revoke } from './sharing/revoke.js';
import { role } from './sharing/role.js';
import { settings } from './sharing/settings.js';
import { share } from './sharing/share.js';
import { transfer } from './sharing/transfer.js';
import { trust } from './users/trust.js';
import { users } from './users/users.js';
import { restore } from './versions/restore.js';
import { rotate } from './versions/rotate.js';
import { update } from './versions/update.js';
import { versions } from './versions/versions.js';

/** Every `coffer` command, in the order `coffer --help` lists them (an area a line). */
export const cofferCommands: readonly CommandDefinition[] = [
  register, login, logout, passwd, profile, whoami,
  users, trust,
  upload, ls, download, rm,
  update, versions, restore, rotate,
  mkdir, mv, rename, limit, rmdir,
  group,
  share, revoke, perms, role, transfer, settings,
  comment,
  invite,
  link,
  open,
  audit,
];
