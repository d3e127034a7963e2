import { Duration } from 'aws-cdk-lib';
import {
  HeadersFrameOption,
  HeadersReferrerPolicy,
  type ResponseCustomHeadersBehavior,
  type ResponseSecurityHeadersBehavior,
} from 'aws-cdk-lib/aws-cloudfront';

export interface WebAppResponseHeaders {
  readonly securityHeadersBehavior: ResponseSecurityHeadersBehavior;
  readonly customHeadersBehavior: ResponseCustomHeadersBehavior;
}

/**
 * The CloudFront response-headers policy for the web app, from the very headers the local server
 * sends (shared/server/web/webAppHeaders.ts). CloudFront takes the security headers as typed
 * settings and refuses them as custom headers, so each is parsed into its setting, and a value
 * that setting cannot express throws rather than being deployed as something else. Every other
 * header is a custom header. All override the origin's: the bucket has no say.
 */
export function webAppResponseHeaders(headers: Readonly<Record<string, string>>): WebAppResponseHeaders {
  const security: { -readonly [K in keyof ResponseSecurityHeadersBehavior]: ResponseSecurityHeadersBehavior[K] } = {};
  const custom: { header: string; value: string; override: boolean }[] = [];
  for (const [name, value] of Object.entries(headers)) {
    switch (name.toLowerCase()) {
      case 'content-security-policy':
        security.contentSecurityPolicy = { contentSecurityPolicy: value, override: true };
        break;
      case 'x-content-type-options':
        expectValue(name, value, 'nosniff');
        security.contentTypeOptions = { override: true };
        break;
      case 'x-frame-options':
        security.frameOptions = { frameOption: enumValue(name, value.toUpperCase(), HeadersFrameOption), override: true };
        break;
      case 'referrer-policy':
        security.referrerPolicy = { referrerPolicy: enumValue(name, value.toLowerCase(), HeadersReferrerPolicy), override: true };
        break;
      case 'strict-transport-security':
        security.strictTransportSecurity = { ...parseHsts(value), override: true };
        break;
      case 'x-xss-protection':
        throw new Error(`${name}: not supported here; it is obsolete, the CSP is what protects the app`);
      default:
        custom.push({ header: name, value, override: true });
    }
  }
  return { securityHeadersBehavior: security, customHeadersBehavior: { customHeaders: custom } };
}

function expectValue(name: string, value: string, expected: string): void {
  if (value.toLowerCase() !== expected) throw new Error(`${name}: CloudFront can only send "${expected}" (got "${value}")`);
}

function enumValue<T extends string>(name: string, value: string, values: Record<string, T>): T {
  const found = Object.values(values).find((v) => v === value);
  if (!found) throw new Error(`${name}: CloudFront cannot send "${value}"`);
  return found;
}

/** `max-age=<seconds>[; includeSubDomains][; preload]`, and nothing else. */
function parseHsts(value: string): { accessControlMaxAge: Duration; includeSubdomains: boolean; preload: boolean } {
  const parts = value.split(';').map((p) => p.trim()).filter((p) => p !== '');
  const maxAge = /^max-age=(\d+)$/i.exec(parts[0] ?? '');
  const rest = new Set(parts.slice(1).map((p) => p.toLowerCase()));
  if (!maxAge || [...rest].some((p) => p !== 'includesubdomains' && p !== 'preload')) {
    throw new Error(`strict-transport-security: expected max-age=<seconds>[; includeSubDomains][; preload] (got "${value}")`);
  }
  return { accessControlMaxAge: Duration.seconds(Number(maxAge[1])), includeSubdomains: rest.has('includesubdomains'), preload: rest.has('preload') };
}
