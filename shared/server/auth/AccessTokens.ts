import { randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTHeaderParameters } from 'jose';
import { z } from 'zod';
import { Unauthorized } from '../../core/errors/index.js';
import { ES256_SIGNATURE_BYTES, type KeyService } from '../ports/KeyService.js';

export type PrincipalKind = 'member' | 'guest';

export interface AccessTokensOptions {
  keys: KeyService;
  issuer?: string;
  audience?: string;
  ttlSeconds?: number;
  /** Milliseconds since the epoch, like `Date.now`. */
  clock?: () => number;
}

export interface IssuedAccessToken {
  token: string;
  /** Same instant as the `exp` claim. */
  expiresAt: Date;
}

export interface VerifiedAccessToken {
  sub: string;
  kind: PrincipalKind;
  jti: string;
  /** Epoch seconds. */
  exp: number;
}

/** Seconds of clock skew tolerated between the issuing and the verifying function. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** No token of ours comes near this; longer input is rejected before parsing. */
const MAX_TOKEN_LENGTH = 2048;

const kind = z.enum(['member', 'guest']);
/** User ids today; guests' ids later. Printable ASCII keeps the JWT and logs unambiguous. */
const subject = z.string().regex(/^[\x21-\x7e]{1,128}$/);

/** Exactly the claims `issue` writes: anything else was not minted by us. */
const claims = z.strictObject({
  iss: z.string(),
  aud: z.string(),
  sub: subject,
  kind,
  iat: z.number().int(),
  nbf: z.number().int(),
  exp: z.number().int(),
  jti: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
});

function invalidToken(): Unauthorized {
  return new Unauthorized('INVALID_TOKEN', 'The access token is not valid: log in again.');
}

function expiredToken(): Unauthorized {
  return new Unauthorized('TOKEN_EXPIRED', 'The access token has expired: refresh it or log in again.');
}

/**
 * Short-lived ES256 access tokens. The signature comes from the `KeyService` port (KMS in
 * production), so no signing key ever sits in a function's memory; verification uses jose
 * against the port's public key.
 */
export class AccessTokens {
  readonly #keys: KeyService;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #ttlSeconds: number;
  readonly #clock: () => number;
  #verificationKey: Promise<CryptoKey> | undefined;

  constructor({ keys, issuer = 'coffer', audience = 'coffer-api', ttlSeconds = 900, clock = () => Date.now() }: AccessTokensOptions) {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('ttlSeconds must be a positive integer');
    this.#keys = keys;
    this.#issuer = issuer;
    this.#audience = audience;
    this.#ttlSeconds = ttlSeconds;
    this.#clock = clock;
  }

  async issue({ sub, kind: principalKind }: { sub: string; kind: PrincipalKind }): Promise<IssuedAccessToken> {
    if (!subject.safeParse(sub).success) throw new TypeError('sub must be 1-128 printable ASCII characters');
    if (!kind.safeParse(principalKind).success) throw new TypeError("kind must be 'member' or 'guest'");
    const iat = Math.floor(this.#clock() / 1000);
    const exp = iat + this.#ttlSeconds;
    const header = { alg: 'ES256', typ: 'JWT', kid: this.#keys.signingKeyId() };
    const payload: z.infer<typeof claims> = {
      iss: this.#issuer,
      aud: this.#audience,
      sub,
      kind: principalKind,
      iat,
      nbf: iat,
      exp,
      jti: randomBytes(16).toString('base64url'),
    };
    const signingInput = `${encodeSegment(header)}.${encodeSegment(payload)}`;
    const signature = await this.#keys.sign(new TextEncoder().encode(signingInput));
    if (signature.length !== ES256_SIGNATURE_BYTES) throw new TypeError('KeyService.sign returned a non-JOSE signature');
    return { token: `${signingInput}.${Buffer.from(signature).toString('base64url')}`, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Verifies signature, algorithm, kid, issuer, audience and lifetime. Throws `Unauthorized`
   * with code `TOKEN_EXPIRED` for a genuine but expired token, `INVALID_TOKEN` for anything else.
   */
  async verify(token: string): Promise<VerifiedAccessToken> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw invalidToken();
    const expectedKid = this.#keys.signingKeyId();
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(
        token,
        async (header: JWTHeaderParameters) => {
          // A token for another key is not ours, whatever it says. Do not remove.
          if (header.kid !== expectedKid) throw invalidToken();
          return this.#verificationKeyFor();
        },
        {
          algorithms: ['ES256'], // the only allowed algorithm: no `none`, no HS256 key confusion
          typ: 'JWT',
          issuer: this.#issuer,
          audience: this.#audience,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          maxTokenAge: this.#ttlSeconds + CLOCK_TOLERANCE_SECONDS,
          currentDate: new Date(this.#clock()),
          requiredClaims: ['sub', 'kind', 'iat', 'nbf', 'exp', 'jti'],
        },
      ));
    } catch (error) {
      // jose checks the signature before any claim, so only a genuine token can be "expired".
      if (error instanceof joseErrors.JWTExpired) throw expiredToken();
      if (error instanceof Unauthorized) throw error;
      throw invalidToken();
    }
    const parsed = claims.safeParse(payload);
    if (!parsed.success || parsed.data.exp - parsed.data.iat > this.#ttlSeconds) throw invalidToken();
    const { sub, kind: principalKind, jti, exp } = parsed.data;
    return { sub, kind: principalKind, jti, exp };
  }

  #verificationKeyFor(): Promise<CryptoKey> {
    this.#verificationKey ??= this.#importVerificationKey().catch((error: unknown) => {
      this.#verificationKey = undefined;
      throw error;
    });
    return this.#verificationKey;
  }

  async #importVerificationKey(): Promise<CryptoKey> {
    const spki = new Uint8Array(await this.#keys.signingPublicKey());
    return crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  }
}

function encodeSegment(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
