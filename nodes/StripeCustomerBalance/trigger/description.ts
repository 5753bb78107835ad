import { NodeOperationError, type IHookFunctions, type INodeProperties, type IWebhookFunctions } from 'n8n-workflow';

import { checkedChoices, fieldsWithChoices } from '../choices';
import type { InvalidInput } from '../validation';
import type { ChangeFilter } from './balanceChanges';

export const changesField: INodeProperties = {
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
};

/** The trigger's parameters: what its panel shows. */
export const triggerProperties: INodeProperties[] = [
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
	changesField,
];

/**
 * The trigger's choices, each checked against its dropdown (a value it does not offer is never read as "any"): at
 * publishing, so that a bad one fails there, and at each delivery.
 */
export function readTriggerChoices(context: IHookFunctions | IWebhookFunctions): { changes: ChangeFilter } {
	try {
		const checked: Record<string, unknown> = {};
		for (const field of fieldsWithChoices(triggerProperties)) checked[field.name] = checkedChoices(field, context.getNodeParameter(field.name, field.default));
		return { changes: checked[changesField.name] as ChangeFilter };
	} catch (error) {
		const invalid = error as InvalidInput;
		throw new NodeOperationError(context.getNode(), `Invalid ${invalid.field}: ${invalid.message}`, { description: invalid.hint });
	}
}
