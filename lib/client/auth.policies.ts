import type { AzureKeyCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { nowInSeconds, signJwt } from './jwt.js';

export const keyCredentialPolicyName = 'webPubSubKeyCredentialPolicy';
export const reverseProxyPolicyName = 'webPubSubReverseProxyPolicy';

/** How long a REST-call JWT lives, as in `@azure/web-pubsub` (1 hour). */
const REST_TOKEN_LIFETIME_SECONDS = 3600;

/**
 * Signs each attempt with a fresh HS256 JWT whose audience is the exact request URL (query
 * included), as the service requires. Runs in the Sign phase, so every retry gets a valid header.
 * The key is read from the credential at call time, so `credential.update(newKey)` rotates it.
 */
export function keyCredentialPolicy(credential: AzureKeyCredential): PipelinePolicy {
  return {
    name: keyCredentialPolicyName,
    sendRequest(request, next) {
      const iat = nowInSeconds();
      const token = signJwt({ aud: request.url, iat, exp: iat + REST_TOKEN_LIFETIME_SECONDS }, credential.key);
      request.headers.set('authorization', `Bearer ${token}`);
      return next(request);
    },
  };
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
