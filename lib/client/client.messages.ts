/**
 * Every user-facing message of the REST client, in one place. Each one names what is wrong and ends
 * with the fix. None of them may include an access key, a JWT or a connection string.
 */
export const ClientMessages = {
  connectionStringNotString: () =>
    'The Web PubSub connection string must be a non-empty string. Copy it from the Azure portal (Keys blade) or set WEBPUBSUB_CONNECTION_STRING.',
  connectionStringMissingPart: (part: 'Endpoint' | 'AccessKey') =>
    `The Web PubSub connection string has no ${part}= part. Expected "Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;". Copy it again from the Azure portal (Keys blade).`,
  connectionStringBadEndpoint: (endpoint: string) =>
    `The connection string's Endpoint "${endpoint}" is not a valid http(s) URL. Use the form Endpoint=https://<name>.webpubsub.azure.com.`,
  connectionStringBadPort: (port: string) =>
    `The connection string's Port "${port}" is not a valid port number. Use a whole number between 1 and 65535, or drop the Port= part.`,
  endpointInvalid: (name: string, endpoint: unknown) =>
    looksLikeConnectionString(endpoint)
      ? `${name} looks like a connection string, not a URL. Pass a connection string as the first argument with the hub second (new WebPubSubRestClient(connectionString, hub)), or pass the service URL here, e.g. "https://<name>.webpubsub.azure.com".`
      : `${name} ${describe(endpoint)} is not a valid http(s) URL. Pass the service URL, e.g. "https://<name>.webpubsub.azure.com".`,
  insecureEndpoint: (name: string, endpoint: string) =>
    `The ${name} ${endpoint} uses plain http:// on a host that is not loopback, so requests (and their signed tokens) would cross the network unencrypted. Use https://, or pass allowInsecureConnection: true if this is intended (e.g. an emulator in a container).`,
  credentialInvalid: () =>
    'The credential must be an AzureKeyCredential (from "@azure/core-auth") or a TokenCredential (e.g. DefaultAzureCredential from "@azure/identity"). Pass one as the second argument, or pass a connection string instead.',
  accessKeyEmpty: () =>
    'The access key is empty. Copy a key from the Azure portal (Keys blade) into your AzureKeyCredential or connection string.',
  hubInvalid: (hub: unknown) =>
    `Hub name ${describe(hub)} is invalid: it must start with a letter and contain only letters, digits and _ \` , . [ ] (1 to 128 characters). Rename the hub, e.g. "chat".`,
  groupInvalid: (argument: string, group: unknown) =>
    `${argument} ${describe(group)} is invalid: a group name must be 1 to 1024 characters and not only whitespace. Pass a non-empty group name.`,
  dotSegmentName: (argument: string, value: string) =>
    `${argument} ${describe(value)} is refused: "." and ".." are dot segments that URL parsing removes from a request path, so the call would reach another operation (e.g. a send to the whole hub). Use another name, or check where this value comes from (e.g. a route parameter).`,
  idEmpty: (argument: string, value: unknown) =>
    `${argument} ${describe(value)} is invalid: it must be a non-empty string. Pass the id you got from the connected event or the client.`,
  integerOutOfRange: (argument: string, value: unknown, min: number, max: number) =>
    `${argument} ${describe(value)} is invalid: it must be a whole number from ${min} to ${max}. Pass a value in that range.`,
  permissionInvalid: (permission: unknown) =>
    `Permission ${describe(permission)} is invalid: use "joinLeaveGroup" or "sendToGroup".`,
  clientProtocolInvalid: (protocol: unknown) =>
    `clientProtocol ${describe(protocol)} is invalid: use "default", "mqtt" or "socketio".`,
  stringListInvalid: (argument: string) =>
    `${argument} must be an array of non-empty strings. Pass e.g. ["a", "b"], or leave it out.`,
  optionalStringInvalid: (argument: string) =>
    `${argument} must be a string when given. Pass a string, or leave it out.`,
  filterRequired: (operation: string) =>
    `${operation} needs an OData filter that selects the connections, e.g. odata\`userId eq \${userId}\`. Pass a filter string.`,
  // The value itself is not echoed: it comes from the caller's data and may be anything.
  odataValueInvalid: (position: number, kind: string) =>
    `odata value ${position} is ${kind}: only strings, numbers, booleans and null can go into a filter (strings are quoted and escaped), and ${kind} would be inlined unquoted. Pass one value per placeholder, e.g. ids.map((id) => odata\`userId eq \${id}\`).join(' or '), or check where this value comes from (a repeated query parameter arrives as an array).`,
  groupsRequired: (operation: string) => `${operation} needs at least one group name. Pass e.g. ["room1"].`,
  messageMissing: () =>
    'The message is undefined. Pass a string, an object, a number or boolean (sent as JSON), or binary data (Buffer, ArrayBuffer, typed array, Blob).',
  textNeedsString: (type: string) =>
    `contentType "text/plain" needs a string message, but got ${type}. Pass a string, or drop contentType to send JSON.`,
  binaryNeedsBytes: (type: string) =>
    `contentType "application/octet-stream" needs binary data (Buffer, ArrayBuffer, typed array, Blob or stream), but got ${type}. Pass bytes, or drop contentType to send JSON.`,
  streamFactoryInvalid: (got: string) =>
    `message is a function, so it must return a readable stream (a stream factory), but it returned ${got}. Pass the data itself (Buffer, ArrayBuffer, object, string) or a function returning a stream.`,
  apiVersionInvalid: (value: unknown) =>
    `apiVersion ${describe(value)} is invalid: use a data-plane version date such as "2024-12-01" (the default), or leave it out.`,
  contentTypeInvalid: (contentType: unknown) =>
    `contentType ${describe(contentType)} is invalid: use "application/json", "text/plain" or "application/octet-stream".`,
  notSerializable: (reason: string) =>
    `The message cannot be sent as JSON: ${reason}. Convert it to plain data first (e.g. BigInt to string, remove circular references), or send it as text or binary.`,
  messageTooLarge: (bytes: number, limit: number) =>
    `The message is ${bytes} bytes, over the Web PubSub limit of ${limit} bytes (1 MiB). Send a smaller message, or split it into several.`,
  maxPageSizeByPage: () =>
    'maxPageSize is not supported by byPage(); pass { maxPageSize } to listConnections() instead.',
  nextLinkHost: () =>
    'The service returned a nextLink that is not a valid URL, so paging stopped. Report this with the x-ms-request-id of the last response.',
  serviceError: (operation: string, status: number, code: string | undefined, message: string | undefined) =>
    `Web PubSub ${operation} failed with HTTP ${status}${code ? ` ${code}` : ''}${message ? `: ${message.replace(/\.+$/, '')}` : ''}.`,
  requestTimedOut: (ms: number) =>
    `Web PubSub did not answer within ${ms} ms, so the request was abandoned and not retried (the service may still carry it out). Check that the endpoint is reachable and answers, or raise timeoutInMs (requestOptions.timeout for one call; 0 means no timeout).`,
  jwtHeadersInvalid: () =>
    'jwtHeaders must be an object of JWT header fields, e.g. { kid: "key1" }. Pass an object, or leave it out.',
  // The given value is not echoed: a header field could hold anything.
  jwtHeaderFixed: (name: string, fixed: string) =>
    `jwtHeaders.${name} cannot be changed: client access tokens always carry ${name} "${fixed}" (they are HS256-signed with the access key). Remove ${name} from jwtHeaders.`,
  jwtHeadersNeedKey: () =>
    'jwtHeaders only apply to tokens signed locally with an access key; with a TokenCredential the service signs the token and sets its header. Remove jwtHeaders, or create the client with a connection string or AzureKeyCredential.',
  tokenResponseInvalid: () =>
    'The service answered :generateToken without a token. Check that the endpoint is a Web PubSub service and that the credential has the "Web PubSub Service Owner" role.',
} as const;

/** A value that may carry an access key must never be echoed into a message. */
function looksLikeConnectionString(value: unknown): boolean {
  return typeof value === 'string' && /accesskey\s*=|;/i.test(value);
}

/** Quotes strings and names other types, so messages say what was actually passed. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
