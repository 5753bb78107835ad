/** One account's webhook endpoints: what Stripe keeps of each, its signing secret, and the limit of 16. */
import { randomAlphanumeric } from '../ids';
import type { StripeWebhookEndpoint } from '../types';

/** Stripe refuses a 17th endpoint per account (as n8n-io/n8n#23893 reports). */
export const MAX_WEBHOOK_ENDPOINTS = 16;

export type StoredEndpoint = StripeWebhookEndpoint & { secret: string };

export interface NewEndpointFields {
  url: string;
  enabled_events: string[];
  api_version: string;
  description: string | null;
  metadata: Record<string, string>;
}

export const newEndpointId = () => `we_${randomAlphanumeric(24)}`;
export const newEndpointSecret = () => `whsec_${randomAlphanumeric(32)}`;

export class WebhookEndpointStore {
  private readonly endpoints = new Map<string, StoredEndpoint>();

  get count(): number {
    return this.endpoints.size;
  }

  add(fields: NewEndpointFields, created: number): StoredEndpoint {
    const endpoint: StoredEndpoint = {
      id: newEndpointId(),
      object: 'webhook_endpoint',
      api_version: fields.api_version,
      application: null,
      created,
      description: fields.description,
      enabled_events: fields.enabled_events,
      livemode: false,
      metadata: fields.metadata,
      status: 'enabled',
      url: fields.url,
      secret: newEndpointSecret(),
    };
    this.endpoints.set(endpoint.id, endpoint);
    return endpoint;
  }

  find(id: string): StoredEndpoint | undefined {
    return this.endpoints.get(id);
  }

  delete(id: string): boolean {
    return this.endpoints.delete(id);
  }

  newestFirst(): StoredEndpoint[] {
    return [...this.endpoints.values()].reverse();
  }

  /** Enabled endpoints that subscribe to this event type (or to every type). */
  subscribedTo(type: string): StoredEndpoint[] {
    return [...this.endpoints.values()].filter(
      (endpoint) => endpoint.status === 'enabled' && (endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type)),
    );
  }

  clear(): void {
    this.endpoints.clear();
  }
}

/** The endpoint as the API shows it after creation: the secret is never shown again. */
export function renderEndpoint(endpoint: StoredEndpoint): StripeWebhookEndpoint {
  const { secret: _secret, ...shown } = structuredClone(endpoint);
  return shown;
}
