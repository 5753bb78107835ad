import { createHash, randomUUID } from 'crypto';
import { NodeOperationError, type IDataObject, type IHookFunctions, type IWebhookFunctions } from 'n8n-workflow';

import { DEFAULT_CALL_OPTIONS, PINNED_API_VERSION, StripeClient, allPages, detailsOf } from '../transport';
import { forgetDeliveredEvents, triggerOf } from './deliveredEvents';

/** The only event a balance change shows up in. */
export const BALANCE_EVENTS = ['customer.updated'];

/** What the trigger keeps of its endpoint, in the node's static data (the only part of n8n that is saved with the workflow and survives restarts). */
export interface EndpointState {
	id: string;
	secret: string;
	url: string;
}

/** Test webhooks (the editor's "Listen for test event") get an endpoint of their own, with its own URL, kept apart. */
export function endpointStateKey(context: IHookFunctions | IWebhookFunctions): 'testEndpoint' | 'endpoint' {
	return context.getMode() === 'manual' ? 'testEndpoint' : 'endpoint';
}

export function endpointState(staticData: IDataObject, key: 'testEndpoint' | 'endpoint'): EndpointState | undefined {
	const state = staticData[key] as Partial<EndpointState> | undefined;
	return state?.id && state.secret && state.url ? (state as EndpointState) : undefined;
}

/**
 * This n8n instance's mark on the endpoints it creates. Several instances may share one Stripe account and even one
 * workflow (the same example imported twice keeps its webhook id), so the webhook id alone proves nothing. The mark
 * mixes n8n's instance id (from the instance's encryption key, the same in every process of a queue-mode cluster)
 * with a random id kept in the node's static data (`instanceTag`): a copy of the workflow with its static data in
 * another instance, or another instance with the same encryption key, gets a mark of its own.
 */
function instanceMark(context: IHookFunctions): string {
	const staticData = context.getWorkflowStaticData('node');
	if (typeof staticData.instanceTag !== 'string' || staticData.instanceTag === '') staticData.instanceTag = randomUUID();
	return createHash('sha256').update(`${context.getInstanceId()}:${staticData.instanceTag as string}`).digest('base64url').slice(0, 24);
}

/** Identifies the endpoints of one trigger node of this instance in Stripe, also those whose id and secret n8n lost. */
function ownerTag(context: IHookFunctions): Record<string, string> {
	const node = context.getNode();
	return {
		n8n_trigger: 'stripeCustomerBalanceTrigger',
		n8n_webhook_id: node.webhookId ?? node.id,
		n8n_webhook_kind: context.getMode() === 'manual' ? 'test' : 'production',
		n8n_instance: instanceMark(context),
	};
}

function webhookUrl(context: IHookFunctions): string {
	const url = context.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(context.getNode(), 'n8n gave this trigger no webhook URL');
	return url;
}

const options = { ...DEFAULT_CALL_OPTIONS, timeoutMs: 30_000 };

function explain(context: IHookFunctions, error: unknown): Error {
	const details = detailsOf(error);
	if (details?.statusCode === 403 || details?.statusCode === 401) {
		return new NodeOperationError(context.getNode(), `Stripe did not let this key manage webhook endpoints: ${details.message}`, {
			description:
				'The trigger creates and deletes its own webhook endpoint in Stripe. Use a secret key (sk_…), or a restricted key with write access to Webhook Endpoints (Stripe Dashboard > Developers > API keys), in the Stripe Customer Balance API credential.',
		});
	}
	return error instanceof Error ? error : new Error(String(error));
}

/**
 * Whether an endpoint is provably this trigger node's in this instance: its URL (only this instance receives there), or
 * its owner tag with this instance's mark. Another instance's endpoint of the same workflow (same webhook id, another
 * URL and mark) never is.
 */
export function isOwnEndpoint(endpoint: IDataObject, url: string, tag: Record<string, string>): boolean {
	const metadata = (endpoint.metadata ?? {}) as Record<string, string>;
	return endpoint.url === url || Object.entries(tag).every(([key, value]) => metadata[key] === value);
}

/** Every endpoint in the account that is this trigger node's in this instance (isOwnEndpoint). */
async function endpointsOfThisTrigger(context: IHookFunctions, client: StripeClient, url: string): Promise<IDataObject[]> {
	const tag = ownerTag(context);
	const endpoints = await allPages(client, { method: 'GET', path: '/v1/webhook_endpoints', params: { limit: 100 }, itemIndex: 0, options });
	return endpoints.filter((endpoint) => isOwnEndpoint(endpoint, url, tag));
}

async function deleteEndpoint(client: StripeClient, id: string): Promise<void> {
	const failure = await client
		.send({ method: 'DELETE', path: `/v1/webhook_endpoints/${encodeURIComponent(id)}`, itemIndex: 0, options })
		.then(() => undefined, (error: unknown) => error);
	// Already gone (deleted in the Dashboard) is what was wanted.
	if (failure !== undefined && detailsOf(failure)?.statusCode !== 404) throw failure;
}

/**
 * Keeps at most the one endpoint whose id and secret this node holds, and only if it still has this URL, is enabled
 * and listens to the balance events; deletes every other endpoint of this node (ones whose secret was lost can never
 * be verified, and would count against Stripe's limit of 16). Returns whether the kept endpoint is usable.
 */
async function reconcile(context: IHookFunctions, client: StripeClient): Promise<boolean> {
	const staticData = context.getWorkflowStaticData('node');
	const key = endpointStateKey(context);
	const state = endpointState(staticData, key);
	const url = webhookUrl(context);
	const endpoints = await endpointsOfThisTrigger(context, client, url);
	const kept = endpoints.find(
		(endpoint) =>
			endpoint.id === state?.id &&
			state?.url === url &&
			endpoint.url === url &&
			endpoint.status === 'enabled' &&
			JSON.stringify(endpoint.enabled_events) === JSON.stringify(BALANCE_EVENTS),
	);
	for (const endpoint of endpoints) {
		if (endpoint !== kept) await deleteEndpoint(client, endpoint.id as string);
	}
	if (!kept) delete staticData[key];
	return kept !== undefined;
}

export async function checkExists(this: IHookFunctions): Promise<boolean> {
	try {
		return await reconcile(this, await StripeClient.connect(this));
	} catch (error) {
		throw explain(this, error);
	}
}

export async function create(this: IHookFunctions): Promise<boolean> {
	const url = webhookUrl(this);
	const workflow = this.getWorkflow();
	let endpoint: IDataObject;
	try {
		const client = await StripeClient.connect(this);
		endpoint = await client.send({
			method: 'POST',
			path: '/v1/webhook_endpoints',
			params: {
				url,
				enabled_events: BALANCE_EVENTS,
				api_version: PINNED_API_VERSION,
				description: `n8n: ${workflow.name ?? workflow.id} / ${this.getNode().name}`.slice(0, 5000),
				metadata: ownerTag(this),
			},
			itemIndex: 0,
			// One key per create: a reply lost on the way back is replayed, never a second endpoint. Not reused later: a
			// replay of an endpoint since deleted would hand back a secret that verifies nothing.
			options: { ...options, idempotencyKey: `n8n-endpoint-${randomUUID()}` },
		});
	} catch (error) {
		throw explain(this, error);
	}
	if (typeof endpoint.id !== 'string' || typeof endpoint.secret !== 'string') {
		throw new NodeOperationError(this.getNode(), 'Stripe created the webhook endpoint but sent no id or secret');
	}
	const state: EndpointState = { id: endpoint.id, secret: endpoint.secret, url };
	this.getWorkflowStaticData('node')[endpointStateKey(this)] = state as unknown as IDataObject;
	return true;
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	const staticData = this.getWorkflowStaticData('node');
	const key = endpointStateKey(this);
	const state = endpointState(staticData, key);
	const trigger = triggerOf(this);
	try {
		const client = await StripeClient.connect(this);
		const url = webhookUrl(this);
		// The endpoint held is deleted only when it was made for this URL: static data copied from another instance
		// names that instance's endpoint.
		if (state && state.url === url) await deleteEndpoint(client, state.id);
		for (const endpoint of await endpointsOfThisTrigger(this, client, url)) {
			await deleteEndpoint(client, endpoint.id as string);
		}
	} catch {
		// n8n goes on unpublishing; the endpoint is found by its URL or tag and deleted at the next publish.
		return false;
	} finally {
		if (state) forgetDeliveredEvents({ ...trigger, endpointId: state.id });
	}
	delete staticData[key];
	return true;
}
