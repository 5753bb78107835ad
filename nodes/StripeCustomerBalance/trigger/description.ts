import { NodeOperationError, type IHookFunctions, type INodeProperties, type IWebhookFunctions } from 'n8n-workflow';

import { belongsTo } from '../actions/description';
import { checkedChoices, choice, fieldsWithChoices } from '../choices';
import { InvalidInput } from '../validation';
import { CAUSES, CAUSE_WORDS, reachableCauses, type Cause, type ChangeFilter, type TriggerFilter } from './causes';

/** Version 1's Changes: the direction of the balance alone, whatever moved it (kept exactly for saved workflows). */
export const changesField: INodeProperties = {
	displayName: 'Changes',
	name: 'changes',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { '@version': [1] } },
	options: [
		{ name: 'Any Change', value: 'any', description: 'Credits and debits' },
		{ name: 'Credits Only', value: 'credits', description: 'The customer\'s credit grew (the balance went down)' },
		{ name: 'Debits Only', value: 'debits', description: 'The customer\'s credit shrank or they owe more (the balance went up), for example an invoice used the credit' },
	],
	default: 'any',
	description: 'Which balance changes start the workflow. Each also covers a credit balance in another currency (invoice credit balance).',
};

/** Version 2's Changes: what the change did for the customer, told by the transaction that caused it. */
export const changesFieldV2: INodeProperties = {
	displayName: 'Changes',
	name: 'changes',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
	options: [
		{ name: 'Any Change', value: 'any', description: 'Every change of the balance, whatever caused it' },
		{
			name: 'Credits Given',
			value: 'credits',
			description: 'The customer got credit: a credit someone made, a credit note, an overpayment, credit given back. Not an invoice collecting what they owed.',
		},
		{
			name: 'Debits Made',
			value: 'debits',
			description: 'The customer owes more: a debit someone made, an amount carried to the next invoice. Not an invoice using up their credit.',
		},
	],
	default: 'any',
	description:
		'Which balance changes start the workflow, told by the balance transaction that caused each. When that transaction cannot be found, Credits Given and Debits Made start nothing.',
};

export const causesField: INodeProperties = {
	displayName: 'Causes',
	name: 'causes',
	type: 'multiOptions',
	noDataExpression: true,
	displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
	options: CAUSES.map((cause) => ({ name: CAUSE_WORDS[cause].name, value: cause, description: `Stripe: ${CAUSE_WORDS[cause].text}` })),
	default: [],
	description: 'Only changes with one of these causes start the workflow. None chosen: any cause.',
};

/** The trigger's parameters: what its panel shows, at every version. */
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
	changesFieldV2,
	causesField,
];

/** Each entry of a list of choices (a multi-options field) checked as `choice` checks one; a single value is a list of one. */
function checkedList(field: INodeProperties, value: unknown): string[] {
	const entries = Array.isArray(value) ? (value as unknown[]) : value === '' || value === undefined || value === null ? [] : [value];
	return [...new Set(entries.map((entry) => choice(field, entry)))];
}

/**
 * The trigger's choices, each checked against its dropdown (a value it does not offer is never read as "any"): at
 * publishing, so that a bad one fails there, and at each delivery. A version-2 filter that can never let anything
 * through (Credits Given with only causes that neither give nor take) fails too.
 */
export function readTriggerChoices(context: IHookFunctions | IWebhookFunctions): TriggerFilter {
	const version = context.getNode().typeVersion;
	try {
		const shown = triggerProperties.filter((property) => belongsTo(property, '', undefined, version));
		const checked: Record<string, unknown> = {};
		for (const field of fieldsWithChoices(shown)) checked[field.name] = checkedChoices(field, context.getNodeParameter(field.name, field.default));
		const causes = version >= 2 ? (checkedList(causesField, context.getNodeParameter(causesField.name, [])) as Cause[]) : [];
		const filter: TriggerFilter = { version, changes: checked.changes as ChangeFilter, causes };
		if (version >= 2 && reachableCauses(filter).length === 0) {
			const changes = (changesFieldV2.options as Array<{ name: string; value: string }>).find((option) => option.value === filter.changes)!.name;
			throw new InvalidInput(causesField.displayName, `none of the chosen causes can be a change of the kind ${changes}, so nothing would ever start`, 'Choose Any Change, or add a cause such as A Credit or Debit Someone Made.');
		}
		return filter;
	} catch (error) {
		const invalid = error as InvalidInput;
		throw new NodeOperationError(context.getNode(), `Invalid ${invalid.field}: ${invalid.message}`, { description: invalid.hint });
	}
}
