/**
 * The CloudFront Function (cloudfront-js-2.0, viewer request) in front of the API's behaviours.
 * Behind CloudFront the API sees its execute-api host name, so the cookie session's Origin check
 * (shared/server/auth/requireSameSiteRequest.ts) could never match the app's origin: this passes
 * the viewer's Host on as X-Forwarded-Host, replacing any a viewer sent. (Trusting it is safe for
 * that check: a cross-site page cannot set a custom header without a preflight the API refuses.)
 */
export function viewerHostCode(): string {
  return [
    'function handler(event) {',
    '  var request = event.request;',
    "  if (request.headers.host) request.headers['x-forwarded-host'] = { value: request.headers.host.value };",
    "  else delete request.headers['x-forwarded-host'];",
    '  return request;',
    '}',
  ].join('\n');
}
