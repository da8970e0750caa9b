// Turning a transport's reply into a typed message or a DeviceRefusal carrying the device's own sentence.

import { DeviceRefusal, ERROR_CODES, isErrorCode, parseErrorBody } from './error-codes.ts';
import { MessageError } from './fields.ts';
import type { Reply } from './transport.ts';

export function refusalOf(reply: Reply): DeviceRefusal {
  try {
    const { error } = parseErrorBody(reply.body);
    if (reply.retryAfter !== undefined && error.retryAfterSeconds === undefined) error.retryAfterSeconds = reply.retryAfter;
    return new DeviceRefusal(reply.status, error);
  } catch {
    const code = Object.entries(ERROR_CODES).find(([, e]) => e.status === reply.status)?.[0];
    const known = isErrorCode(code) ? ERROR_CODES[code].message : '';
    return new DeviceRefusal(reply.status, {
      code: 'bad-reply',
      message: `The device answered with status ${reply.status} and no readable reason. ${known}`.trim(),
    });
  }
}

/** The reply's body parsed as `parse` expects, or the device's refusal thrown. */
export function expectOk<T>(reply: Reply, parse: (json: unknown) => T, what: string): T {
  if (reply.status < 200 || reply.status > 299) throw refusalOf(reply);
  try {
    return parse(reply.body);
  } catch (err) {
    if (err instanceof MessageError) {
      throw new DeviceRefusal(reply.status, { code: 'bad-reply', message: `The device's reply to ${what} is not protocol v1: ${err.message}` });
    }
    throw err;
  }
}
