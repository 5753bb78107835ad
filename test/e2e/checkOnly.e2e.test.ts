/**
 * Check Only (Send Nothing) in the real n8n (2.40.7 on Node 24, or E2E_N8N_VERSION on E2E_NODE_VERSION): a CRM-shaped
 * batch by id and by email, checked at node versions 2 and 1, sends no write to the sandbox; the same workflow with
 * Check Only off then sends, item by item, the requests the check showed (Idempotency Keys from the data), each once.
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
	type WorkflowJson,
} from '../../scripts/n8n';
import { useRealN8n } from '../shared/realN8n';

jest.setTimeout(15 * 60_000);

const CHECK_ID = 'e2eCheckOnlyRun1';
const REAL_ID = 'e2eCheckOnlyReal1';
const credential = { id: 'e2eStripeCheckOnly', name: 'Stripe sandbox (check only)' };

let acme: string;
let globex: string;
/** The version-1 branch's customer: its own, so the two branches' balances never depend on which runs first. */
let initech: string;

/** The CRM rows: by id or by email (any letter case), amounts as written, and a row no Stripe customer has. */
function rows() {
	return [
		{ crm: 'CRM-1', customerId: acme, amount: '12.50', currency: 'EUR', note: 'Goodwill' },
		{ crm: 'CRM-2', email: 'AP@globex.example', amount: '49', currency: 'eur', note: 'Duplicate line' },
		{ crm: 'CRM-3', email: 'billing@acme.example', amount: '3', currency: 'EUR', note: 'Loyalty' },
		{ crm: 'CRM-4', email: 'nobody@unknown.example', amount: '5', currency: 'EUR', note: 'Unknown' },
	];
}

function createNode(name: string, checkOnly: boolean, typeVersion: number) {
	const parameters = stripe.create({
		customer: '',
		...(typeVersion >= 2 ? { direction: 'credit' as const } : {}),
		amount: typeVersion >= 2 ? '={{ $json.amount }}' : '={{ -Math.round($json.amount * 100) }}',
		currency: '={{ $json.currency }}',
		description: '={{ $json.note }}',
		options: { idempotencyKey: `={{ 'crm-v${typeVersion}-' + $json.crm }}`, ...(checkOnly ? { checkOnly: true } : {}) },
	});
	parameters.customer = `={{ $json.email ? ${JSON.stringify(customerLocator('__EMAIL__', 'email'))} : $json.customerId }}`.replace(
		'"__EMAIL__"',
		'$json.email',
	);
	return stripeNode(name, parameters, { credential, typeVersion, onError: 'continueRegularOutput' });
}

function workflow(id: string, checkOnly: boolean): WorkflowJson {
	const wf = new WorkflowBuilder(id, `e2e: check only ${checkOnly ? 'on' : 'off'}`);
	const trigger = manualTrigger();
	wf.chain(trigger, itemsNode('CRM export', rows()), createNode('Credit (v2)', checkOnly, 2));
	wf.add(itemsNode('CRM export (v1)', [{ ...rows()[0], customerId: initech }]), 1);
	wf.add(createNode('Credit (v1)', checkOnly, 1), 1);
	wf.connect(trigger.name, 'CRM export (v1)');
	wf.connect('CRM export (v1)', 'Credit (v1)');
	return wf.build();
}

const writes = () => e2e.sandbox.requests.filter((request) => request.method === 'POST');

const e2e = useRealN8n({
	prepare: (sandbox) => {
		acme = sandbox.createCustomer({ email: 'billing@acme.example', name: 'Acme GmbH', currency: 'eur', balance: -500 }).id;
		globex = sandbox.createCustomer({ email: 'ap@globex.example', name: 'Globex SA' }).id;
		initech = sandbox.createCustomer({ email: 'finance@initech.example', name: 'Initech BV' }).id;
	},
	credentials: [credential],
	workflows: () => [workflow(CHECK_ID, true), workflow(REAL_ID, false)],
});

it('check only sends no write and shows each request; the real run then sends exactly those, each credit once', async () => {
	const { run: checked } = await e2e.n8n.executeOk(CHECK_ID);
	expect(writes()).toEqual([]);
	expect(e2e.sandbox.transactions()).toHaveLength(0);
	expect(e2e.sandbox.customer(acme)?.balance).toBe(-500);

	const v2 = nodeJson(checked, 'Credit (v2)');
	expect(v2.map((item) => item.checkOnly)).toEqual([true, true, true, undefined]);
	expect(v2[0]).toEqual({
		checkOnly: true,
		method: 'POST',
		path: `/v1/customers/${acme}/balance_transactions`,
		body: 'amount=-1250&currency=eur&description=Goodwill&metadata[n8n_idempotency_key]=crm-v2-CRM-1',
		idempotencyKey: 'crm-v2-CRM-1',
		customer: { id: acme, email: 'billing@acme.example', name: 'Acme GmbH' },
		amount: -1250,
		currency: 'eur',
		balanceNow: -500,
		balanceAfter: -1750,
		asWritten: { amount: 12.5, currency: 'EUR', direction: 'credit', summary: '12.50 EUR credit', balanceNow: '5.00 EUR credit', balanceAfter: '17.50 EUR credit' },
		alreadyApplied: false,
	});
	expect(v2[1]).toMatchObject({ customer: { id: globex, name: 'Globex SA' }, balanceNow: 0, balanceAfter: -4900 });
	expect(v2[2]).toMatchObject({ customer: { id: acme }, balanceNow: -500, balanceAfter: -2050 });
	expect(v2[3]).toMatchObject({ itemIndex: 3 });
	expect(String(v2[3].error)).toContain('nobody@unknown.example');
	expect(pairedIndexes(nodeItems(checked, 'Credit (v2)')[3])).toEqual([3]);
	const v1 = nodeJson(checked, 'Credit (v1)');
	expect(v1).toEqual([expect.objectContaining({ checkOnly: true, path: `/v1/customers/${initech}/balance_transactions`, body: 'amount=-1250&currency=eur&description=Goodwill&metadata[n8n_idempotency_key]=crm-v1-CRM-1', idempotencyKey: 'crm-v1-CRM-1' })]);

	const { run: real } = await e2e.n8n.executeOk(REAL_ID);
	const plans = [...v2.slice(0, 3), ...v1];
	const sent = writes().map((request) => ({ path: request.path, body: request.rawBody, key: request.headers['idempotency-key'] }));
	expect([...sent].sort((a, b) => String(a.key).localeCompare(String(b.key)))).toEqual(
		plans.map((plan) => ({ path: plan.path, body: plan.body, key: plan.idempotencyKey })).sort((a, b) => String(a.key).localeCompare(String(b.key))),
	);
	expect(e2e.sandbox.transactions()).toHaveLength(4);
	expect(nodeJson(real, 'Credit (v2)').slice(0, 3).map((item) => item.ending_balance)).toEqual(v2.slice(0, 3).map((plan) => plan.balanceAfter));
	expect(String(nodeJson(real, 'Credit (v2)')[3].error)).toBe(String(v2[3].error));
});
