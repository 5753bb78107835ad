/**
 * Sends events to webhook endpoints as Stripe does: a signed JSON POST per subscribed endpoint, after the change is
 * committed; retried on a non-2xx answer or a lost connection, on a compressed schedule, each retry signed afresh.
 * Scripted faults (a forged signature, a stale timestamp, the same delivery twice at once) are consumed one per event.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import type { CancellableTimers } from '../timers';
import type { StripeEvent, WebhookDelivery, WebhookFault, WebhookSettings } from '../types';
import type { StoredEndpoint } from './endpointStore';
import { signatureHeader } from './signature';

const FORGING_SECRET = 'whsec_notTheEndpointsSecret00000000000';
/** Stripe's libraries refuse timestamps more than 5 minutes old; 10 minutes is surely stale. */
const STALE_BY_SECONDS = 600;

export const defaultWebhookSettings = (): WebhookSettings => ({ retryDelaysMs: [200, 1000, 3000], script: [] });

function post(url: string, body: string, signature: string): Promise<{ status: number | null; reply?: string; error?: string }> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        agent: false,
        timeout: 30_000,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signature,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? null, reply: Buffer.concat(chunks).toString('utf8').slice(0, 2000) }));
        res.on('error', (error) => resolve({ status: null, error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve({ status: null, error: error.message }));
    req.end(body);
  });
}

export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  settings: WebhookSettings = defaultWebhookSettings();
  private pending = 0;
  private idle: Array<() => void> = [];
  private closed = false;

  constructor(private readonly timers: CancellableTimers) {}

  update(settings: Partial<WebhookSettings>): void {
    this.settings = { ...this.settings, ...settings, script: [...(settings.script ?? this.settings.script)] };
  }

  reset(): void {
    this.settings = defaultWebhookSettings();
    this.deliveries.length = 0;
  }

  /** After the change that made the event is committed (and its reply on its way): deliveries never race the reply. */
  dispatch(event: StripeEvent, endpoints: StoredEndpoint[]): void {
    if (endpoints.length === 0) return;
    const fault = this.settings.script.shift()?.fault;
    for (const endpoint of endpoints) this.track(() => this.deliver(event, endpoint, 1, fault, true));
  }

  /** Stripe's "Resend": the event once more to each endpoint, correctly signed; resolves with the attempts made. */
  async redeliver(event: StripeEvent, endpoints: StoredEndpoint[]): Promise<WebhookDelivery[]> {
    const made: WebhookDelivery[] = [];
    await Promise.all(endpoints.map(async (endpoint) => made.push(...(await this.deliver(event, endpoint, 1, undefined, false)))));
    return made;
  }

  /** No new attempt after this (the sandbox is closing). */
  close(): void {
    this.closed = true;
  }

  /** Resolves when no delivery, and no retry of one, is pending. */
  settle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private track(work: () => Promise<unknown>): void {
    this.pending += 1;
    setImmediate(() => {
      work().finally(() => {
        this.pending -= 1;
        if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
    });
  }

  private async deliver(event: StripeEvent, endpoint: StoredEndpoint, attempt: number, fault: WebhookFault | undefined, retry: boolean): Promise<WebhookDelivery[]> {
    if (this.closed) return [];
    const body = JSON.stringify({ ...event, api_version: endpoint.api_version }, null, 2);
    const now = Math.floor(Date.now() / 1000);
    const signature = signatureHeader(
      body,
      fault === 'forged-signature' ? FORGING_SECRET : endpoint.secret,
      fault === 'stale-timestamp' ? now - STALE_BY_SECONDS : now,
    );
    const copies = fault === 'duplicate' ? 2 : 1;
    const attempts = await Promise.all(
      Array.from({ length: copies }, async () => {
        const record: WebhookDelivery = { eventId: event.id, endpointId: endpoint.id, url: endpoint.url, attempt, signatureHeader: signature, body, status: null, at: Date.now() };
        if (fault) record.fault = fault;
        this.deliveries.push(record);
        const outcome = await post(endpoint.url, body, signature);
        record.answeredAt = Date.now();
        record.status = outcome.status;
        if (outcome.reply !== undefined) record.reply = outcome.reply;
        if (outcome.error !== undefined) record.error = outcome.error;
        return record;
      }),
    );
    const delivered = attempts.some((record) => record.status !== null && record.status >= 200 && record.status < 300);
    // A scripted fault is a test's probe: it is not retried (Stripe would retry it, signed correctly).
    const delay = this.settings.retryDelaysMs[attempt - 1];
    if (delivered || fault || !retry || delay === undefined) return attempts;
    await this.timers.sleep(delay);
    return [...attempts, ...(await this.deliver(event, endpoint, attempt + 1, undefined, true))];
  }
}
