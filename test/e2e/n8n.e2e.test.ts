/**
 * End to end in the real n8n (2.40.7 on Node 24, or E2E_N8N_VERSION on E2E_NODE_VERSION; provisioned by
 * scripts/provision-n8n.sh; `npm test` provisions and builds before jest): the built package is packed with `npm pack`,
 * installed the way n8n's Community Nodes installer installs it, and run by `n8n execute` against the local Stripe
 * sandbox, which this jest process serves on 127.0.0.1. Then `n8n start` once: the node and credential are registered
 * under the package's name, their icons are served, and n8n's own credential tester accepts the sandbox key and refuses
 * a wrong one.
 *
 * Every n8n command boots n8n (5-10 s on 2 cores), so the file shares one user folder and keeps boots few:
 * import credentials, import workflows, 4 executions, 1 server start.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
	CREDENTIAL_TYPE,
	N8N_MAJOR,
	N8N_VERSION,
	NODE_TYPE,
	PACKAGE_NAME,
	TRIGGER_NODE_TYPE,
	WorkflowBuilder,
	codeNode,
	itemsNode,
	manualTrigger,
	nodeItems,
	nodeJson,
	pairedIndexes,
	stripe,
	stripeNode,
	summarizeRun,
	type ExecuteResult,
	type N8nRestClient,
	type N8nServer,
	type WorkflowJson,
} from '../../scripts/n8n';
import { EXAMPLE_CREDENTIAL, creditInSmallestUnit, loadExampleWorkflow, readCrmRows } from '../../scripts/n8n/example';
import { useRealN8n } from '../shared/realN8n';

jest.setTimeout(15 * 60_000);

const CREDIT_WORKFLOW_ID = 'e2eCreditFromCrm1';
const OPTIONS_WORKFLOW_ID = 'e2eEveryOption01';
const CONNECTED_ACCOUNT = 'acct_1E2eConnected01';
const MISSING_CUSTOMER = 'cus_DoesNotExist0';

interface Row {
	customerId: string;
	customerName: string;
	amount: string;
	currency: string;
	note: string;
	orderId: string;
}

let rows: Row[];
let customers: { acme: string; globex: string; initech: string; hooli: string };
let connectedCustomer: string;
const credential = { id: 'e2eStripeSandbox', name: 'Stripe sandbox (e2e)' };
/**
 * n8n's credential tester applies the credential's responseCode rules only to an error with a `cause`. 1.123's
 * NodeApiError has none, so it shows its own message for a 401 (seen in 1.123.81; 1.100.1 and 2.x show the credential's;
 * the 1.x releases between were not checked).
 */
const TESTER_SHOWS_CREDENTIAL_MESSAGE = N8N_MAJOR >= 2 || Number(N8N_VERSION.split('.')[1]) < 123;

function creditWorkflow(): WorkflowJson {
	const wf = new WorkflowBuilder(CREDIT_WORKFLOW_ID, 'e2e: credit balances from a CRM export');
	const trigger = manualTrigger();
	wf.chain(
		trigger,
		itemsNode('CRM export', rows),
		stripeNode(
			'Credit balances',
			stripe.create({
				customer: '={{ $json.customerId }}',
				amount: '={{ $json.amount }}',
				currency: '={{ $json.currency }}',
				description: '={{ $json.note }} (order {{ $json.orderId }})',
				metadata: [
					{ key: 'crm_order_id', value: '={{ $json.orderId }}' },
					{ key: 'source', value: 'n8n-e2e' },
				],
				options: { direction: 'credit', idempotencyKey: "={{ 'e2e-credit-' + $json.orderId }}", maxRetries: 0 },
			}),
			{ credential, onError: 'continueRegularOutput' },
		),
		codeNode(
			'Only successes',
			'return $input.all().flatMap((item, index) => (item.json.error ? [] : [{ json: item.json, pairedItem: { item: index } }]));',
		),
		stripeNode(
			'Tag transaction',
			stripe.update({
				customer: '={{ $json.customer }}',
				transactionId: '={{ $json.id }}',
				description: "={{ $json.description + ' [booked]' }}",
				metadata: [{ key: 'reconciled', value: 'yes' }],
			}),
			{ credential },
		),
		stripeNode('Read transaction', stripe.get({ customer: '={{ $json.customer }}', transactionId: '={{ $json.id }}' }), {
			credential,
		}),
		codeNode(
			'Customers',
			[
				'const seen = new Map();',
				'$input.all().forEach((item, index) => {',
				'  if (!seen.has(item.json.customer)) seen.set(item.json.customer, { json: { customerId: item.json.customer }, pairedItem: { item: index } });',
				'});',
				'return [...seen.values()];',
			].join('\n'),
		),
		stripeNode('Balance', stripe.getBalance({ customer: '={{ $json.customerId }}' }), { credential }),
	);
	wf.add(
		stripeNode('History', stripe.getAll({ customer: '={{ $json.customerId }}', returnAll: true }), { credential }),
		1,
	);
	wf.connect('Customers', 'History');

	// A second branch: On Error "continue (using error output)" routes failed items to a second output.
	const branchRows = errorBranchRows();
	wf.add(itemsNode('Rows for error output', branchRows), 2);
	wf.add(
		stripeNode(
			'Credit with error output',
			stripe.create({
				customer: '={{ $json.customerId }}',
				amount: '={{ $json.amount }}',
				currency: '={{ $json.currency }}',
				description: '={{ $json.note }}',
				options: { direction: 'credit', idempotencyKey: "={{ 'e2e-credit-' + $json.orderId }}", maxRetries: 0 },
			}),
			{ credential, onError: 'continueErrorOutput' },
		),
		2,
	);
	wf.connect(trigger.name, 'Rows for error output');
	wf.connect('Rows for error output', 'Credit with error output');
	return wf.build();
}

/**
 * Every option, in the real n8n: a Stripe Connect account, decimal amounts with a direction, expand, an explicit API
 * version and request settings; then Get with expand, and Get Many with a limit, a date filter and expand.
 */
function optionsWorkflow(connectedCustomer: string): WorkflowJson {
	const wf = new WorkflowBuilder(OPTIONS_WORKFLOW_ID, 'e2e: every option');
	const rowsForConnect = [
		{ customerId: connectedCustomer, amount: '12.50', currency: 'EUR', orderId: 'C-1' },
		{ customerId: connectedCustomer, amount: '1.05', currency: 'EUR', orderId: 'C-2' },
		{ customerId: connectedCustomer, amount: '7', currency: 'EUR', orderId: 'C-3' },
	];
	const connect = { stripeAccount: CONNECTED_ACCOUNT, apiVersion: '2026-07-29.dahlia', maxRetries: 3, timeout: 20000, concurrency: 4, maxRequestsPerSecond: 20 };
	wf.chain(
		manualTrigger(),
		itemsNode('Connect rows', rowsForConnect),
		stripeNode(
			'Debit in decimals',
			stripe.create({
				customer: '={{ $json.customerId }}',
				amount: '={{ $json.amount }}',
				currency: '={{ $json.currency }}',
				expand: ['customer'],
				options: { ...connect, amountFormat: 'decimal', direction: 'debit', idempotencyKey: "={{ 'e2e-connect-' + $json.orderId }}" },
			}),
			{ credential },
		),
		codeNode('Last one', 'const items = $input.all(); return [{ json: items[items.length - 1].json, pairedItem: { item: items.length - 1 } }];'),
		stripeNode(
			'Get with expand',
			stripe.get({ customer: '={{ $json.customer.id }}', transactionId: '={{ $json.id }}', options: { ...connect, expand: ['customer'] } }),
			{ credential },
		),
		stripeNode(
			'Two newest',
			stripe.getAll({
				customer: '={{ $json.customer.id }}',
				limit: 2,
				filters: { createdAfter: '2020-01-01T00:00:00Z' },
				options: { ...connect, expand: ['customer'] },
			}),
			{ credential },
		),
	);
	return wf.build();
}

function errorBranchRows(): Row[] {
	return [
		{ customerId: customers.hooli, customerName: 'Hooli Inc', amount: '300', currency: 'EUR', note: 'Referral credit', orderId: 'SO-2001' },
		{ customerId: MISSING_CUSTOMER, customerName: 'Gone Ltd', amount: '100', currency: 'EUR', note: 'Never arrives', orderId: 'SO-2002' },
	];
}

function expectPairedInOrder(result: ExecuteResult, node: string): void {
	nodeItems(result.run, node).forEach((item, index) => expect(pairedIndexes(item)).toEqual([index]));
}

const e2e = useRealN8n({
	prepare: (sandbox) => {
		customers = {
			acme: sandbox.createCustomer({ email: 'billing@acme.example', name: 'Acme GmbH' }).id,
			globex: sandbox.createCustomer({ email: 'ap@globex.example', name: 'Globex SA' }).id,
			initech: sandbox.createCustomer({ email: 'finance@initech.example', name: 'Initech BV' }).id,
			hooli: sandbox.createCustomer({ email: 'billing@hooli.example', name: 'Hooli Inc' }).id,
		};
		rows = [
			{ customerId: customers.acme, customerName: 'Acme GmbH', amount: '1250', currency: 'EUR', note: 'Goodwill credit', orderId: 'SO-1001' },
			{ customerId: customers.globex, customerName: 'Globex SA', amount: '500', currency: 'EUR', note: 'Shipping refund', orderId: 'SO-1002' },
			{ customerId: customers.acme, customerName: 'Acme GmbH', amount: '250', currency: 'EUR', note: 'Loyalty bonus', orderId: 'SO-1003' },
			{ customerId: MISSING_CUSTOMER, customerName: 'Gone Ltd', amount: '700', currency: 'EUR', note: 'Never arrives', orderId: 'SO-1004' },
			{ customerId: customers.initech, customerName: 'Initech BV', amount: '9900', currency: 'EUR', note: 'Outage credit', orderId: 'SO-1005' },
		];
		sandbox.addAccount(CONNECTED_ACCOUNT);
		connectedCustomer = sandbox.createCustomer({ email: 'ops@connected.example', name: 'Connected Co', account: CONNECTED_ACCOUNT }).id;
	},
	credentials: [credential, EXAMPLE_CREDENTIAL],
	workflows: () => [creditWorkflow(), optionsWorkflow(connectedCustomer), loadExampleWorkflow()],
});

describe('the packed package', () => {
	it('holds the built node, credential, codex and both icons', () => {
		expect(e2e.packed.name).toBe(PACKAGE_NAME);
		expect(e2e.packed.files).toEqual(
			expect.arrayContaining([
				'package.json',
				'dist/nodes/StripeCustomerBalance/StripeCustomerBalance.node.js',
				'dist/nodes/StripeCustomerBalance/StripeCustomerBalance.node.json',
				'dist/credentials/StripeCustomerBalanceApi.credentials.js',
				'dist/icons/stripe.svg',
				'dist/icons/stripe.dark.svg',
			]),
		);
		expect(e2e.packed.files.filter((f) => /\.ts$|^test\/|^scripts\//.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
	});

	it('installs like n8n\'s Community Nodes installer: no peer dependencies, no nested n8n-workflow', async () => {
		expect(e2e.installed.dir).toBe(join(e2e.n8n.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME));
		expect(e2e.installed.nestedModules).not.toContain('n8n-workflow');
		expect(existsSync(join(e2e.installed.dir, 'node_modules', 'n8n-workflow'))).toBe(false);
		const manifest = JSON.parse(await readFile(join(e2e.installed.dir, 'package.json'), 'utf8')) as Record<string, unknown>;
		expect(manifest.peerDependencies).toBeUndefined();
		expect(manifest.devDependencies).toBeUndefined();
		const ledger = JSON.parse(await readFile(join(e2e.n8n.userFolder, '.n8n', 'nodes', 'package.json'), 'utf8')) as {
			dependencies: Record<string, string>;
		};
		expect(ledger.dependencies[PACKAGE_NAME]).toBe(e2e.packed.version);
	});
});

describe('n8n execute: CRM rows -> Stripe Customer Balance (e2e.sandbox)', () => {
	let first: ExecuteResult;
	/** The sandbox's requests before this execution (other workflows of the file name the missing customer too). */
	let requestsBefore = 0;

	beforeAll(async () => {
		requestsBefore = e2e.sandbox.requests.length;
		first = await e2e.n8n.executeOk(CREDIT_WORKFLOW_ID);
	});

	it('creates one credit per CRM row, in order, each paired with its row', () => {
		const out = nodeJson(first.run, 'Credit balances');
		expect(out).toHaveLength(rows.length);
		expectPairedInOrder(first, 'Credit balances');
		const endings = new Map<string, number>();
		rows.forEach((row, index) => {
			if (row.customerId === MISSING_CUSTOMER) return;
			const ending = (endings.get(row.customerId) ?? 0) - Number(row.amount);
			endings.set(row.customerId, ending);
			expect(out[index]).toMatchObject({
				object: 'customer_balance_transaction',
				id: expect.stringMatching(/^cbtxn_/),
				customer: row.customerId,
				amount: -Number(row.amount),
				currency: 'eur',
				description: `${row.note} (order ${row.orderId})`,
				metadata: { crm_order_id: row.orderId, source: 'n8n-e2e' },
				ending_balance: ending,
				type: 'adjustment',
			});
		});
	});

	it('turns the failing row into an error item (On Error: continue) carrying Stripe\'s error', () => {
		const failing = rows.findIndex((row) => row.customerId === MISSING_CUSTOMER);
		const item = nodeItems(first.run, 'Credit balances')[failing];
		expect(pairedIndexes(item)).toEqual([failing]);
		expect(item.json).not.toHaveProperty('id');
		expect(item.json).toMatchObject({
			error: expect.stringContaining(MISSING_CUSTOMER),
			itemIndex: failing,
			code: 'resource_missing',
			type: 'invalid_request_error',
			statusCode: 404,
		});
		// 404 is not retried, and nothing is written: the one request for that row is the look-up of the customer's
		// transactions for an earlier write with its key (a key from the data). The workflow's error-output branch names
		// the same missing customer once more: one look-up each.
		const attempts = e2e.sandbox.requests.slice(requestsBefore).filter((r) => r.path.includes(MISSING_CUSTOMER));
		expect(attempts.map((r) => [r.method, r.path, r.status])).toEqual(
			Array(2).fill(['GET', `/v1/customers/${MISSING_CUSTOMER}/balance_transactions`, 404]),
		);
		expect(e2e.sandbox.customer(customers.globex)).toMatchObject({ balance: -500, currency: 'eur' });
		expect(e2e.sandbox.customer(customers.initech)).toMatchObject({ balance: -9900, currency: 'eur' });
		expect(e2e.sandbox.transactions(customers.acme).map((tx) => tx.amount)).toEqual([-1250, -250]);
		expect(e2e.sandbox.customer(customers.hooli)).toMatchObject({ balance: -300, currency: 'eur' });
		expect(e2e.sandbox.transactions()).toHaveLength(5);
		for (const id of [customers.acme, customers.globex, customers.initech]) {
			for (const tx of e2e.sandbox.transactions(id)) expect(tx.metadata).toMatchObject({ reconciled: 'yes' });
		}
	});

	it('a second execution with the same idempotency keys writes nothing: each item is the first transaction, alreadyApplied', async () => {
		const firstIds = nodeJson(first.run, 'Credit balances').map((tx) => tx.id);
		const postsBefore = e2e.sandbox.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/balance_transactions')).length;
		const second = await e2e.n8n.executeOk(CREDIT_WORKFLOW_ID);
		const secondOut = nodeJson(second.run, 'Credit balances');
		expect(secondOut.map((tx) => tx.id)).toEqual(firstIds);
		// Found by their keys on the customers' transactions (since tagged by Update: the same money is the same write).
		expect(secondOut.filter((tx) => tx.id).map((tx) => tx.alreadyApplied)).toEqual([true, true, true, true]);
		expect(e2e.sandbox.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/balance_transactions')).length).toBe(
			postsBefore,
		);
		expect(e2e.sandbox.transactions()).toHaveLength(5);
		expect(e2e.sandbox.customer(customers.acme)?.balance).toBe(-1500);
		expect(e2e.sandbox.customer(customers.hooli)?.balance).toBe(-300);
	});
});

describe('n8n execute: every option (Connect account, decimal amounts, direction, expand, API version, filters)', () => {
	it('debits a connected account\'s customer in decimals, then gets and lists with expand, a limit and a date filter', async () => {
		const before = e2e.sandbox.requests.length;
		const result = await e2e.n8n.executeOk(OPTIONS_WORKFLOW_ID);

		const debits = nodeJson(result.run, 'Debit in decimals');
		expect(debits.map((tx) => [tx.amount, tx.currency, tx.ending_balance])).toEqual([
			[1250, 'eur', 1250],
			[105, 'eur', 1355],
			[700, 'eur', 2055],
		]);
		expect(debits[0].customer).toMatchObject({ id: connectedCustomer, object: 'customer', email: 'ops@connected.example' });
		expectPairedInOrder(result, 'Debit in decimals');

		const fetched = nodeJson(result.run, 'Get with expand');
		expect(fetched).toEqual([expect.objectContaining({ id: debits[2].id, amount: 700, customer: expect.objectContaining({ id: connectedCustomer }) })]);
		const newest = nodeJson(result.run, 'Two newest');
		expect(newest.map((tx) => tx.amount)).toEqual([700, 105]);
		expect(newest[0].customer).toMatchObject({ id: connectedCustomer });

		const sent = e2e.sandbox.requests.slice(before);
		expect(sent.every((request) => request.headers['stripe-account'] === CONNECTED_ACCOUNT)).toBe(true);
		expect(sent.every((request) => request.headers['stripe-version'] === '2026-07-29.dahlia')).toBe(true);
		expect(sent.filter((request) => request.method === 'POST').map((request) => request.idempotencyKey)).toEqual([
			'e2e-connect-C-1',
			'e2e-connect-C-2',
			'e2e-connect-C-3',
		]);
		// Get Many's list (the Create's look-ups for earlier writes with its keys list the same endpoint).
		const list = sent.find((request) => request.method === 'GET' && request.path.endsWith('/balance_transactions') && request.query.startsWith('limit=2'));
		expect(list?.query).toBe('limit=2&created[gte]=1577836800&expand[0]=data.customer');
		expect(e2e.sandbox.customer(connectedCustomer, CONNECTED_ACCOUNT)?.balance).toBe(2055);
		expect(e2e.sandbox.transactions(connectedCustomer, CONNECTED_ACCOUNT)).toHaveLength(3);
	});
});

describe('the example workflow (examples/credit-customer-balances.json)', () => {
	it('runs in n8n against sandbox customers with the ids it names', async () => {
		const example = loadExampleWorkflow();
		const exampleRows = readCrmRows(example);
		const ids = [...new Set(exampleRows.map((row) => row.customerId))];
		for (const id of ids) {
			const row = exampleRows.find((r) => r.customerId === id)!;
			e2e.sandbox.createCustomer({ id, name: row.customerName, email: row.email });
		}
		const result = await e2e.n8n.execute(example.id);
		if (!result.ok) throw new Error(summarizeRun(result.run));
		const credits = nodeJson(result.run, 'Credit customer balance');
		expect(credits).toHaveLength(exampleRows.length);
		credits.forEach((tx, index) => expect(tx).toMatchObject({ customer: exampleRows[index].customerId, amount: creditInSmallestUnit(exampleRows[index]) }));
		const balances = nodeJson(result.run, 'Get customer balance');
		expect(balances.map((b) => b.customer)).toEqual(ids);
		for (const balance of balances) {
			const expected = exampleRows.filter((r) => r.customerId === balance.customer).reduce((sum, r) => sum + creditInSmallestUnit(r), 0);
			expect(balance.balance).toBe(expected);
			expect(e2e.sandbox.customer(String(balance.customer))?.balance).toBe(expected);
		}
		// its Stripe nodes reference the credential the demo and this test import
		for (const node of example.nodes.filter((n) => n.type === NODE_TYPE)) {
			expect(node.credentials?.[CREDENTIAL_TYPE]).toEqual(EXAMPLE_CREDENTIAL);
		}
	});
});

describe('n8n start: registration, icons, credential test', () => {
	let server: N8nServer;
	let api: N8nRestClient;

	beforeAll(async () => {
		server = await e2e.n8n.start();
		api = server.client();
		await api.ensureOwner(); // /types/*.json and the credential API need a session
	});

	afterAll(async () => {
		await server?.stop();
	});

	it('registers the node under the package name, with its credential and both icons', async () => {
		const nodes = await api.nodeTypes();
		const node = nodes.find((n) => n.name === NODE_TYPE);
		expect(node).toBeDefined();
		expect(node).toMatchObject({
			displayName: 'Stripe Customer Balance',
			version: [1, 2],
			defaultVersion: 2,
			credentials: [expect.objectContaining({ name: CREDENTIAL_TYPE, required: true })],
		});
		const props = node!.properties.map((p) => p.name);
		expect(props).toEqual(expect.arrayContaining(['resource', 'operation', 'customer', 'amount', 'currency', 'additionalFields', 'options']));
		const iconUrl = node!.iconUrl as { light: string; dark: string };
		expect(iconUrl.light).not.toBe(iconUrl.dark);
		for (const url of [iconUrl.light, iconUrl.dark]) {
			expect(url.startsWith(`icons/${PACKAGE_NAME}/`)).toBe(true);
			const file = join(e2e.installed.dir, url.slice(`icons/${PACKAGE_NAME}/`.length));
			expect(existsSync(file)).toBe(true);
			const served = await api.fetchRaw(`/${url}`);
			expect(served.status).toBe(200);
			expect(served.body.toString('utf8')).toContain('<svg');
			expect(served.body.equals(await readFile(file))).toBe(true);
		}
		// No other package claims our names
		expect(nodes.filter((n) => n.name.endsWith('.stripeCustomerBalance')).map((n) => n.name)).toEqual([NODE_TYPE]);
		// The trigger beside it, on the same credential
		expect(nodes.find((n) => n.name === TRIGGER_NODE_TYPE)).toMatchObject({
			displayName: 'Stripe Customer Balance Trigger',
			group: ['trigger'],
			credentials: [expect.objectContaining({ name: CREDENTIAL_TYPE, required: true })],
		});
		// usableAsTool: n8n also offers it to its AI Agent, as a tool variant with an ai_tool output
		const tool = nodes.find((n) => n.name === `${NODE_TYPE}Tool`);
		expect(tool).toMatchObject({ displayName: 'Stripe Customer Balance Tool', outputs: ['ai_tool'] });
		expect(tool!.properties.map((p) => p.name)).toEqual(expect.arrayContaining(['toolDescription', 'resource', 'customer', 'amount']));
	});

	it('registers the credential type with a password field, an icon and a test', async () => {
		const credentialTypes = await api.credentialTypes();
		const matches = credentialTypes.filter((c) => c.name === CREDENTIAL_TYPE);
		expect(matches).toHaveLength(1);
		const [type] = matches;
		expect(type.supportedNodes).toEqual([NODE_TYPE, TRIGGER_NODE_TYPE]);
		expect(type.properties.find((p) => p.name === 'secretKey')?.typeOptions).toMatchObject({ password: true });
		expect(type.properties.map((p) => p.name)).toEqual(expect.arrayContaining(['secretKey', 'baseUrl']));
		expect(type.test).toBeDefined();
		const iconUrl = type.iconUrl as { light: string; dark: string };
		for (const url of [iconUrl.light, iconUrl.dark]) expect((await api.fetchRaw(`/${url}`)).status).toBe(200);
	});

	it('the customer picker (listSearch) searches the sandbox through n8n', async () => {
		const found = await api.resourceLocatorResults({
			nodeType: NODE_TYPE,
			path: 'customer',
			methodName: 'searchCustomers',
			filter: 'globex',
			parameters: stripe.create({ customer: '', amount: 0, currency: 'eur' }),
			credentials: { [CREDENTIAL_TYPE]: credential },
		});
		// the example's Globex is in the sandbox too
		expect(found.results.map((r) => r.value).sort()).toEqual([customers.globex, 'cus_DemoGlobexSA02'].sort());
		expect(found.results.find((r) => r.value === customers.globex)?.name).toContain('Globex SA');
	});

	it('n8n\'s credential tester accepts the sandbox key and refuses a wrong key, an unsafe base URL and a live key off Stripe', async () => {
		const stored = await api.credentials();
		expect(stored.map((c) => c.id)).toEqual(expect.arrayContaining([credential.id]));

		const before = e2e.sandbox.requests.length;
		expect(await api.testCredential(credential.id)).toEqual({ status: 'OK', message: expect.any(String) });
		expect(e2e.sandbox.requests.length).toBeGreaterThan(before);

		const wrongKey = await api.testCredential(credential.id, { secretKey: 'sk_test_wrongWrongWrong000' });
		expect(wrongKey.status).toBe('Error');
		expect(wrongKey.message).toMatch(TESTER_SHOWS_CREDENTIAL_MESSAGE ? /refused this key/ : /^Authorization failed - please check your credentials$/);
		expect(wrongKey.message).not.toContain('sk_test_wrongWrongWrong000');

		const requestsBefore = e2e.sandbox.requests.length;
		const unsafe = await api.testCredential(credential.id, { baseUrl: 'http://stripe.example.com' });
		expect(unsafe.status).toBe('Error');
		expect(unsafe.message).toMatch(/https/);
		expect(e2e.sandbox.requests.length).toBe(requestsBefore);

		// a live key goes to https://api.stripe.com only: the sandbox's URL is refused, naming the Base URL, nothing sent
		const liveKey = 'sk_live_51LiveKeyNeverSentToTheSandbox01';
		const live = await api.testCredential(credential.id, { secretKey: liveKey });
		expect(live.status).toBe('Error');
		expect(live.message).toMatch(/live key .*Base URL/);
		expect(live.message).not.toContain(new URL(e2e.sandbox.url).host);
		expect(live.message).not.toContain(liveKey.slice(8));
		expect(e2e.sandbox.requests.length).toBe(requestsBefore);
	});
});
