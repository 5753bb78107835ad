import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { StripeClient } from '../transport';
import { changeAsWritten } from '../asWritten';
import { balanceChangesOf, isObject, type BalanceChange, type Json } from './balanceChanges';
import { causeFields, mayPass, passes, type TriggerFilter } from './causes';
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
 * 200 so that Stripe stops retrying, and starts nothing), answered, and only then the transaction behind each balance
 * change looked up, and one item per change that passes the filter; none passes, no execution (see docs/TRIGGER.md,
 * "Answering Stripe").
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

	const filter = readTriggerChoices(this);
	// What the direction alone rules out costs no look-up (and version 1's filter is the direction alone).
	const changes = balanceChangesOf(event).filter((change) => mayPass(change, filter));
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
	// Version 2 decides by the cause, which only the lookup tells: whether an execution starts is not known yet.
	answer(this, 200, filter.version < 2 ? { received: true, started: true } : { received: true, started: 'if its cause passes the filter' });
	const items = await itemsOf(client, event, changes, filter);
	// n8n saves the static data as this request loaded it, once this returns: with the claims made meanwhile.
	if (remembered) rememberInStaticData(key, remembered, Math.floor(Date.now() / 1000));
	// No workflowData: n8n starts no execution (the answer is already sent, as noWebhookResponse says).
	return items.length === 0 ? { noWebhookResponse: true } : { noWebhookResponse: true, workflowData: [items] };
}

/** One item per change whose cause passes the filter: what happened, in Stripe's terms and in words. */
async function itemsOf(client: StripeClient, event: Json, changes: BalanceChange[], filter: TriggerFilter): Promise<INodeExecutionData[]> {
	const customer = (event.data as Json).object as Json;
	const created = event.created as number;
	const items: INodeExecutionData[] = [];
	for (const change of changes) {
		const found = await causingTransaction(client, String(customer.id), created, change);
		const cause = causeFields(found.balanceTransaction);
		if (!passes(change, cause.cause, filter)) continue;
		items.push({
			json: {
				eventId: event.id as string,
				eventCreated: new Date(created * 1000).toISOString(),
				livemode: event.livemode === true,
				customer: { id: customer.id ?? null, email: customer.email ?? null, name: customer.name ?? null } as IDataObject,
				...change,
				...cause,
				asWritten: changeAsWritten(change),
				...found,
			},
		});
	}
	return items;
}
