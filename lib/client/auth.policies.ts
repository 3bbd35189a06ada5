import type { AzureKeyCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { nowInSeconds, signJwt } from '../protocol/jwt.js';

export const keyCredentialPolicyName = 'webPubSubKeyCredentialPolicy';
export const reverseProxyPolicyName = 'webPubSubReverseProxyPolicy';

/** How long a REST-call JWT lives, as in `@azure/web-pubsub` (1 hour). */
const REST_TOKEN_LIFETIME_SECONDS = 3600;
/** A cached token is used for at most this long, so every token sent has over 55 minutes left. */
const REST_TOKEN_REUSE_SECONDS = 300;
/** Distinct URLs remembered at once (sends to many users or groups each have their own URL). */
const REST_TOKEN_CACHE_SIZE = 512;

/**
 * Signs each attempt with an HS256 JWT whose audience is the exact request URL (query included), as
 * the service requires. Runs in the Sign phase, so every retry gets a valid header. The key is read
 * from the credential at call time, so `credential.update(newKey)` rotates it at once.
 */
export function keyCredentialPolicy(credential: AzureKeyCredential): PipelinePolicy {
  const tokens = new RestTokenCache();
  return {
    name: keyCredentialPolicyName,
    sendRequest(request, next) {
      request.headers.set('authorization', `Bearer ${tokens.tokenFor(request.url, credential.key)}`);
      return next(request);
    },
  };
}

/**
 * Reuses a URL's token for a few minutes instead of signing one per request: repeated sends to one
 * URL (a hub's `:send`) are the common case, and signing was the largest cost of ours in a CPU
 * profile of the throughput benchmark. A new key empties the cache.
 */
class RestTokenCache {
  private key?: string;
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();

  tokenFor(url: string, key: string): string {
    const now = nowInSeconds();
    if (key !== this.key) {
      this.tokens.clear();
      this.key = key;
    }
    const cached = this.tokens.get(url);
    if (cached && now < cached.renewAt) return cached.token;
    if (this.tokens.size >= REST_TOKEN_CACHE_SIZE) this.tokens.clear();
    const token = signJwt({ aud: url, iat: now, exp: now + REST_TOKEN_LIFETIME_SECONDS }, key);
    this.tokens.set(url, { token, renewAt: now + REST_TOKEN_REUSE_SECONDS });
    return token;
  }
}

/**
 * Sends requests to a reverse proxy (e.g. API Management) in front of the service: only the host
 * (and port) is swapped, after signing, so the token's audience still names the service. The
 * service URL is put back once the attempt is over, so a retry is signed for the service again.
 */
export function reverseProxyPolicy(reverseProxyEndpoint: string): PipelinePolicy {
  const proxy = new URL(reverseProxyEndpoint);
  return {
    name: reverseProxyPolicyName,
    async sendRequest(request, next) {
      const serviceUrl = request.url;
      const url = new URL(serviceUrl);
      url.host = proxy.host;
      request.url = url.toString();
      try {
        return await next(request);
      } finally {
        request.url = serviceUrl;
      }
    },
  };
}
