/**
 * Network faults in the real n8n (`n8n execute`), whatever n8n wraps them in (1.x and 2.x differ): one credit per
 * customer, each meeting one of the sandbox's faults, with the node's own key (no Idempotency Key option).
 * The money rules: no credit is reported failed that Stripe applied, and none is applied twice; a write whose reply was
 * lost is sent again with the same idempotency key and replayed.
 */
import {
	WorkflowBuilder,
	freePort,
	itemsNode,
	manualTrigger,
	nodeItems,
	pairedIndexes,
	stripe,
	stripeCredential,
	stripeNode,
	type ExecuteResult,
	type WorkflowJson,
} from '../../scripts/n8n';
import type { ScriptedFaultKind } from '../sandbox/types';
import { useRealN8n } from '../shared/realN8n';

jest.setTimeout(15 * 60_000);

const WORKFLOW_ID = 'e2eNetworkFaults1';
const sandboxCredential = { id: 'e2eFaultsSandbox', name: 'Stripe sandbox (faults)' };
const closedCredential = { id: 'e2eFaultsClosed01', name: 'Stripe on a closed port' };
/** Longer than the short node's Timeout, shorter than the patient node's. */
const SLOW_REPLY_MS = 4000;

/** The faults each customer's first requests meet, in order (the retries after them find the sandbox healthy). */
const SHORT_TIMEOUT_CASES: Record<string, ScriptedFaultKind[]> = {
	'reset before commit': ['drop-before-commit'],
	'reset after commit': ['drop-after-commit'],
	'reset after commit, then the replay reset too': ['drop-after-commit', 'drop-after-commit'],
	'reset before, then after commit': ['drop-before-commit', 'drop-after-commit'],
	'timeout after commit': ['slow-after-commit'],
	'500, then reset after commit': ['500', 'drop-after-commit'],
	'503': ['503'],
	'409': ['409'],
	'no fault': [],
};
const SLOW_REPLY_CASES: Record<string, ScriptedFaultKind[]> = { 'slow reply within the Timeout': ['slow-after-commit'] };
const REFUSED_CASES = ['refused (nothing listens)'];

let result: ExecuteResult;
/** customer id of each case */
const customerOf = new Map<string, string>();

const AMOUNT = 700;

function rowsOf(cases: string[]): Array<{ case: string; customerId: string }> {
	return cases.map((name) => ({ case: name, customerId: customerOf.get(name)! }));
}

function credit(name: string, timeout: number, credential: { id: string; name: string }, maxRetries: number) {
	return stripeNode(
		name,
		stripe.create({
			customer: '={{ $json.customerId }}',
			amount: AMOUNT,
			currency: 'eur',
			description: '={{ $json.case }}',
			options: { direction: 'credit', maxRetries, timeout },
		}),
		{ credential, onError: 'continueRegularOutput' },
	);
}

function faultsWorkflow(): WorkflowJson {
	const wf = new WorkflowBuilder(WORKFLOW_ID, 'e2e: credits through network faults');
	const trigger = manualTrigger();
	wf.chain(trigger, itemsNode('Rows (1.5 s timeout)', rowsOf(Object.keys(SHORT_TIMEOUT_CASES))), credit('Credit (1.5 s timeout)', 1500, sandboxCredential, 3));
	wf.add(itemsNode('Rows (20 s timeout)', rowsOf(Object.keys(SLOW_REPLY_CASES))), 1);
	wf.add(credit('Credit (20 s timeout)', 20_000, sandboxCredential, 3), 1);
	wf.connect(trigger.name, 'Rows (20 s timeout)').connect('Rows (20 s timeout)', 'Credit (20 s timeout)');
	wf.add(itemsNode('Rows (closed port)', rowsOf(REFUSED_CASES)), 2);
	wf.add(credit('Credit (closed port)', 1500, closedCredential, 1), 2);
	wf.connect(trigger.name, 'Rows (closed port)').connect('Rows (closed port)', 'Credit (closed port)');
	return wf.build();
}

/** The credit nodes and the cases of their rows, in row order. */
const CREDIT_NODES: Record<string, string[]> = {
	'Credit (1.5 s timeout)': Object.keys(SHORT_TIMEOUT_CASES),
	'Credit (20 s timeout)': Object.keys(SLOW_REPLY_CASES),
	'Credit (closed port)': REFUSED_CASES,
};

/** Every item the credit nodes output, with the case of the row it is paired with. */
function outcomes(): Array<{ case: string; customerId: string; failed: boolean; json: Record<string, unknown> }> {
	return Object.entries(CREDIT_NODES).flatMap(([node, cases]) =>
		nodeItems(result.run, node).map((item) => {
			const name = cases[pairedIndexes(item)[0]];
			return { case: name, customerId: customerOf.get(name)!, failed: 'error' in item.json, json: item.json };
		}),
	);
}

const e2e = useRealN8n({
	sandbox: { faults: { slowReplyMs: SLOW_REPLY_MS } },
	prepare: (sandbox) => {
		for (const name of [...Object.keys(SHORT_TIMEOUT_CASES), ...Object.keys(SLOW_REPLY_CASES), ...REFUSED_CASES]) {
			customerOf.set(name, sandbox.createCustomer({ name }).id);
		}
		const script = Object.entries({ ...SHORT_TIMEOUT_CASES, ...SLOW_REPLY_CASES }).flatMap(([name, faults]) =>
			faults.map((fault) => ({ fault, method: 'POST' as const, pathIncludes: customerOf.get(name)! })),
		);
		sandbox.setFaults({ script });
	},
	credentials: [sandboxCredential],
	// nothing listens there: every connection is refused
	otherCredentials: async (sandbox) => [stripeCredential({ ...closedCredential, secretKey: sandbox.secretKey, baseUrl: `http://127.0.0.1:${await freePort()}` })],
	workflows: () => [faultsWorkflow()],
});

beforeAll(async () => {
	result = await e2e.n8n.execute(WORKFLOW_ID);
});

it('runs the workflow to the end (failures are items, On Error: continue)', () => {
	expect(result.run.data.resultData.error).toBeUndefined();
	expect(outcomes()).toHaveLength(customerOf.size);
});

it('no credit is reported failed that Stripe applied', () => {
	const failedButApplied = outcomes().filter((outcome) => outcome.failed && e2e.sandbox.transactions(outcome.customerId).length > 0);
	expect(failedButApplied).toEqual([]);
});

it('no credit is applied twice', () => {
	const duplicated = [...customerOf].filter(([, id]) => e2e.sandbox.transactions(id).length > 1);
	expect(duplicated).toEqual([]);
});

it('every credit Stripe could take is applied once and reported with its transaction', () => {
	const reachable = [...Object.keys(SHORT_TIMEOUT_CASES), ...Object.keys(SLOW_REPLY_CASES)];
	const byCase = new Map(outcomes().map((outcome) => [outcome.case, outcome]));
	for (const name of reachable) {
		expect({ case: name, failed: byCase.get(name)?.failed }).toEqual({ case: name, failed: false });
		expect(byCase.get(name)?.json).toMatchObject({ object: 'customer_balance_transaction', amount: -AMOUNT, description: name });
		expect(e2e.sandbox.transactions(customerOf.get(name)!).map((tx) => tx.amount)).toEqual([-AMOUNT]);
	}
});

it('a write whose reply was lost is sent again with the same idempotency key, and Stripe replays it', () => {
	const lostAfterCommit = Object.entries(SHORT_TIMEOUT_CASES).filter(([, faults]) => faults.includes('drop-after-commit') || faults.includes('slow-after-commit'));
	for (const [name, faults] of lostAfterCommit) {
		const posts = e2e.sandbox.requests.filter((request) => request.method === 'POST' && request.path.includes(customerOf.get(name)!));
		expect({ case: name, attempts: posts.length }).toEqual({ case: name, attempts: faults.length + 1 });
		expect(new Set(posts.map((request) => request.idempotencyKey)).size).toBe(1);
		expect(posts.at(-1)?.replayed).toBe(true);
	}
});

it('a refused connection is retried, then reported as such, and nothing is applied', () => {
	const [refused] = outcomes().filter((outcome) => outcome.case === REFUSED_CASES[0]);
	expect(refused.failed).toBe(true);
	expect(String(refused.json.error)).toContain('ECONNREFUSED');
	expect(e2e.sandbox.transactions(customerOf.get(REFUSED_CASES[0])!)).toEqual([]);
});
