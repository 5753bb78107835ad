import {
	NodeConnectionTypes,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { receiveDelivery } from './trigger/delivery';
import { readTriggerChoices, triggerProperties } from './trigger/description';
import { checkExists, create, remove } from './trigger/endpointLifecycle';
import { assertStripeCanReach } from './trigger/reachability';

export class StripeCustomerBalanceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stripe Customer Balance Trigger',
		name: 'stripeCustomerBalanceTrigger',
		icon: { light: 'file:../../icons/stripe.svg', dark: 'file:../../icons/stripe.dark.svg' },
		group: ['trigger'],
		// Version 2: Changes told by the transaction that caused each change, and Causes (docs/VERSIONS.md).
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ {"any": "Balance changed", "credits": "Balance credited", "debits": "Balance debited"}[$parameter["changes"]] }}',
		description: 'Starts the workflow when a Stripe customer\'s balance changes: one item per change, signed by Stripe, each event once',
		defaults: { name: 'Stripe Customer Balance Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'stripeCustomerBalanceApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: triggerProperties,
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				// Publishing fails on a choice the trigger could not honour, or a URL Stripe could not deliver to, before
				// anything is set up in Stripe.
				readTriggerChoices(this);
				const url = this.getNodeWebhookUrl('default');
				if (url) await assertStripeCanReach(this, url);
				return await checkExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await create.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await remove.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery.call(this);
	}
}
