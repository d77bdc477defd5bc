/**
 * Web API calls whose failure must not lose a decision: the WebClient already
 * retries (429 after Retry-After, network and 5xx errors with back-off); when it
 * finally gives up, the failure is logged and audited and the caller goes on
 * (the store, not the Slack message, is the truth; the next render repairs it).
 */
import { audit } from '../../core/store/db';
import type { BotDeps } from '../deps';

export function slackErrorCode(e: unknown): string {
  const err = e as { code?: string; data?: { error?: string }; message?: string };
  return err?.data?.error ?? err?.code ?? err?.message ?? String(e);
}

export async function tryCall<T>(deps: BotDeps, what: string, call: () => Promise<T>, draftId?: string): Promise<T | undefined> {
  try {
    return await call();
  } catch (e) {
    const code = slackErrorCode(e);
    deps.logger.error(`Slack ${what} failed: ${code}`);
    audit(deps.db, { actor: 'bot', action: 'slack_error', draftId, after: { call: what, error: code } });
    return undefined;
  }
}

/** An ephemeral note to one user in a channel (best effort). */
export async function tellUser(deps: BotDeps, client: import('../deps').SlackClient, channel: string | undefined, user: string, text: string): Promise<void> {
  if (!channel) return;
  await tryCall(deps, 'chat.postEphemeral', () => client.chat.postEphemeral({ channel, user, text }));
}

/**
 * Lets the event loop flush the HTTP ack to the socket before CPU-heavy work
 * (model inference runs synchronously on the main thread).
 */
export function afterAck(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
