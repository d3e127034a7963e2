import { operation } from '../../shared/server/http/Operation.js';
import { linkNodeParams, listLinksQuery } from '../../shared/core/api/schemas/links.js';
import { listShareLinks } from '../../shared/server/services/links/listShareLinks.js';

/** A node's links, oldest first: counts, last access and state. */
export const listLinks = operation({
  params: linkNodeParams,
  query: listLinksQuery,
  async run({ params, query, caller, deps }) {
    return { body: await listShareLinks(deps, caller, params.id, query) };
  },
});
