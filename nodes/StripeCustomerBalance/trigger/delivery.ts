import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { StripeClient } from '../transport';
import { balanceChangesOf, isObject, passesFilter, type Json } from './balanceChanges';
import { causingTransaction } from './causingTransaction';
import { readTriggerChoices } from './description';
import { acceptEvent } from './deliveredEvents';
import { endpointState } from './endpointLifecycle';
import { verifySignature } from './signature';

/** Answers without starting an execution. Nothing of the request is logged or echoed. */
function answer(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

function headerValue(context: IWebhookFunctions, name: string): string | undefined {
	const value = context.getHeaderData()[name];
	return Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : undefined;
}

/**
 * One delivery from Stripe: verified (else 401, no execution), claimed once per event id (a copy answers 200 so that
 * Stripe stops retrying, and starts nothing), then one item per balance change that passes the filter.
 */
export async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const staticData = this.getWorkflowStaticData('node');
	const testing = this.getMode() === 'manual';
	const endpoint = endpointState(staticData, testing ? 'testEndpoint' : 'endpoint');
	const rawBody = (this.getRequestObject() as { rawBody?: Buffer }).rawBody;
	const nowSeconds = Math.floor(Date.now() / 1000);
	const verdict = verifySignature(rawBody, headerValue(this, 'stripe-signature'), endpoint?.secret, nowSeconds);
	if (!verdict.valid) return answer(this, 401, { error: `Signature refused: ${verdict.reason}.` });

	let event: Json;
	try {
		const parsed: unknown = JSON.parse(rawBody!.toString('utf8'));
		if (!isObject(parsed)) throw new Error('not an object');
		event = parsed;
	} catch {
		return answer(this, 400, { error: 'The signed body is not a JSON event.' });
	}
	if (event.type !== 'customer.updated' || typeof event.id !== 'string' || typeof event.created !== 'number') {
		return answer(this, 200, { received: true, started: false, reason: 'not a customer.updated event' });
	}

	const filter = readTriggerChoices(this).changes;
	const changes = balanceChangesOf(event).filter((change) => passesFilter(change, filter));
	if (changes.length === 0) return answer(this, 200, { received: true, started: false, reason: 'no balance change that passes the filter' });

	// Before the claim: a key n8n cannot read fails the request (Stripe retries it) rather than lose the event.
	const client = await StripeClient.connect(this);
	const trigger = `${this.getWorkflow().id ?? ''}\u0000${this.getNode().id}`;
	const acceptance = acceptEvent(trigger, event.id, event.created, staticData, nowSeconds);
	if (acceptance === 'alreadyDelivered') return answer(this, 200, { received: true, started: false, reason: 'event already delivered' });
	if (acceptance === 'tooOld') return answer(this, 200, { received: true, started: false, reason: 'event older than the trigger remembers' });

	const data = event.data as Json;
	const customer = data.object as Json;
	const items: INodeExecutionData[] = [];
	for (const change of changes) {
		const cause = await causingTransaction(client, String(customer.id), event.created, change);
		items.push({
			json: {
				eventId: event.id,
				eventCreated: new Date(event.created * 1000).toISOString(),
				livemode: event.livemode === true,
				customer: { id: customer.id ?? null, email: customer.email ?? null, name: customer.name ?? null } as IDataObject,
				...change,
				...cause,
			},
		});
	}
	return { workflowData: [items] };
}
