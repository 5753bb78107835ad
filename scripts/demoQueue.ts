/**
 * `npm run demo -- --queue`: the example workflow in n8n's queue mode (PostgreSQL, Redis, a main process and 2
 * workers, all started here), against the local Stripe sandbox. The example's manual trigger becomes a Webhook, and
 * its CRM rows arrive as four webhook calls at once, one execution each: the main process queues them and the
 * workers run them. It prints each credit with the execution and the worker that wrote it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandbox } from '../test/sandbox';
import {
	EXAMPLE_CREDENTIAL,
	QueueCluster,
	installSignalHandlers,
	loadExampleWorkflow,
	mask,
	packPackage,
	postWebhook,
	publishWebhookWorkflows,
	readCrmRows,
	registerSecret,
	stripeCredential,
	webhookNode,
	withTimeout,
	type CrmRow,
	type WorkflowJson,
} from './n8n';
import { bold, dim, provisionWithProgress, red, say, seconds, step } from './n8n/console';

const PATH = 'demo-crm-credits';
const TRIGGER = 'When clicking ‘Execute workflow’';
const BATCHES = 4;

/** The example, triggered by a webhook whose body carries the CRM rows; each credit names its execution. */
function webhookExample(example: WorkflowJson): WorkflowJson {
	const nodes = example.nodes.map((node) => {
		if (node.name === TRIGGER) return { ...webhookNode('CRM webhook', PATH), position: node.position };
		if (node.name === 'CRM export') {
			return { ...node, parameters: { jsCode: '// The CRM sends its rows in the webhook body.\nreturn $input.first().json.body.rows.map((json) => ({ json }));' } };
		}
		if (node.name === 'Credit customer balance') {
			const parameters = node.parameters as { additionalFields?: Record<string, unknown> };
			const description = '={{ $json.note }} (order {{ $json.orderId }}, execution {{ $execution.id }})';
			return { ...node, parameters: { ...parameters, additionalFields: { ...parameters.additionalFields, description } } };
		}
		return node;
	});
	const connections = Object.fromEntries(Object.entries(example.connections).map(([from, value]) => [from === TRIGGER ? 'CRM webhook' : from, value]));
	return { ...example, id: 'demoQueueCrmHook1', name: `${example.name} (webhook, queue mode)`, nodes, connections };
}

function batchesOf(rows: CrmRow[]): CrmRow[][] {
	return Array.from({ length: BATCHES }, (_, batch) => rows.filter((_, index) => index % BATCHES === batch)).filter((batch) => batch.length > 0);
}

export async function runQueueDemo(): Promise<void> {
	const started = Date.now();
	let cluster: QueueCluster | undefined;
	let workDir: string | undefined;
	const sandbox = await startSandbox({ host: '127.0.0.1' });
	const cleanup = async () => {
		await cluster?.stop();
		if (workDir) await rm(workDir, { recursive: true, force: true });
		await withTimeout(sandbox.close(), 2000);
	};
	installSignalHandlers(cleanup);
	try {
		registerSecret(sandbox.secretKey);
		const runtime = await provisionWithProgress();
		const example = loadExampleWorkflow();
		const workflow = webhookExample(example);
		const rows = readCrmRows(example);
		const names = new Map(rows.map((row) => [row.customerId, row.customerName]));
		for (const row of rows) if (!sandbox.customer(row.customerId)) sandbox.createCustomer({ id: row.customerId, name: row.customerName, email: row.email });
		say(dim(`  sandbox at ${sandbox.url}, key ${mask(sandbox.secretKey)}`));

		workDir = await mkdtemp(join(tmpdir(), 'stripe-cb-demo-queue-'));
		const packed = await step('Packing the built package (npm pack)', async () => await packPackage(workDir!));
		cluster = await step('Starting PostgreSQL and Redis (installed from Debian\'s packages when missing)', async () =>
			await QueueCluster.start({ runtime, workers: 2, concurrency: 10 }),
		);
		const n8n = cluster.instance;
		await step('Installing the package, the credential and the workflow', async () => {
			await n8n.installTarball(packed.tarball);
			await n8n.importCredentials([stripeCredential({ ...EXAMPLE_CREDENTIAL, secretKey: sandbox.secretKey, baseUrl: sandbox.url })]);
			await n8n.importWorkflows([workflow]);
		});
		await step('Starting n8n: a main process and 2 workers (EXECUTIONS_MODE=queue)', async () => await cluster!.startProcesses());
		const main = cluster.main!;
		await publishWebhookWorkflows(main, [workflow]);

		const batches = batchesOf(rows);
		const replies = await step(`Sending the CRM rows as ${batches.length} webhook calls at once`, async () =>
			await Promise.all(batches.map(async (batch) => await postWebhook(main.url, PATH, { rows: batch }))),
		);
		const failedCalls = replies.filter((reply) => reply.status !== 200).length;

		const executionOf = (description: string) => /execution (\d+)\)/.exec(description)?.[1] ?? '?';
		const lines = sandbox.transactions().map((transaction) => {
			const execution = executionOf(String(transaction.description));
			const worker = cluster!.workerThatRan(execution)?.name ?? '?';
			return [names.get(String(transaction.customer)) ?? String(transaction.customer), String(transaction.amount), String(transaction.currency).toUpperCase(), String(transaction.description), execution, worker];
		});
		const headers = ['Customer', 'Amount', 'Currency', 'Description', 'Execution', 'Worker'];
		const widths = headers.map((header, index) => Math.max(header.length, ...lines.map((line) => line[index].length)));
		const format = (cells: string[]) => cells.map((cell, index) => cell.padEnd(widths[index])).join('  ').trimEnd();
		console.log(`\n${bold('Credits written, and which worker wrote them')}`);
		console.log([bold(format(headers)), ...lines.map(format)].join('\n'));
		for (const worker of cluster.workers) console.log(dim(`${worker.name} ran executions ${worker.startedExecutions.join(', ') || 'none'}`));
		console.log(dim(`\nn8n ${runtime.n8nVersion} in queue mode; whole demo ${seconds(Date.now() - started)}.`));
		if (failedCalls > 0) {
			say(red(`${failedCalls} of ${batches.length} webhook calls failed`));
			process.exitCode = 1;
		}
	} finally {
		await cleanup();
	}
}
