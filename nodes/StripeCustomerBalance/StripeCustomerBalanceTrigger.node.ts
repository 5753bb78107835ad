import {
	NodeConnectionTypes,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { receiveDelivery } from './trigger/delivery';
import { checkExists, create, remove } from './trigger/endpointLifecycle';

export class StripeCustomerBalanceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stripe Customer Balance Trigger',
		name: 'stripeCustomerBalanceTrigger',
		icon: { light: 'file:../../icons/stripe.svg', dark: 'file:../../icons/stripe.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ {"any": "Balance changed", "credits": "Balance credited", "debits": "Balance debited"}[$parameter["changes"]] }}',
		description: 'Starts the workflow when a Stripe customer\'s balance changes: one item per change, signed by Stripe, each event once',
		defaults: { name: 'Stripe Customer Balance Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'stripeCustomerBalanceApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName:
					'Publishing the workflow creates one webhook endpoint in your Stripe account (events: customer.updated), and unpublishing deletes it. The credential\'s key must be allowed to manage webhook endpoints: a secret key, or a restricted key with write access to Webhook Endpoints.',
				name: 'endpointNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Balance Changed',
						value: 'balanceChanged',
						description: 'A customer\'s balance moved: a credit or debit made in the Dashboard, by the API or by a workflow, or an invoice that used the credit up',
					},
				],
				default: 'balanceChanged',
			},
			{
				displayName: 'Changes',
				name: 'changes',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Any Change', value: 'any', description: 'Credits and debits' },
					{ name: 'Credits Only', value: 'credits', description: 'The customer\'s credit grew (the balance went down)' },
					{ name: 'Debits Only', value: 'debits', description: 'The customer\'s credit shrank or they owe more (the balance went up), for example an invoice used the credit' },
				],
				default: 'any',
				description: 'Which balance changes start the workflow. Each also covers a credit balance in another currency (invoice credit balance).',
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
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
