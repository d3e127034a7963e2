import { commandGroup } from '../commandGroup.js';
import { linkCreate } from './linkCreate.js';
import { linkLs } from './linkLs.js';
import { linkRevoke } from './linkRevoke.js';

/** `coffer link create | ls | revoke`: share links (docs/links.md "CLI"). */
export const link = commandGroup(
  'link',
  'share links: a URL that opens a document or folder for people without access (`coffer open URL`)',
  [linkCreate, linkLs, linkRevoke],
);
