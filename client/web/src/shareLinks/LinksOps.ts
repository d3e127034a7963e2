import { ValidationFailed } from '../../../../shared/core/errors/index.js';
import type { CofferClient } from '../../../sdk/CofferClient.js';
import type { CreateLinkOptions, LinkSummary } from '../../../sdk/links.js';
import type { LinkSettings, LinksRequest, LinksResult } from './linksProtocol.js';

/**
 * The account worker's share-link operations (docs/web.md, "Managing links"): each is the SDK's
 * createLink, listLinks or revokeLink, so the secret, the link key, the password's Argon2id and
 * the key wrap are made exactly as the CLI makes them, here in the worker, never in the page.
 */
export class LinksOps {
  constructor(private readonly client: CofferClient) {}

  async handle(request: LinksRequest): Promise<LinksResult> {
    switch (request.op) {
      case 'listLinks': {
        const links: LinkSummary[] = [];
        let cursor: string | undefined;
        do {
          const page = await this.client.listLinks(request.nodeId, cursor ? { cursor, limit: 100 } : { limit: 100 });
          links.push(...page.links);
          cursor = page.cursor;
        } while (cursor);
        return { links };
      }
      case 'createLink':
        return { createdLink: await this.client.createLink(request.nodeId, optionsOf(request.settings)) };
      case 'revokeLink':
        await this.client.revokeLink(request.linkId);
        return { revoked: request.linkId };
    }
  }
}

/** The form's settings as the SDK's options; the SDK and the server check the values themselves. */
function optionsOf(settings: LinkSettings): CreateLinkOptions {
  const options: CreateLinkOptions = { access: settings.access, audience: settings.audience };
  if (settings.expiresAt !== undefined) {
    const at = new Date(settings.expiresAt);
    if (Number.isNaN(at.getTime())) throw new ValidationFailed('The expiry is not a valid date and time.');
    options.expiresAt = at;
  }
  if (settings.maxDownloads !== undefined) options.maxDownloads = settings.maxDownloads;
  if (settings.password !== undefined) options.password = settings.password;
  return options;
}
