/**
 * Every value that chooses a behaviour is checked when the node runs. This file is generated from the node
 * descriptions as n8n loaded them: every `options` parameter of both nodes, at every version of the action node, at the
 * top level or inside a collection or fixed collection, is found by walking the description, so a choice added later is
 * covered without anyone listing it here.
 *
 * Each one gets its values through an expression, as data from an upstream node would give them:
 * - each value the dropdown offers sends its own request;
 * - that value in another letter case, and the option's name (the dropdown's label), send exactly the same request;
 * - an unknown word, a number and an object fail the item, naming the field and listing the values it takes, and
 *   nothing reaches the sandbox.
 */
import type { INode, INodeProperties, INodePropertyCollection, INodePropertyOptions, IWebhookFunctions } from 'n8n-workflow';

import { belongsTo } from '../../nodes/StripeCustomerBalance/actions/description';
import { readTriggerChoices } from '../../nodes/StripeCustomerBalance/trigger/description';
import { NODE_TYPE, TRIGGER_NODE_TYPE, loadedPackage } from '.';
import { bodyWithoutKey, byId, runStripe, useSandbox, type Sandbox } from './support';

const sandbox = useSandbox();

/** A choice inside the parameters: its path (`['options', 'amountFormat']`) and its description. */
interface Choice {
	path: string[];
	field: INodeProperties;
}

function choicesIn(field: INodeProperties, path: string[] = []): Choice[] {
	const here = [...path, field.name];
	if (field.type === 'options') return [{ path: here, field }];
	if (field.type === 'collection') return (field.options as INodeProperties[]).flatMap((child) => choicesIn(child, here));
	if (field.type === 'fixedCollection') {
		return (field.options as INodePropertyCollection[]).flatMap((group) => group.values.flatMap((child) => choicesIn(child, [...here, group.name])));
	}
	return [];
}

const valuesOf = (field: INodeProperties) => (field.options as INodePropertyOptions[]).map((option) => ({ value: String(option.value), name: option.name }));

const action = loadedPackage().nodeDescription(NODE_TYPE);
const versions = action.version as number[];
const resourceField = action.properties.find((property) => property.name === 'resource')!;

/** Every (version, resource, operation) the node offers, with the choices that belong to it. */
const operations = versions.flatMap((version) =>
	valuesOf(resourceField).flatMap(({ value: resource }) => {
		const operationField = action.properties.find((property) => property.name === 'operation' && belongsTo(property, resource, undefined, version))!;
		return valuesOf(operationField).map(({ value: operation }) => ({
			version,
			resource,
			operation,
			choices: action.properties.filter((property) => belongsTo(property, resource, operation, version)).flatMap((property) => choicesIn(property)),
		}));
	}),
);

/** Valid parameters for an operation, so that only the choice under test can make the item fail. */
function baseline(resource: string, operation: string, customer: string): Record<string, unknown> {
	return {
		resource,
		operation,
		customer: byId(customer),
		amount: 1,
		currency: 'usd',
		transactionId: 'cbtxn_1NBTmc2eZvKYlo2CbgnDSgpe',
		updateFields: { description: 'Checked' },
		email: 'jane@acme.com',
		query: "email:'jane@acme.com'",
	};
}

/** The parameters with one choice set from an expression (the value arrives as the item's `choice`). */
function withChoice(parameters: Record<string, unknown>, path: string[]): Record<string, unknown> {
	const copy = structuredClone(parameters);
	let holder = copy;
	for (const key of path.slice(0, -1)) holder = (holder[key] ??= {}) as Record<string, unknown>;
	holder[path[path.length - 1]] = '={{ $json.choice }}';
	return copy;
}

/** What reached the sandbox, without what differs between any two runs (idempotency keys, request ids). */
const received = (s: Sandbox) => s.requests.map((request) => `${request.method} ${request.path} ${bodyWithoutKey(request)}`);

const outside: Array<[string, unknown]> = [
	['an unknown word', 'bogus'],
	['a number', 1],
	['an object', { value: 'credit' }],
];

describe('option values from expressions move the amount meant (both once moved another)', () => {
	const sentAmounts = (s: Sandbox) => s.requests.filter((request) => request.method === 'POST').map((request) => Number(request.params.amount));
	const creditFromItem = (extra: Record<string, unknown>) => ({ ...baseline('customerBalanceTransaction', 'create', 'cus_ChoicesChecked1'), amount: '={{ $json.amount }}', currency: 'eur', ...extra });

	it('version 2, Debit, Amount 1050, Options > Amount Format "SmallestUnit" from the data: 10.50 EUR (it was 1,050.00)', async () => {
		sandbox().createCustomer({ id: 'cus_ChoicesChecked1' });
		const parameters = creditFromItem({ direction: 'debit', options: { amountFormat: '={{ $json.format }}' } });
		await runStripe(sandbox(), [{ amount: 1050, format: 'SmallestUnit' }], parameters, { typeVersion: 2 });
		expect(sentAmounts(sandbox())).toEqual([1050]);
	});

	it('version 1, Amount 1000, Options > Direction "Credit" from the data: a credit (it was a debit)', async () => {
		sandbox().createCustomer({ id: 'cus_ChoicesChecked1' });
		const parameters = creditFromItem({ options: { direction: '={{ $json.type }}' } });
		await runStripe(sandbox(), [{ amount: 1000, type: 'Credit' }], parameters, { typeVersion: 1 });
		expect(sentAmounts(sandbox())).toEqual([-1000]);
	});

	it('a word neither offers fails the item, and with On Error: continue the other items still go: N in, N out', async () => {
		sandbox().createCustomer({ id: 'cus_ChoicesChecked1' });
		const parameters = creditFromItem({ options: { direction: '={{ $json.type }}' } });
		const items = [{ amount: 1000, type: 'credit' }, { amount: 1000, type: 'refund' }, { amount: 500, type: 'debit' }];
		const result = await runStripe(sandbox(), items, parameters, { typeVersion: 1, onError: 'continueRegularOutput' });
		expect(result.output('Stripe').map((item) => item.json.error ?? item.json.amount)).toEqual([
			-1000,
			'Invalid Direction in item 1: "refund" is not one of its values',
			500,
		]);
		expect(sentAmounts(sandbox())).toEqual([-1000, 500]);
	});
});

describe.each(operations)('version $version, $resource > $operation', ({ version, resource, operation, choices }) => {
	it('has choices to check (the walk found the operation\'s own Operation field at least)', () => {
		expect(choices.map((choice) => choice.path.join('.'))).toContain('operation');
	});

	describe.each(choices.map((choice) => ({ ...choice, name: choice.path.join('.') })))('$name', ({ path, field }) => {
		const run = async (value: unknown) => {
			sandbox().reset();
			const customer = sandbox().createCustomer({ id: 'cus_ChoicesChecked1', email: 'jane@acme.com' }).id;
			return await runStripe(sandbox(), [{ choice: value }], withChoice(baseline(resource, operation, customer), path), { typeVersion: version });
		};
		// Resource and Operation take no expressions in the panel (n8n shows the other fields by their literal value), so
		// only their refusals are checked here.
		const selectsFields = path[0] === 'resource' || path[0] === 'operation';
		const named = valuesOf(field);

		if (!selectsFields) it.each(named)(
			'"$value", in another letter case and as "$name" sends the same request',
			async ({ value, name }) => {
				await run(value);
				const meant = received(sandbox());
				expect(meant.length).toBeGreaterThan(0);
				for (const variant of [value.toUpperCase(), name, name.toLowerCase()]) {
					await run(variant);
					expect({ variant, requests: received(sandbox()) }).toEqual({ variant, requests: meant });
				}
			},
		);

		it.each(outside)('%s is refused, naming the field and its values, and nothing is sent', async (_kind, value) => {
			const result = await run(value);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(new RegExp(`^Invalid ${field.displayName} in item 0: .* is not one of its values$`));
			for (const option of named) expect(result.error?.description).toContain(`"${option.value}" (${option.name})`);
			expect(sandbox().requests).toHaveLength(0);
		});
	});
});

describe('the trigger', () => {
	const trigger = loadedPackage().nodeDescription(TRIGGER_NODE_TYPE);
	const triggerVersions = trigger.version as number[];
	/** A narrow stand-in for n8n's webhook context: the parameters, as n8n resolves them, and the node at a version. */
	const contextWith = (version: number, parameters: Record<string, unknown>) =>
		({
			getNodeParameter: (name: string, fallback: unknown) => (name in parameters ? parameters[name] : fallback),
			getNode: () => ({ id: 'trigger', name: 'Balance Changed', type: TRIGGER_NODE_TYPE, typeVersion: version, position: [0, 0], parameters: {} }) as INode,
		}) as unknown as IWebhookFunctions;
	/** Every options and multi-options field of the trigger at one version. */
	const choicesAt = (version: number) =>
		trigger.properties.filter((property) => ['options', 'multiOptions'].includes(property.type) && belongsTo(property, '', undefined, version));

	it('has Event and Changes at version 1, and Causes (a list of choices) from version 2', () => {
		expect(triggerVersions).toEqual([1, 2]);
		expect(choicesAt(1).map((field) => field.name)).toEqual(['event', 'changes']);
		expect(choicesAt(2).map((field) => `${field.name}:${field.type}`)).toEqual(['event:options', 'changes:options', 'causes:multiOptions']);
	});

	describe.each(triggerVersions.flatMap((version) => choicesAt(version).map((field) => ({ version, field, name: `version ${version}: ${field.name}` }))))('$name', ({ version, field }) => {
		const asGiven = (value: unknown) => (field.type === 'multiOptions' ? [value] : value);
		it.each(valuesOf(field))('"$value", in another case and as "$name", is read as "$value"', ({ value, name }) => {
			for (const variant of [value, value.toUpperCase(), name]) {
				// Credits Given with only a cause that neither gives nor takes would never start: Any Change here.
				const read = readTriggerChoices(contextWith(version, { [field.name]: asGiven(variant) }));
				if (field.name === 'changes') expect(read.changes).toBe(value);
				else expect(read.changes).toBe('any');
				if (field.name === 'causes') expect(read.causes).toEqual([value]);
			}
		});

		it.each(outside)('%s is refused, naming the field and its values', (_kind, value) => {
			expect(() => readTriggerChoices(contextWith(version, { [field.name]: asGiven(value) }))).toThrow(new RegExp(`^Invalid ${field.displayName}: .* is not one of its values$`));
		});
	});

	it('version 2 refuses, at publishing and at each delivery, Changes and Causes that can never both hold', () => {
		expect(() => readTriggerChoices(contextWith(2, { changes: 'credits', causes: ['invoice', 'unknown'] }))).toThrow(/^Invalid Causes: none of the chosen causes can be a change of the kind Credits Given/);
		expect(readTriggerChoices(contextWith(2, { changes: 'credits', causes: ['invoice', 'adjustment'] }))).toEqual({ version: 2, changes: 'credits', causes: ['invoice', 'adjustment'] });
	});
});
