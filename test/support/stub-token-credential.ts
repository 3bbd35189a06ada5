import type { AccessToken, TokenCredential } from '@azure/core-auth';

/**
 * A TokenCredential that hands out a fixed bearer token and records the scopes it was asked for.
 * There is no Entra ID on loopback, so this is the one stub the transport tests need.
 */
export class StubTokenCredential implements TokenCredential {
  readonly requestedScopes: string[][] = [];

  constructor(readonly token = 'stub-entra-access-token') {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.requestedScopes.push(Array.isArray(scopes) ? scopes : [scopes]);
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}
