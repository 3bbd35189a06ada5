import { HttpException } from '@nestjs/common';
import { mqttConnectCodeOfStatus, statusOfMqttConnectCode } from '../protocol/mqtt-connect-codes.js';
import type {
  MqttConnectErrorResponse,
  MqttConnectionContextProperties,
  MqttConnectProperties,
} from './events.types.js';

/**
 * Thrown by an `@OnConnect` handler to refuse an MQTT client with a CONNACK code of its choice
 * (`@azure/web-pubsub-express`'s `failWith({ mqtt })`). The HTTP status follows from the code.
 */
export class MqttConnectError extends HttpException {
  constructor(readonly answer: MqttConnectErrorResponse) {
    super(answer, statusOfMqttConnectCode(answer.mqtt.code));
  }
}

type HeaderOf = (name: string) => string | undefined;

/** An MQTT client's event: an `mqtt` subprotocol and a physical connection id, as the service marks them. */
export function mqttContextOf(header: HeaderOf): MqttConnectionContextProperties | undefined {
  const subprotocol = header('ce-subprotocol');
  const physicalConnectionId = header('ce-physicalconnectionid');
  if (!subprotocol?.toLowerCase().includes('mqtt') || physicalConnectionId === undefined) return undefined;
  const sessionId = header('ce-sessionid');
  return sessionId === undefined ? { physicalConnectionId } : { physicalConnectionId, sessionId };
}

/**
 * A refused MQTT connect answers JSON `{ mqtt: { code, reason } }`, so the client gets a CONNACK code:
 * the handler's own (`MqttConnectError`), or one derived from the HttpException's status.
 */
export function mqttRefusal(
  error: HttpException,
  connect: MqttConnectProperties | undefined,
): { status: number; body: string } {
  if (error instanceof MqttConnectError) return { status: error.getStatus(), body: JSON.stringify(error.answer) };
  const status = error.getStatus();
  const answer: MqttConnectErrorResponse = {
    mqtt: { code: mqttConnectCodeOfStatus(status, connect?.protocolVersion), reason: error.message },
  };
  return { status, body: JSON.stringify(answer) };
}
