/**
 * Customers by email in the real n8n (2.40.7, or E2E_N8N_VERSION on E2E_NODE_VERSION): a Code node shaped like a
 * HubSpot export (contacts with `properties.email`) feeds a credit By Email with On Error: Continue; then Customer >
 * Find by email and by a metadata query. The built package is packed and installed as n8n's installer does it, and
 * runs with `n8n execute` against the local sandbox served by this jest process.
 */
import {
	WorkflowBuilder,
	customerLocator,
	itemsNode,
	manualTrigger,
	nodeItems,
	nodeJson,
	pairedIndexes,
	stripe,
	stripeNode,
	type ExecuteResult,
	type WorkflowJson,
} from '../../scripts/n8n';
import { useRealN8n } from '../shared/realN8n';

jest.setTimeout(10 * 60_000);

const CREDIT_WORKFLOW_ID = 'e2eCreditByEmail1';
const FIND_WORKFLOW_ID = 'e2eFindCustomer01';
const credential = { id: 'e2eStripeByEmail', name: 'Stripe sandbox (by email)' };

let customers: { jane: string; bob: string; sharedOld: string; sharedNew: string; gone: string };

/** HubSpot's contacts as its node outputs them: the email under properties, the CRM id on the record. */
const contacts = [
	{ id: '101', properties: { email: 'jane@acme.example', firstname: 'Jane' } },
	{ id: '102', properties: { email: 'Bob@Globex.Example', firstname: 'Bob' } },
	{ id: '103', properties: { email: 'nobody@initech.example', firstname: 'Nobody' } },
	{ id: '104', properties: { email: 'shared@hooli.example', firstname: 'Shared' } },
	{ id: '105', properties: { email: 'gone@acme.example', firstname: 'Gone' } },
];

function creditWorkflow(): WorkflowJson {
	const wf = new WorkflowBuilder(CREDIT_WORKFLOW_ID, 'e2e: a HubSpot contact gets a goodwill credit');
	wf.chain(
		manualTrigger(),
		itemsNode('HubSpot contacts', contacts),
		stripeNode(
			'Goodwill credit',
			{
				...stripe.create({
					customer: '',
					amount: 10,
					currency: 'eur',
					description: 'Goodwill credit',
					options: { amountFormat: 'decimal', direction: 'credit', idempotencyKey: "={{ 'goodwill-' + $json.id }}", maxRetries: 0 },
				}),
				customer: customerLocator('={{ $json.properties.email }}', 'email'),
			},
			{ credential, onError: 'continueRegularOutput' },
		),
	);
	return wf.build();
}

function findWorkflow(): WorkflowJson {
	const wf = new WorkflowBuilder(FIND_WORKFLOW_ID, 'e2e: find customers');
	const trigger = manualTrigger();
	wf.chain(
		trigger,
		itemsNode('Emails', [{ email: 'BOB@globex.example' }, { email: 'nobody@initech.example' }]),
		stripeNode('Find by email', { resource: 'customer', operation: 'find', findBy: 'email', email: '={{ $json.email }}' }, { credential }),
	);
	wf.add(itemsNode('CRM ids', [{ crmId: '0012345' }]), 1);
	wf.add(
		stripeNode(
			'Find by CRM id',
			{ resource: 'customer', operation: 'find', findBy: 'query', query: "=metadata['crm_id']:'{{ $json.crmId }}'" },
			{ credential },
		),
		1,
	);
	wf.connect(trigger.name, 'CRM ids');
	wf.connect('CRM ids', 'Find by CRM id');
	return wf.build();
}

const e2e = useRealN8n({
	prepare: (sandbox) => {
		customers = {
			jane: sandbox.createCustomer({ email: 'jane@acme.example', name: 'Jane' }).id,
			bob: sandbox.createCustomer({ email: 'bob@globex.example', name: 'Bob', metadata: { crm_id: '0012345' } }).id,
			sharedOld: sandbox.createCustomer({ email: 'shared@hooli.example' }).id,
			sharedNew: sandbox.createCustomer({ email: 'Shared@Hooli.example' }).id,
			gone: sandbox.createCustomer({ email: 'gone@acme.example' }).id,
		};
		sandbox.deleteCustomer(customers.gone);
	},
	credentials: [credential],
	workflows: () => [creditWorkflow(), findWorkflow()],
});

describe('a HubSpot export credited by email, On Error: Continue', () => {
	let result: ExecuteResult;

	beforeAll(async () => {
		result = await e2e.n8n.executeOk(CREDIT_WORKFLOW_ID);
	});

	it('gives one item per contact, each paired with its contact', () => {
		const items = nodeItems(result.run, 'Goodwill credit');
		expect(items.map((item) => pairedIndexes(item))).toEqual([[0], [1], [2], [3], [4]]);
	});

	it('credits the matchable contacts once each, the different case included', () => {
		const out = nodeJson(result.run, 'Goodwill credit');
		expect(out[0]).toMatchObject({ object: 'customer_balance_transaction', customer: customers.jane, amount: -1000, currency: 'eur' });
		expect(out[1]).toMatchObject({ object: 'customer_balance_transaction', customer: customers.bob, amount: -1000 });
		expect(e2e.sandbox.transactions(customers.jane).map((transaction) => transaction.amount)).toEqual([-1000]);
		expect(e2e.sandbox.transactions(customers.bob).map((transaction) => transaction.amount)).toEqual([-1000]);
	});

	it('fails the unknown, the ambiguous and the deleted contact, naming the email and item, with nothing sent for them', () => {
		const out = nodeJson(result.run, 'Goodwill credit');
		expect(out[2]).toMatchObject({ error: 'No Stripe customer has the email nobody@initech.example (Customer, item 2)', itemIndex: 2 });
		expect(out[3].error).toMatch(/^2 Stripe customers have the email shared@hooli\.example \(Customer, item 3\): /);
		expect(String(out[3].error)).toContain(customers.sharedOld);
		expect(String(out[3].error)).toContain(customers.sharedNew);
		expect(out[4]).toMatchObject({ error: 'No Stripe customer has the email gone@acme.example (Customer, item 4)' });
		const written = e2e.sandbox.requests.filter((request) => request.method === 'POST').map((request) => request.path);
		expect(written).toEqual([`/v1/customers/${customers.jane}/balance_transactions`, `/v1/customers/${customers.bob}/balance_transactions`]);
		expect(e2e.sandbox.transactions(customers.sharedOld)).toHaveLength(0);
		expect(e2e.sandbox.transactions(customers.sharedNew)).toHaveLength(0);
	});
});

describe('Customer > Find', () => {
	let result: ExecuteResult;

	beforeAll(async () => {
		result = await e2e.n8n.executeOk(FIND_WORKFLOW_ID);
	});

	it('by email: the customer with its balance, paired with its item; an unknown email gives no item', () => {
		const items = nodeItems(result.run, 'Find by email');
		expect(items).toHaveLength(1);
		expect(pairedIndexes(items[0])).toEqual([0]);
		expect(items[0].json).toMatchObject({ customer: customers.bob, email: 'bob@globex.example', balance: -1000, currency: 'eur' });
	});

	it('by a metadata query', () => {
		expect(nodeJson(result.run, 'Find by CRM id')).toEqual([expect.objectContaining({ customer: customers.bob, metadata: { crm_id: '0012345' } })]);
	});
});
