import { AzureKeyCredential, type TokenCredential } from '@azure/core-auth';
import type { Pipeline, PipelineResponse, RequestBodyType } from '@azure/core-rest-pipeline';
import { WebPubSubArgumentError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';
import type {
  GenerateClientTokenOptions,
  HubCloseAllConnectionsOptions,
  HubCloseConnectionOptions,
  HubCloseUserConnectionsOptions,
  HubGrantPermissionOptions,
  HubHasPermissionOptions,
  HubRevokePermissionOptions,
  HubSendTextToAllOptions,
  HubSendTextToConnectionOptions,
  HubSendTextToUserOptions,
  HubSendToAllOptions,
  HubSendToConnectionOptions,
  HubSendToUserOptions,
  OperationOptions,
  SendWithContentTypeOptions,
  WebPubSubRestClientOptions,
} from './client.options.js';
import {
  assertJwtHeaders,
  CLIENT_PROTOCOLS,
  signClientAccessToken,
  toClientTokenResponse,
  type ClientTokenResponse,
} from './client-access-token.js';
import { normalizeEndpoint, parseConnectionString } from './connection-string.js';
import { WebPubSubGroupClient } from './group-client.js';
import type { JSONTypes } from './message-payload.js';
import * as build from './request-builders.js';
import type { RequestContext } from './request-context.js';
import { WebPubSubTransport } from './rest-transport.js';
import {
  assertHub,
  assertOptionalInteger,
  assertOptionalName,
  assertOptionalNameList,
  assertOptionalStringList,
  MAX_INT32,
  type Permission,
} from './validation.js';
import type { WebPubSubRequest } from './web-pubsub-request.js';

/** Reads a client's transport, for a subclass built on an existing client (set by the class below). */
let transportOfClient: (client: WebPubSubRestClient) => WebPubSubTransport;

/**
 * The transport a client sends through: what `WebPubSubService` passes to its `super` so it sends
 * through its instance's client. Internal (not exported by any entry point).
 */
export function transportOf(client: WebPubSubRestClient): WebPubSubTransport {
  return transportOfClient(client);
}

/**
 * A client for one hub of an Azure Web PubSub service (or the local emulator), constructed and
 * called like `@azure/web-pubsub`'s `WebPubSubServiceClient`: switching is a change of import.
 *
 * @example
 * const client = new WebPubSubRestClient(process.env.WEBPUBSUB_CONNECTION_STRING!, 'chat');
 * await client.group('room1').sendToAll({ text: 'hello' });
 */
export class WebPubSubRestClient {
  readonly hubName: string;
  readonly apiVersion: string;
  /** Service URL without a trailing slash. */
  readonly endpoint: string;
  private readonly transport: WebPubSubTransport;
  /** What every request builder is given: this client's hub and api-version. */
  private readonly context: Required<RequestContext>;

  static {
    transportOfClient = (client) => client.transport;
  }

  constructor(connectionString: string, hubName: string, options?: WebPubSubRestClientOptions);
  constructor(
    endpoint: string,
    credential: AzureKeyCredential | TokenCredential,
    hubName: string,
    options?: WebPubSubRestClientOptions,
  );
  /**
   * @internal Not for users (the transport is not part of the package's API): what `hub(name)` and
   * `WebPubSubService` call, a client on an existing transport, sharing its pipeline and connections.
   */
  constructor(transport: WebPubSubTransport, hubName: string);
  constructor(
    endpointOrConnectionString: string | WebPubSubTransport,
    credentialOrHub: AzureKeyCredential | TokenCredential | string,
    hubOrOptions?: string | WebPubSubRestClientOptions,
    maybeOptions?: WebPubSubRestClientOptions,
  ) {
    let hub: unknown;
    if (endpointOrConnectionString instanceof WebPubSubTransport) {
      hub = credentialOrHub;
      assertHub(hub);
      this.transport = endpointOrConnectionString;
    } else if (isConnectionStringForm(credentialOrHub, hubOrOptions)) {
      const { endpoint, accessKey } = parseConnectionString(endpointOrConnectionString);
      hub = credentialOrHub;
      assertHub(hub);
      this.transport = new WebPubSubTransport(
        endpoint,
        new AzureKeyCredential(accessKey),
        hubOrOptions as WebPubSubRestClientOptions,
      );
    } else {
      hub = hubOrOptions;
      assertHub(hub);
      // The transport checks the credential itself.
      this.transport = new WebPubSubTransport(
        normalizeEndpoint(endpointOrConnectionString),
        credentialOrHub as AzureKeyCredential | TokenCredential,
        maybeOptions,
      );
    }
    this.hubName = hub;
    this.endpoint = this.transport.endpoint;
    this.apiVersion = this.transport.apiVersion;
    this.context = { hub, apiVersion: this.apiVersion };
  }

  /** The pipeline every call goes through (add policies with `pipeline.addPolicy`). */
  get pipeline(): Pipeline {
    return this.transport.pipeline;
  }

  /** A client for another hub of the same service, sharing this one's pipeline and connections. */
  hub(hubName: string): WebPubSubRestClient {
    return new WebPubSubRestClient(this.transport, hubName);
  }

  /** Operations on one group of this hub. */
  group(groupName: string): WebPubSubGroupClient {
    return new WebPubSubGroupClient(this.transport, this.context, groupName);
  }

  /**
   * Runs a request from one of the `build…Request` functions through the pipeline (auth, retries,
   * logging) and returns the raw response without checking its status.
   */
  sendRequest(request: WebPubSubRequest, options?: OperationOptions): Promise<PipelineResponse> {
    return traced(this.transport, 'sendRequest', options, (o) => this.transport.send(request, o));
  }

  /** Sends to every connection of the hub (strings as JSON unless `contentType: 'text/plain'`). */
  sendToAll(message: string, options: HubSendTextToAllOptions): Promise<void>;
  sendToAll(
    message: JSONTypes | RequestBodyType,
    options?: HubSendToAllOptions | SendWithContentTypeOptions,
  ): Promise<void>;
  async sendToAll(message: unknown, options?: SendWithContentTypeOptions): Promise<void> {
    await traced(this.transport, 'sendToAll', options, (o) =>
      this.transport.call(build.buildSendToAllRequest(this.context, message, o), o),
    );
  }

  /** Sends to every connection of a user. */
  sendToUser(userId: string, message: string, options: HubSendTextToUserOptions): Promise<void>;
  sendToUser(
    userId: string,
    message: JSONTypes | RequestBodyType,
    options?: HubSendToUserOptions | SendWithContentTypeOptions,
  ): Promise<void>;
  async sendToUser(userId: string, message: unknown, options?: SendWithContentTypeOptions): Promise<void> {
    await traced(this.transport, 'sendToUser', options, (o) =>
      this.transport.call(build.buildSendToUserRequest(this.context, userId, message, o), o),
    );
  }

  /** Sends to one connection. */
  sendToConnection(connectionId: string, message: string, options: HubSendTextToConnectionOptions): Promise<void>;
  sendToConnection(
    connectionId: string,
    message: JSONTypes | RequestBodyType,
    options?: HubSendToConnectionOptions | SendWithContentTypeOptions,
  ): Promise<void>;
  async sendToConnection(connectionId: string, message: unknown, options?: SendWithContentTypeOptions): Promise<void> {
    await traced(this.transport, 'sendToConnection', options, (o) =>
      this.transport.call(build.buildSendToConnectionRequest(this.context, connectionId, message, o), o),
    );
  }

  /** True when the connection is connected to this hub. */
  connectionExists(connectionId: string, options?: OperationOptions): Promise<boolean> {
    return traced(this.transport, 'connectionExists', options, (o) =>
      this.transport.exists(build.buildConnectionExistsRequest(this.context, connectionId), o),
    );
  }

  /** True when the group of this hub has at least one connection. */
  groupExists(groupName: string, options?: OperationOptions): Promise<boolean> {
    return traced(this.transport, 'groupExists', options, (o) =>
      this.transport.exists(build.buildGroupExistsRequest(this.context, groupName), o),
    );
  }

  /** True when the user has at least one connection to this hub. */
  userExists(userId: string, options?: OperationOptions): Promise<boolean> {
    return traced(this.transport, 'userExists', options, (o) =>
      this.transport.exists(build.buildUserExistsRequest(this.context, userId), o),
    );
  }

  /** Closes one connection; `reason` reaches the client and the disconnected event. */
  async closeConnection(connectionId: string, options?: HubCloseConnectionOptions): Promise<void> {
    await traced(this.transport, 'closeConnection', options, (o) =>
      this.transport.call(build.buildCloseConnectionRequest(this.context, connectionId, o), o),
    );
  }

  /** Closes every connection of the hub, except the `excluded` ones. */
  async closeAllConnections(options?: HubCloseAllConnectionsOptions): Promise<void> {
    await traced(this.transport, 'closeAllConnections', options, (o) =>
      this.transport.call(build.buildCloseAllConnectionsRequest(this.context, o), o),
    );
  }

  /** Closes every connection of a user, except the `excluded` ones. */
  async closeUserConnections(userId: string, options?: HubCloseUserConnectionsOptions): Promise<void> {
    await traced(this.transport, 'closeUserConnections', options, (o) =>
      this.transport.call(build.buildCloseUserConnectionsRequest(this.context, userId, o), o),
    );
  }

  /** Removes a user's connections from every group of the hub. */
  async removeUserFromAllGroups(userId: string, options?: OperationOptions): Promise<void> {
    await traced(this.transport, 'removeUserFromAllGroups', options, (o) =>
      this.transport.call(build.buildRemoveUserFromAllGroupsRequest(this.context, userId), o),
    );
  }

  /** Removes one connection from every group it is in. */
  async removeConnectionFromAllGroups(connectionId: string, options?: OperationOptions): Promise<void> {
    await traced(this.transport, 'removeConnectionFromAllGroups', options, (o) =>
      this.transport.call(build.buildRemoveConnectionFromAllGroupsRequest(this.context, connectionId), o),
    );
  }

  /** Adds the connections matching an OData filter to each of the groups. */
  async addConnectionsToGroups(groups: string[], filter: string, options?: OperationOptions): Promise<void> {
    await traced(this.transport, 'addConnectionsToGroups', options, (o) =>
      this.transport.call(build.buildAddConnectionsToGroupsRequest(this.context, groups, filter), o),
    );
  }

  /** Removes the connections matching an OData filter from each of the groups. */
  async removeConnectionsFromGroups(groups: string[], filter: string, options?: OperationOptions): Promise<void> {
    await traced(this.transport, 'removeConnectionsFromGroups', options, (o) =>
      this.transport.call(build.buildRemoveConnectionsFromGroupsRequest(this.context, groups, filter), o),
    );
  }

  /** Grants a connection a permission (`sendToGroup` or `joinLeaveGroup`), for one group (`targetName`) or all. */
  async grantPermission(
    connectionId: string,
    permission: Permission,
    options?: HubGrantPermissionOptions,
  ): Promise<void> {
    await traced(this.transport, 'grantPermission', options, (o) =>
      this.transport.call(build.buildGrantPermissionRequest(this.context, permission, connectionId, o), o),
    );
  }

  /** Revokes a permission granted to a connection, for one group (`targetName`) or all. */
  async revokePermission(
    connectionId: string,
    permission: Permission,
    options?: HubRevokePermissionOptions,
  ): Promise<void> {
    await traced(this.transport, 'revokePermission', options, (o) =>
      this.transport.call(build.buildRevokePermissionRequest(this.context, permission, connectionId, o), o),
    );
  }

  /** True when the connection has the permission, for one group (`targetName`) or all. */
  hasPermission(connectionId: string, permission: Permission, options?: HubHasPermissionOptions): Promise<boolean> {
    return traced(this.transport, 'hasPermission', options, (o) =>
      this.transport.exists(build.buildCheckPermissionRequest(this.context, permission, connectionId, o), o),
    );
  }

  /** True when the service answers its health endpoint. */
  async getServiceStatus(options?: OperationOptions): Promise<boolean> {
    const response = await traced(this.transport, 'getServiceStatus', options, (o) =>
      this.transport.send(build.buildGetServiceStatusRequest(this.context), o),
    );
    return response.status === 200;
  }

  /**
   * A URL (with token) a client connects with. Signed locally with an access key; with a
   * TokenCredential the service's `:generateToken` signs it. The result is a secret: do not log it.
   */
  getClientAccessToken(options: GenerateClientTokenOptions = {}): Promise<ClientTokenResponse> {
    return traced(this.transport, 'getClientAccessToken', options, async (options) => {
      const { clientProtocol, expirationTimeInMinutes } = options;
      if (clientProtocol !== undefined && !CLIENT_PROTOCOLS.includes(clientProtocol)) {
        throw new WebPubSubArgumentError('clientProtocol', ClientMessages.clientProtocolInvalid(clientProtocol));
      }
      assertOptionalInteger(expirationTimeInMinutes, 'expirationTimeInMinutes', 1, MAX_INT32);
      assertOptionalName(options.userId, 'userId');
      assertOptionalStringList(options.roles, 'roles');
      assertOptionalNameList(options.groups, 'groups');
      assertJwtHeaders(options.jwtHeaders);
      const key = this.transport.accessKey;
      if (options.jwtHeaders !== undefined && key === undefined)
        throw new WebPubSubArgumentError('jwtHeaders', ClientMessages.jwtHeadersNeedKey());
      if (key !== undefined) {
        return toClientTokenResponse(
          this.endpoint,
          this.hubName,
          signClientAccessToken(this.endpoint, this.hubName, key, options),
          clientProtocol,
        );
      }
      const request = build.buildGenerateClientTokenRequest(this.context, {
        userId: options.userId,
        roles: options.roles,
        groups: options.groups,
        minutesToExpire: expirationTimeInMinutes ?? 60,
        clientType: clientProtocol,
      });
      const response = await this.transport.call(request, options);
      const token = (JSON.parse(response.bodyAsText || '{}') as { token?: unknown }).token;
      if (typeof token !== 'string' || token === '')
        throw new WebPubSubArgumentError('response', ClientMessages.tokenResponseInvalid());
      return toClientTokenResponse(this.endpoint, this.hubName, token, clientProtocol);
    });
  }
}

/** Runs an operation in its span, `WebPubSubServiceClient.<operation>` as the official client names it. */
function traced<O extends OperationOptions, T>(
  transport: WebPubSubTransport,
  operation: string,
  options: O | undefined,
  run: (options: O) => Promise<T>,
): Promise<T> {
  return transport.traced(`WebPubSubServiceClient.${operation}`, options, run);
}

/**
 * Which overload was meant, so a bad argument is reported as itself: `(cs, 42)` has a bad hub, while
 * `(endpoint, 42, 'hub')` and `(endpoint, {}, 'hub')` have a bad credential.
 */
function isConnectionStringForm(second: unknown, third: unknown): boolean {
  if (typeof second === 'string') return true;
  if (typeof third === 'string') return false;
  return typeof second !== 'object' || second === null;
}
