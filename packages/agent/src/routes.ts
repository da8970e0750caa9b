// Which methods each path of the protocol has (docs/protocol.md §1.2), so a known path asked with another method is
// refused with 405 and an Allow header, the same way on every device, before authentication is looked at.
import { API_BASE } from '@fieldflash/protocol';

const ROUTES: Array<[RegExp, readonly string[]]> = [
  [new RegExp(`^${API_BASE}/device$`), ['GET']],
  [new RegExp(`^${API_BASE}/auth/(challenge|response)$`), ['POST']],
  [new RegExp(`^${API_BASE}/updates$`), ['POST']],
  [new RegExp(`^${API_BASE}/updates/[0-9a-f]{64}$`), ['GET', 'PUT', 'DELETE']],
  [new RegExp(`^${API_BASE}/updates/[0-9a-f]{64}/commit$`), ['POST']],
  [new RegExp(`^${API_BASE}/reboot$`), ['POST']],
  [new RegExp(`^${API_BASE}/scheduled-reboot$`), ['PUT', 'DELETE']],
];
const WEBRTC = new RegExp(`^${API_BASE}/webrtc/offer$`);
const TEST_HOOKS = new RegExp(`^${API_BASE}/test/(health-check|power-cut|restart|expire-session|expire-challenges|timeouts)$`);

/** The methods `path` answers to, or null when the device has no such path (WebRTC and test hooks are optional). */
export function allowedMethods(path: string, offers: { webrtc: boolean; testHooks: boolean }): readonly string[] | null {
  for (const [pattern, methods] of ROUTES) if (pattern.test(path)) return methods;
  if ((offers.webrtc && WEBRTC.test(path)) || (offers.testHooks && TEST_HOOKS.test(path))) return ['POST'];
  return null;
}

/** The Allow header of a 405: the path's methods, and OPTIONS, which every path answers for CORS preflights. */
export function allowHeader(methods: readonly string[]): string {
  return [...methods, 'OPTIONS'].join(', ');
}
