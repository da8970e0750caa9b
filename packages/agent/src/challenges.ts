// Open challenges, bound to their requester: the network address and client id that asked (docs/protocol.md §3.2).
// A flood from one requester only ever pushes out that requester's own oldest challenges; one address cannot hold
// more than its share, and when the device as a whole is full it refuses new challenges instead of dropping
// anyone's, so nobody can evict the owner's open challenge.
import { randomBytes } from 'node:crypto';
import { toBase64 } from '@fieldflash/protocol';

/** Open challenges one requester may hold; a new one pushes out its own oldest. */
export const CHALLENGES_PER_REQUESTER = 8;
/** Open challenges one network address may hold across its client ids; beyond, it waits. */
export const CHALLENGES_PER_ADDRESS = 256;
/** Open challenges in all; beyond, new requesters wait for the oldest to lapse. */
export const CHALLENGES_IN_ALL = 1024;

export interface Requester {
  /** The peer's network address as the device sees it. */
  address: string;
  clientId: string;
}

export interface OpenChallenge {
  id: string;
  nonce: string;
  requester: string;
  address: string;
  expiresAt: number;
}

export function requesterKey(r: Requester): string {
  return `${r.address}|${r.clientId}`;
}

export class Challenges {
  /** In the order they were issued, so the first is the oldest. */
  private readonly open = new Map<string, OpenChallenge>();
  private readonly byRequester = new Map<string, string[]>();
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** A new challenge for `requester`, or the seconds until one can be issued. */
  issue(requester: Requester, ttlMs: number): OpenChallenge | { retryAfterSeconds: number } {
    this.sweep();
    const key = requesterKey(requester);
    const own = this.byRequester.get(key) ?? [];
    if (own.length >= CHALLENGES_PER_REQUESTER) this.remove(this.open.get(own[0]!)!);
    else if ((this.byAddress.get(requester.address) ?? 0) >= CHALLENGES_PER_ADDRESS || this.open.size >= CHALLENGES_IN_ALL) {
      const oldest = this.oldestOf(this.open.size >= CHALLENGES_IN_ALL ? undefined : requester.address);
      return { retryAfterSeconds: Math.max(1, Math.ceil(((oldest?.expiresAt ?? this.now()) - this.now()) / 1000)) };
    }
    const challenge: OpenChallenge = {
      id: randomBytes(12).toString('hex'),
      nonce: toBase64(randomBytes(16)),
      requester: key,
      address: requester.address,
      expiresAt: this.now() + ttlMs,
    };
    this.open.set(challenge.id, challenge);
    this.byRequester.set(key, [...(this.byRequester.get(key) ?? []), challenge.id]);
    this.byAddress.set(requester.address, (this.byAddress.get(requester.address) ?? 0) + 1);
    return challenge;
  }

  /**
   * The open challenge `id` if it was issued to `requester` and has not lapsed. A challenge of another requester is
   * not found: answering it neither uses it up nor tells anything about it.
   */
  find(id: string, requester: Requester): OpenChallenge | undefined {
    const challenge = this.open.get(id);
    if (!challenge || challenge.requester !== requesterKey(requester) || challenge.expiresAt <= this.now()) return undefined;
    return challenge;
  }

  /** Uses a challenge up: each allows exactly one proof. */
  remove(challenge: OpenChallenge): void {
    if (!this.open.delete(challenge.id)) return;
    const own = (this.byRequester.get(challenge.requester) ?? []).filter((id) => id !== challenge.id);
    if (own.length > 0) this.byRequester.set(challenge.requester, own);
    else this.byRequester.delete(challenge.requester);
    const count = (this.byAddress.get(challenge.address) ?? 1) - 1;
    if (count > 0) this.byAddress.set(challenge.address, count);
    else this.byAddress.delete(challenge.address);
  }

  /** Lapses every open challenge now (the test hook). */
  expireAll(): void {
    for (const challenge of this.open.values()) challenge.expiresAt = this.now();
  }

  clear(): void {
    this.open.clear();
    this.byRequester.clear();
    this.byAddress.clear();
  }

  private oldestOf(address: string | undefined): OpenChallenge | undefined {
    for (const challenge of this.open.values()) if (address === undefined || challenge.address === address) return challenge;
    return undefined;
  }

  private sweep(): void {
    const now = this.now();
    for (const challenge of [...this.open.values()]) if (challenge.expiresAt <= now) this.remove(challenge);
  }
}
