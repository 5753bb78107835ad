/**
 * `npm run demo`: the example workflow (examples/credit-customer-balances.json) run by a real n8n.
 *
 *   1. provisions Node 24 + n8n 2.40.7 (first run: minutes; then cached)
 *   2. starts the local Stripe sandbox with the CRM-like customers the example names
 *   3. packs the built package (`npm pack`) and installs it into a fresh n8n user folder like n8n's Community Nodes installer
 *   4. imports a credential pointing at the sandbox and the example workflow, runs it with `n8n execute`
 *   5. prints the transactions and each customer's new balance
 *
 * Against Stripe's real test mode instead of the sandbox:
 *   STRIPE_SECRET_KEY=sk_test_... STRIPE_CUSTOMER_IDS=cus_A,cus_B npm run demo
 * (the example's rows are spread over those customers; live keys are refused). DEMO_KEEP=1 keeps the n8n user folder.
 *
 * `npm run demo -- --queue`: the same in n8n's queue mode, on a main process and 2 workers (scripts/demoQueue.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decimalsOf } from '../nodes/StripeCustomerBalance/amounts';
import { startSandbox, type Sandbox } from '../test/sandbox';
import {
	EXAMPLE_CREDENTIAL,
	N8nInstance,
	installSignalHandlers,
	loadExampleWorkflow,
	mask,
	nodeItems,
	nodeJson,
	packPackage,
	creditInSmallestUnit,
	readCrmRows,
	registerSecret,
	stripeCredential,
	summarizeRun,
	withCrmRows,
	withTimeout,
	type CrmRow,
	type WorkflowJson,
} from './n8n';
import { bold, dim, provisionWithProgress, red, say, seconds, step, yellow } from './n8n/console';
import { runQueueDemo } from './demoQueue';

const CREDIT_NODE = 'Credit customer balance';
const BALANCE_NODE = 'Get customer balance';

interface Target {
	mode: 'sandbox' | 'stripe';
	secretKey: string;
	baseUrl: string;
	rows: CrmRow[];
	names: Map<string, string>;
	sandbox?: Sandbox;
}

function fail(message: string): never {
	say(red(message));
	process.exit(1);
}

/** STRIPE_SECRET_KEY + STRIPE_CUSTOMER_IDS: Stripe's test mode, never live mode. */
function realStripeTarget(example: WorkflowJson): Target {
	const secretKey = (process.env.STRIPE_SECRET_KEY ?? '').trim();
	registerSecret(secretKey);
	if (/^(sk|rk)_live_/.test(secretKey)) {
		fail('STRIPE_SECRET_KEY is a live-mode key. The demo writes to customer balances: use a test-mode key (sk_test_… or rk_test_…).');
	}
	if (!/^(sk|rk)_test_[A-Za-z0-9]+$/.test(secretKey)) {
		fail('STRIPE_SECRET_KEY does not look like a Stripe test-mode secret key (sk_test_… or rk_test_…).');
	}
	const ids = (process.env.STRIPE_CUSTOMER_IDS ?? '')
		.split(',')
		.map((id) => id.trim())
		.filter(Boolean);
	if (ids.length === 0) fail('Set STRIPE_CUSTOMER_IDS to one or more test-mode customer ids, comma separated (cus_…,cus_…).');
	const bad = ids.filter((id) => !/^cus_[A-Za-z0-9]+$/.test(id));
	if (bad.length) fail(`Not customer ids: ${bad.join(', ')} (they look like cus_NffrFeUfNV2Hib).`);

	// Each demo run is a new batch of credits: a run tag in the order ids keeps Stripe's idempotency keys
	// (derived from the order id) unique, so a second run within 24 h credits again instead of replaying.
	const runTag = Date.now().toString(36).toUpperCase();
	const byOriginal = new Map<string, string>();
	const rows = readCrmRows(example).map((row) => {
		if (!byOriginal.has(row.customerId)) byOriginal.set(row.customerId, ids[byOriginal.size % ids.length]);
		return { ...row, customerId: byOriginal.get(row.customerId)!, orderId: `${row.orderId}-${runTag}` };
	});
	return { mode: 'stripe', secretKey, baseUrl: 'https://api.stripe.com', rows, names: new Map() };
}

async function sandboxTarget(example: WorkflowJson): Promise<Target> {
	const rows = readCrmRows(example);
	const sandbox = await startSandbox({ host: '127.0.0.1' });
	registerSecret(sandbox.secretKey);
	const names = new Map<string, string>();
	for (const row of rows) {
		if (names.has(row.customerId)) continue;
		sandbox.createCustomer({ id: row.customerId, name: row.customerName, email: row.email });
		names.set(row.customerId, row.customerName);
	}
	return { mode: 'sandbox', secretKey: sandbox.secretKey, baseUrl: sandbox.url, rows, names, sandbox };
}

function money(amount: unknown, currency: unknown): string {
	if (typeof amount !== 'number' || typeof currency !== 'string') return String(amount ?? '');
	const decimals = decimalsOf(currency.toLowerCase());
	const sign = amount < 0 ? '-' : '';
	const abs = Math.abs(amount);
	const text = decimals === 0 ? String(abs) : `${Math.floor(abs / 10 ** decimals)}.${String(abs % 10 ** decimals).padStart(decimals, '0')}`;
	return `${sign}${text} ${currency.toUpperCase()}`;
}

function table(headers: string[], rows: string[][]): string {
	const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
	return [bold(line(headers)), dim(widths.map((w) => '─'.repeat(w)).join('  ')), ...rows.map(line)].join('\n');
}

function truncate(text: string, max: number): string {
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

async function main(): Promise<void> {
	const started = Date.now();
	let instance: N8nInstance | undefined;
	let workDir: string | undefined;
	let target: Target | undefined;
	const cleanup = async () => {
		await instance?.dispose();
		if (workDir && !process.env.DEMO_KEEP) await rm(workDir, { recursive: true, force: true });
		if (target?.sandbox) await withTimeout(target.sandbox.close(), 2000);
	};
	installSignalHandlers(cleanup);

	try {
		const runtime = await provisionWithProgress();
		const example = loadExampleWorkflow();

		target = process.env.STRIPE_SECRET_KEY
			? realStripeTarget(example)
			: await step('Starting the local Stripe sandbox with the example\'s customers', async () => await sandboxTarget(example));
		if (target.mode === 'stripe') {
			say(yellow(`Running against Stripe's test mode (key ${mask(target.secretKey)}), customers ${[...new Set(target.rows.map((r) => r.customerId))].join(', ')}`));
		} else {
			say(dim(`  sandbox at ${target.baseUrl}, key ${mask(target.secretKey)}, customers: ${[...target.names].map(([id, name]) => `${name} (${id})`).join(', ')}`));
		}

		workDir = await mkdtemp(join(tmpdir(), 'stripe-cb-demo-'));
		const packed = await step('Packing the built package (npm pack)', async () => await packPackage(workDir!));
		say(dim(`  ${packed.name}@${packed.version}, ${packed.files.length} files`));

		const n8n = (instance = await N8nInstance.create({ runtime, userFolder: join(workDir, 'n8n') }));
		const installed = await step('Installing it into a fresh n8n user folder (as n8n\'s Community Nodes installer does)', async () =>
			n8n.installTarball(packed.tarball),
		);
		say(dim(`  ${installed.dir}`));

		const workflow = withCrmRows(example, target.rows);
		await step(`Importing the credential (${target.mode === 'sandbox' ? 'sandbox' : 'Stripe test mode'}) into n8n`, async () =>
			n8n.importCredentials([
				stripeCredential({ ...EXAMPLE_CREDENTIAL, secretKey: target!.secretKey, baseUrl: target!.baseUrl }),
			]),
		);
		await step(`Importing the example workflow "${workflow.name}"`, async () => n8n.importWorkflows([workflow]));
		const result = await step('Running it with `n8n execute`', async () => n8n.execute(workflow.id));
		if (!result.ok) {
			say(red(summarizeRun(result.run)));
			say(dim(result.output.split('\n').slice(-30).join('\n')));
			throw new Error('the workflow failed');
		}

		const credits = nodeItems(result.run, CREDIT_NODE);
		const txRows = credits.map((item, index) => {
			const row = target!.rows[index];
			const tx = item.json;
			// with real Stripe customers the CRM rows' names don't belong to them: show the id only
			const name = target!.mode === 'sandbox' ? (target!.names.get(row.customerId) ?? row.customerName) : '';
			const who = name ? `${name} ${dim(row.customerId)}` : row.customerId;
			if (tx.error) {
				return [who, money(creditInSmallestUnit(row), row.currency.toLowerCase()), row.currency.toUpperCase(), red(`FAILED: ${truncate(String(tx.error), 60)}`), '', ''];
			}
			return [
				who,
				money(tx.amount, tx.currency),
				String(tx.currency).toUpperCase(),
				truncate(String(tx.description ?? ''), 60),
				String(tx.id),
				money(tx.ending_balance, tx.currency),
			];
		});
		console.log(`\n${bold('Customer balance transactions')} ${dim('(negative = credit to the customer)')}`);
		console.log(table(['Customer', 'Amount', 'Currency', 'Description', 'Transaction', 'Ending balance'], txRows));

		const failed = credits.filter((item) => item.json.error).length;
		// the balance step gets no items when every credit failed
		const balances = result.run.data.resultData.runData[BALANCE_NODE] ? nodeJson(result.run, BALANCE_NODE) : [];
		console.log(`\n${bold('New balances')} ${dim('(read back by the workflow\'s Get Balance step)')}`);
		console.log(
			table(
				['Customer', 'Email', 'Balance', 'Credit balance (invoice_credit_balance)', ...(target.sandbox ? ['Sandbox check'] : [])],
				balances.map((b) => {
					const id = String(b.customer);
					const credit = Object.entries((b.invoice_credit_balance as Record<string, number>) ?? {})
						.map(([cur, value]) => money(value, cur))
						.join(', ');
					const inSandbox = target!.sandbox?.customer(id)?.balance;
					const name = String(b.name ?? target!.names.get(id) ?? '');
					return [
						name ? `${name} ${dim(id)}` : id,
						String(b.email ?? ''),
						money(b.balance, b.currency ?? 'eur'),
						credit || dim('—'),
						...(target!.sandbox ? [inSandbox === b.balance ? 'matches' : red(`sandbox says ${inSandbox}`)] : []),
					];
				}),
			),
		);
		console.log(
			dim(
				`\nn8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion}: ${credits.length} items, workflow run ${seconds(result.durationMs)} ` +
					`(including n8n's boot); whole demo ${seconds(Date.now() - started)}.` +
					(process.env.DEMO_KEEP ? ` n8n user folder kept: ${n8n.userFolder}` : ''),
			),
		);
		if (failed > 0) {
			say(red(`${failed} of ${credits.length} credits failed (see the table).`));
			process.exitCode = 1;
		}
	} finally {
		await cleanup();
	}
}

(process.argv.includes('--queue') ? runQueueDemo() : main()).catch((error: unknown) => {
	say(red(`demo failed: ${error instanceof Error ? error.message : String(error)}`));
	process.exit(1);
});
