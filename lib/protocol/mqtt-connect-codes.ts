/*
 * How the service reads a refused MQTT connect: the HTTP status of the event answer and the MQTT
 * CONNACK code in its body must agree. MQTT 3.1.1 return codes are below 0x80, MQTT 5 reason codes
 * from 0x80 up (OASIS MQTT 3.1.1 §3.2.2.3, MQTT 5.0 §3.2.2.2).
 */

const V311_STATUS: Record<number, number> = { 1: 400, 2: 400, 3: 503, 4: 401, 5: 401 };
const V5_STATUS: Record<number, number> = {
  135: 401,
  134: 401,
  133: 400,
  129: 400,
  132: 400,
  140: 400,
  144: 400,
  153: 400,
  131: 400,
  149: 400,
  154: 400,
  155: 400,
  151: 429,
  159: 429,
  138: 403,
  156: 500,
  157: 500,
  136: 500,
  137: 500,
  128: 500,
};

/** The HTTP status that carries an MQTT connect refusal code (500 for a code the service does not know). */
export function statusOfMqttConnectCode(code: number): number {
  return (code < 0x80 ? V311_STATUS[code] : V5_STATUS[code]) ?? 500;
}

/**
 * The MQTT code for a connect refused with an HTTP status: 400 bad credentials, 401 not authorized,
 * anything else "server unavailable" (3.1.1) or "unspecified error" (5).
 */
export function mqttConnectCodeOfStatus(status: number, protocolVersion: number | undefined): number {
  if (protocolVersion === 5) return status === 400 ? 134 : status === 401 ? 135 : 128;
  if (protocolVersion === 4) return status === 400 ? 4 : status === 401 ? 5 : 3;
  return 1; // unacceptable protocol version
}
