/** /v1/webhook_endpoints: create, retrieve, update, delete, list (per account; at most 16; the secret shown once). */
import { invalidArray, invalidString, parameterMissing, resourceMissing, StripeApiError, tooManyWebhookEndpoints } from '../errors';
import { asArray, hasOwn, type FormObject } from '../forms';
import { DEFAULT_API_VERSION, isValidApiVersion } from '../headers';
import { paginate } from '../pagination';
import type { Route } from '../route';
import { applyMetadata, readCursor, readLimit, readMetadata, readString, rejectUnknownParams, requireParams } from '../validation';
import { MAX_WEBHOOK_ENDPOINTS, renderEndpoint } from '../webhooks/endpointStore';
import { listObject } from './listing';

/** The event types this sandbox knows (enough for the tests; Stripe knows hundreds). */
const KNOWN_EVENT_TYPES = new Set([
  '*',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'customer_cash_balance_transaction.created',
  'invoice.paid',
  'invoice.created',
  'charge.succeeded',
]);

const unknownEndpoint = (id: string) => resourceMissing('webhook endpoint', id, 'webhook_endpoint');

function readUrl(params: FormObject): string | undefined {
  const url = readString(params, 'url', 2048);
  if (url === undefined || url === null) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidString('url', url);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalidString('url', url);
  return url;
}

function readEnabledEvents(params: FormObject): string[] | undefined {
  if (!hasOwn(params, 'enabled_events')) return undefined;
  const items = asArray(params.enabled_events);
  if (items === undefined || items.length === 0 || items.some((item) => typeof item !== 'string')) throw invalidArray('enabled_events');
  const events = items as string[];
  const unknown = events.find((type) => !KNOWN_EVENT_TYPES.has(type));
  if (unknown !== undefined) {
    throw new StripeApiError(400, { type: 'invalid_request_error', message: `Invalid enabled_events: '${unknown}' is not a valid event type.`, param: 'enabled_events' });
  }
  return [...new Set(events)];
}

function readDisabled(params: FormObject): boolean | undefined {
  if (!hasOwn(params, 'disabled')) return undefined;
  if (params.disabled === 'true') return true;
  if (params.disabled === 'false') return false;
  throw new StripeApiError(400, { type: 'invalid_request_error', message: 'Invalid boolean: disabled must be true or false.', param: 'disabled' });
}

const createEndpoint: Route = {
  method: 'POST',
  template: '/v1/webhook_endpoints',
  prepare({ params }) {
    rejectUnknownParams(params, ['api_version', 'connect', 'description', 'enabled_events', 'expand', 'metadata', 'url']);
    requireParams(params, ['url']);
    const url = readUrl(params)!;
    const enabledEvents = readEnabledEvents(params);
    if (enabledEvents === undefined) throw parameterMissing('enabled_events');
    const apiVersion = readString(params, 'api_version', 100) ?? DEFAULT_API_VERSION;
    if (!isValidApiVersion(apiVersion)) {
      throw new StripeApiError(400, { type: 'invalid_request_error', message: `Invalid api_version: ${apiVersion}`, param: 'api_version' });
    }
    const description = readString(params, 'description') ?? null;
    const metadata = readMetadata(params);
    return {
      run(ledger) {
        if (ledger.webhookEndpoints.count >= MAX_WEBHOOK_ENDPOINTS) throw tooManyWebhookEndpoints(MAX_WEBHOOK_ENDPOINTS);
        const endpoint = ledger.webhookEndpoints.add(
          { url, enabled_events: enabledEvents, api_version: apiVersion, description, metadata: metadata === undefined ? {} : applyMetadata({}, metadata) },
          ledger.nowSeconds(),
        );
        // The one reply that carries the signing secret.
        return { ...renderEndpoint(endpoint), secret: endpoint.secret };
      },
    };
  },
};

const retrieveEndpoint: Route = {
  method: 'GET',
  template: '/v1/webhook_endpoints/:endpoint',
  prepare({ params, path }) {
    rejectUnknownParams(params, ['expand']);
    return {
      run(ledger) {
        const endpoint = ledger.webhookEndpoints.find(path.endpoint);
        if (!endpoint) throw unknownEndpoint(path.endpoint);
        return renderEndpoint(endpoint);
      },
    };
  },
};

const updateEndpoint: Route = {
  method: 'POST',
  template: '/v1/webhook_endpoints/:endpoint',
  prepare({ params, path }) {
    rejectUnknownParams(params, ['description', 'disabled', 'enabled_events', 'expand', 'metadata', 'url']);
    const url = readUrl(params);
    const enabledEvents = readEnabledEvents(params);
    const description = readString(params, 'description');
    const metadata = readMetadata(params);
    const disabled = readDisabled(params);
    return {
      run(ledger) {
        const endpoint = ledger.webhookEndpoints.find(path.endpoint);
        if (!endpoint) throw unknownEndpoint(path.endpoint);
        if (url !== undefined) endpoint.url = url;
        if (enabledEvents !== undefined) endpoint.enabled_events = enabledEvents;
        if (description !== undefined) endpoint.description = description;
        if (metadata !== undefined) endpoint.metadata = applyMetadata(endpoint.metadata, metadata);
        if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
        return renderEndpoint(endpoint);
      },
    };
  },
};

const deleteEndpoint: Route = {
  method: 'DELETE',
  template: '/v1/webhook_endpoints/:endpoint',
  prepare({ params, path }) {
    rejectUnknownParams(params, []);
    return {
      run(ledger) {
        if (!ledger.webhookEndpoints.delete(path.endpoint)) throw unknownEndpoint(path.endpoint);
        return { id: path.endpoint, object: 'webhook_endpoint', deleted: true };
      },
    };
  },
};

const listEndpoints: Route = {
  method: 'GET',
  template: '/v1/webhook_endpoints',
  prepare({ params }) {
    rejectUnknownParams(params, ['ending_before', 'expand', 'limit', 'starting_after']);
    const limit = readLimit(params);
    const cursor = readCursor(params);
    return {
      run(ledger) {
        const page = paginate(ledger.webhookEndpoints.newestFirst(), () => true, limit, cursor, (id, param) => resourceMissing('webhook endpoint', id, param, 400));
        return listObject(page, '/v1/webhook_endpoints', renderEndpoint);
      },
    };
  },
};

export const webhookEndpointRoutes: Route[] = [createEndpoint, listEndpoints, retrieveEndpoint, updateEndpoint, deleteEndpoint];
