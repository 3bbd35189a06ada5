import { Injectable } from '@nestjs/common';
import type { Pipeline, PipelineResponse, RequestBodyType } from '@azure/core-rest-pipeline';
import type {
  ClientTokenResponse, GenerateClientTokenOptions, HubCloseAllConnectionsOptions, HubCloseConnectionOptions, HubCloseUserConnectionsOptions,
  HubGrantPermissionOptions, HubHasPermissionOptions, HubRevokePermissionOptions, HubSendTextToAllOptions, HubSendTextToConnectionOptions,
  HubSendTextToUserOptions, HubSendToAllOptions, HubSendToConnectionOptions, HubSendToUserOptions, JSONTypes, OperationOptions, Permission,
  SendWithContentTypeOptions, WebPubSubGroupClient, WebPubSubRequest, WebPubSubRestClient,
} from '../client/index.js';

/**
 * The injectable Web PubSub service of one module instance: every operation of its
 * `WebPubSubRestClient` for the configured hub (`sendToAll`, `group(name)`, `getClientAccessToken`, …),
 * `hub(name)` for other hubs, and `client` for the client itself. Each method hands the call to
 * `client` unchanged; the method docs are the client's.
 *
 * @example
 * constructor(private readonly webPubSub: WebPubSubService) {}
 * await this.webPubSub.group('room1').sendToAll({ text: 'hi' });
 */
@Injectable()
export class WebPubSubService {
  constructor(
    /** The instance's REST client (one per instance, shared by everything that sends for it). */
    readonly client: WebPubSubRestClient,
    /** The module instance this service belongs to (`default` unless registered with a `name`). */
    readonly instanceName: string,
  ) {}

  get hubName(): string {
    return this.client.hubName;
  }

  /** Service URL without a trailing slash. */
  get endpoint(): string {
    return this.client.endpoint;
  }

  get apiVersion(): string {
    return this.client.apiVersion;
  }

  get pipeline(): Pipeline {
    return this.client.pipeline;
  }

  hub(hubName: string): WebPubSubRestClient {
    return this.client.hub(hubName);
  }

  group(groupName: string): WebPubSubGroupClient {
    return this.client.group(groupName);
  }

  sendRequest(request: WebPubSubRequest, options?: OperationOptions): Promise<PipelineResponse> {
    return this.client.sendRequest(request, options);
  }

  sendToAll(message: string, options: HubSendTextToAllOptions): Promise<void>;
  sendToAll(message: JSONTypes | RequestBodyType, options?: HubSendToAllOptions | SendWithContentTypeOptions): Promise<void>;
  sendToAll(message: JSONTypes | RequestBodyType, options?: SendWithContentTypeOptions): Promise<void> {
    return this.client.sendToAll(message, options);
  }

  sendToUser(userId: string, message: string, options: HubSendTextToUserOptions): Promise<void>;
  sendToUser(userId: string, message: JSONTypes | RequestBodyType, options?: HubSendToUserOptions | SendWithContentTypeOptions): Promise<void>;
  sendToUser(userId: string, message: JSONTypes | RequestBodyType, options?: SendWithContentTypeOptions): Promise<void> {
    return this.client.sendToUser(userId, message, options);
  }

  sendToConnection(connectionId: string, message: string, options: HubSendTextToConnectionOptions): Promise<void>;
  sendToConnection(connectionId: string, message: JSONTypes | RequestBodyType, options?: HubSendToConnectionOptions | SendWithContentTypeOptions): Promise<void>;
  sendToConnection(connectionId: string, message: JSONTypes | RequestBodyType, options?: SendWithContentTypeOptions): Promise<void> {
    return this.client.sendToConnection(connectionId, message, options);
  }

  connectionExists(connectionId: string, options?: OperationOptions): Promise<boolean> {
    return this.client.connectionExists(connectionId, options);
  }

  groupExists(groupName: string, options?: OperationOptions): Promise<boolean> {
    return this.client.groupExists(groupName, options);
  }

  userExists(userId: string, options?: OperationOptions): Promise<boolean> {
    return this.client.userExists(userId, options);
  }

  closeConnection(connectionId: string, options?: HubCloseConnectionOptions): Promise<void> {
    return this.client.closeConnection(connectionId, options);
  }

  closeAllConnections(options?: HubCloseAllConnectionsOptions): Promise<void> {
    return this.client.closeAllConnections(options);
  }

  closeUserConnections(userId: string, options?: HubCloseUserConnectionsOptions): Promise<void> {
    return this.client.closeUserConnections(userId, options);
  }

  removeUserFromAllGroups(userId: string, options?: OperationOptions): Promise<void> {
    return this.client.removeUserFromAllGroups(userId, options);
  }

  removeConnectionFromAllGroups(connectionId: string, options?: OperationOptions): Promise<void> {
    return this.client.removeConnectionFromAllGroups(connectionId, options);
  }

  addConnectionsToGroups(groups: string[], filter: string, options?: OperationOptions): Promise<void> {
    return this.client.addConnectionsToGroups(groups, filter, options);
  }

  removeConnectionsFromGroups(groups: string[], filter: string, options?: OperationOptions): Promise<void> {
    return this.client.removeConnectionsFromGroups(groups, filter, options);
  }

  grantPermission(connectionId: string, permission: Permission, options?: HubGrantPermissionOptions): Promise<void> {
    return this.client.grantPermission(connectionId, permission, options);
  }

  revokePermission(connectionId: string, permission: Permission, options?: HubRevokePermissionOptions): Promise<void> {
    return this.client.revokePermission(connectionId, permission, options);
  }

  hasPermission(connectionId: string, permission: Permission, options?: HubHasPermissionOptions): Promise<boolean> {
    return this.client.hasPermission(connectionId, permission, options);
  }

  getServiceStatus(options?: OperationOptions): Promise<boolean> {
    return this.client.getServiceStatus(options);
  }

  getClientAccessToken(options?: GenerateClientTokenOptions): Promise<ClientTokenResponse> {
    return this.client.getClientAccessToken(options);
  }
}
