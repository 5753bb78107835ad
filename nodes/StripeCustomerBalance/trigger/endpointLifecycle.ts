import { createHash, randomUUID } from 'crypto';
import { NodeOperationError, type IDataObject, type IHookFunctions } from 'n8n-workflow';

import { DEFAULT_CALL_OPTIONS, PINNED_API_VERSION, StripeClient, allPages, detailsOf } from '../transport';
import { forgetDeliveredEvents, triggerOf } from './deliveredEvents';
import { UNUSABLE, endpointStateKey, keepEndpoint, keptEndpoint, openKeptSecret, sealingKeyOf, type KeptEndpoint } from './endpointState';

/** The only event a balance change shows up in. */
export const BALANCE_EVENTS = ['customer.updated'];

/**
 * This n8n instance's mark on the endpoints it creates, for people reading them in Stripe's Dashboard: n8n's instance
 * id (from the encryption key) mixed with a random id kept in the node's static data (`instanceTag`). It proves
 * nothing: a copy of the database (a staging instance restored from production's backup) carries the same mark.
 */
function instanceMark(context: IHookFunctions): string {
	const staticData = context.getWorkflowStaticData('node');
	if (typeof staticData.instanceTag !== 'string' || staticData.instanceTag === '') staticData.instanceTag = randomUUID();
	return createHash('sha256').update(`${context.getInstanceId()}:${staticData.instanceTag as string}`).digest('base64url').slice(0, 24);
}

/** Names the trigger node and the instance that created an endpoint (informative only: see isOwnEndpoint). */
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
 * Whether an endpoint is this trigger node's in this instance: its URL, where only this instance receives. Nothing
 * else counts, not even the tag with this instance's mark or the id the static data holds: both are copied with the
 * database, and a staging copy of production would otherwise delete production's endpoint.
 */
export function isOwnEndpoint(endpoint: IDataObject, url: string): boolean {
	return endpoint.url === url;
}

/** Every endpoint in the account that is this trigger node's in this instance (isOwnEndpoint). */
async function endpointsOfThisTrigger(client: StripeClient, url: string): Promise<IDataObject[]> {
	const endpoints = await allPages(client, { method: 'GET', path: '/v1/webhook_endpoints', params: { limit: 100 }, itemIndex: 0, options });
	return endpoints.filter((endpoint) => isOwnEndpoint(endpoint, url));
}

async function deleteEndpoint(client: StripeClient, id: string): Promise<void> {
	const failure = await client
		.send({ method: 'DELETE', path: `/v1/webhook_endpoints/${encodeURIComponent(id)}`, itemIndex: 0, options })
		.then(() => undefined, (error: unknown) => error);
	// Already gone (deleted in the Dashboard) is what was wanted.
	if (failure !== undefined && detailsOf(failure)?.statusCode !== 404) throw failure;
}

/**
 * Keeps at most the one endpoint whose id and secret this node holds, and only if it still has this URL, is enabled,
 * listens to the balance events and its secret opens with the credential's key; deletes every other endpoint at this
 * URL (ones whose secret was lost can never be verified, and would count against Stripe's limit of 16). Returns
 * whether the kept endpoint is usable; when one is held but not kept, n8n's log says why.
 */
async function reconcile(context: IHookFunctions, client: StripeClient): Promise<boolean> {
	const staticData = context.getWorkflowStaticData('node');
	const key = endpointStateKey(context);
	const state = keptEndpoint(staticData, key);
	const url = webhookUrl(context);
	const endpoints = await endpointsOfThisTrigger(client, url);
	const held = state?.kind === 'unusable' ? undefined : state;
	const listed = endpoints.find((endpoint) => endpoint.id === held?.id && held?.url === url);
	const usable =
		listed !== undefined && listed.status === 'enabled' && JSON.stringify(listed.enabled_events) === JSON.stringify(BALANCE_EVENTS);
	const opened = usable ? openKeptSecret(staticData, key, state, await sealingKeyOf(context)) : undefined;
	const kept = opened && 'secret' in opened ? listed : undefined;
	for (const endpoint of endpoints) {
		if (endpoint !== kept) await deleteEndpoint(client, endpoint.id as string);
	}
	if (state && !kept) {
		const why = opened && 'problem' in opened ? opened.problem : replacedBecause(state, listed, url);
		context.logger.warn(`Stripe Customer Balance Trigger: a new webhook endpoint is created: ${why}.`, {
			workflowId: context.getWorkflow().id,
			nodeName: context.getNode().name,
		});
	}
	if (!kept) delete staticData[key];
	return kept !== undefined;
}

function replacedBecause(state: KeptEndpoint, listed: IDataObject | undefined, url: string): string {
	if (state.kind === 'unusable') return UNUSABLE;
	if (state.url !== url) return `the endpoint n8n keeps was made for another URL (${state.url}), not this instance's; it is left as it is`;
	if (!listed) return `the endpoint ${state.id} is no longer in Stripe (deleted in the Dashboard?)`;
	return `the endpoint ${state.id} is disabled or listens to other events; it is deleted`;
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
	keepEndpoint(this.getWorkflowStaticData('node'), endpointStateKey(this), { id: endpoint.id, url, secret: endpoint.secret }, await sealingKeyOf(this));
	return true;
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	const staticData = this.getWorkflowStaticData('node');
	const key = endpointStateKey(this);
	const state = keptEndpoint(staticData, key);
	const trigger = triggerOf(this);
	try {
		const client = await StripeClient.connect(this);
		// Only what is at this instance's URL: the id the static data holds may be another instance's (copied data).
		for (const endpoint of await endpointsOfThisTrigger(client, webhookUrl(this))) {
			await deleteEndpoint(client, endpoint.id as string);
		}
	} catch {
		// n8n goes on unpublishing; the endpoint is found at its URL and deleted at the next publish.
		return false;
	} finally {
		if (state && state.kind !== 'unusable') forgetDeliveredEvents({ ...trigger, endpointId: state.id });
	}
	delete staticData[key];
	return true;
}
