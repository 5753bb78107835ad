import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { StripeClient } from '../transport';
import { balanceChangesOf, isObject, passesFilter, type Json } from './balanceChanges';
import { causingTransaction } from './causingTransaction';
import { acceptEvent, rememberInStaticData, triggerOf, type EndpointKey } from './deliveredEvents';
import { readTriggerChoices } from './description';
import { verifyDelivery } from './verifiedDelivery';

/** Answers without starting an execution. Nothing of the request is logged or echoed. */
function answer(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

/**
 * One delivery from Stripe: verified (else 401, no execution), claimed once per event id and endpoint (a copy answers
 * 200 so that Stripe stops retrying, and starts nothing), answered, and only then one item per balance change that
 * passes the filter, with the transaction behind it looked up (see docs/TRIGGER.md, "Answering Stripe").
 */
export async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const staticData = this.getWorkflowStaticData('node');
	const testing = this.getMode() === 'manual';
	const rawBody = (this.getRequestObject() as { rawBody?: Buffer }).rawBody;
	const nowSeconds = Math.floor(Date.now() / 1000);
	const verification = await verifyDelivery(this, staticData, rawBody, nowSeconds);
	if ('refused' in verification) return answer(this, 401, { error: verification.refused });
	const { endpointId } = verification;

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
	const key: EndpointKey = { ...triggerOf(this), endpointId };
	// The test endpoint's copies are kept in the process only: n8n stops listening after the first, and deletes it.
	const remembered = testing ? undefined : staticData;
	const acceptance = acceptEvent(key, event.id, event.created, remembered, nowSeconds);
	if (acceptance === 'alreadyDelivered') return answer(this, 200, { received: true, started: false, reason: 'event already delivered' });
	if (acceptance === 'tooOld') return answer(this, 200, { received: true, started: false, reason: 'event older than the trigger remembers' });

	// Claimed: Stripe hears 200 now, whatever the lookup below waits for (a bulk run may hold the account's pacer).
	answer(this, 200, { received: true, started: true });
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
	// n8n saves the static data as this request loaded it, once this returns: with the claims made meanwhile.
	if (remembered) rememberInStaticData(key, remembered, Math.floor(Date.now() / 1000));
	return { noWebhookResponse: true, workflowData: [items] };
}
