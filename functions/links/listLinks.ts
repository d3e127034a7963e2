import { operation } from '../../shared/http/Operation.js';
import { linkNodeParams, listLinksQuery } from '../../shared/schemas/links.js';
import { listShareLinks } from '../../shared/services/links/listShareLinks.js';

/** A node's links, oldest first: counts, last access and state. */
export const listLinks = operation({
  params: linkNodeParams,
  query: listLinksQuery,
  async run({ params, query, caller, deps }) {
    return { body: await listShareLinks(deps, caller, params.id, query) };
  },
});
