/**
 * Every workflow in examples/ runs in the real n8n (2.40.7 on Node 24, or E2E_N8N_VERSION on E2E_NODE_VERSION),
 * imported as a user imports it, against the local Stripe sandbox, and its outcome is asserted: so the examples the
 * README shows can never rot.
 *
 * An example is two files: the workflow, examples/<name>.json, and what it must do, test/e2e/examples/<name>.json
 * (ExampleExpectation below): the sandbox customers (and transactions) it starts from, how it is triggered, the items its nodes output
 * (each item matched as a subset), the balances after it and the number of transactions written. Adding an example
 * is adding those two files; an example without its expectation fails here.
 *
 * Triggers:
 * - manual: `n8n execute`, as the editor's Execute workflow.
 * - webhook: the workflow is published in `n8n start` and each delivery is POSTed to its production URL.
 * - schedule: `n8n execute` runs only workflows that start with a Manual Trigger, and waiting for 02:00 is not a
 *   test; so the Schedule Trigger alone is replaced by a Manual Trigger of the same name before import (the only change
 *   made to an example). What follows the trigger runs unchanged.
 * - balanceEvent: the Stripe Customer Balance Trigger's workflow is published in `n8n start` (which creates its
 *   endpoint in the sandbox); the expectation's balance changes are made in the sandbox, which delivers the signed
 *   events, and delivers again those listed in `deliverAgain`; a change is a credit or debit someone made, or an invoice
 *   that uses the balance, made after a number of executions have ended where it says so. A chat hook the example posts to
 *   (`https://hooks.slack.com/…`) is pointed at a local recorder before import (the only change made to such an example).
 * Examples with a chat model (`chatModel` in the expectation) talk to a scripted OpenAI-compatible endpoint on
 * loopback (scriptedChatModel.ts): n8n's real AI Agent and OpenAI Chat Model nodes, the credential's Base URL
 * pointed there; only the model's answers are scripted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import {
	EXAMPLE_CREDENTIAL,
	REPO_ROOT,
	TRIGGER_NODE_TYPE,
	freePort,
	nodeJson,
	postWebhook,
	publishWebhookWorkflows,
	waitForWebhook,
	type ListedExecution,
	type N8nRestClient,
	type N8nServer,
	type WebhookReply,
	type WorkflowJson,
	type WorkflowNode,
} from '../../scripts/n8n';
import type { NewTransaction } from '../sandbox';
import { HookRecorder } from '../shared/hookRecorder';
import { useRealN8n } from '../shared/realN8n';
import { startScriptedChatModel, type ChatStep, type ScriptedChatModel } from './scriptedChatModel';

jest.setTimeout(15 * 60_000);

interface ExampleExpectation {
	about: string;
	customers: Array<{ id: string; name?: string; email?: string; currency?: string; balance?: number; metadata?: Record<string, string> }>;
	/** Transactions the sandbox holds before the run, oldest first (e.g. the bulk run an example undoes). */
	transactions?: Array<{ customer: string } & NewTransaction>;
	run:
		| { trigger: 'manual' | 'schedule' }
		| { trigger: 'webhook'; deliveries: object[] }
		| { trigger: 'balanceEvent'; changes: BalanceEventChange[]; deliverAgain?: number[] };
	chatModel?: ChatStep[];
	expect: {
		/** Per node, its output items in order, each matched as a subset (manual and schedule runs). */
		nodes?: Record<string, object[]>;
		/** Per delivery, the webhook's reply, matched as a subset. */
		replies?: object[];
		/** Executions of the workflow (balanceEvent runs). */
		executions?: number;
		/** The `text` of each message posted to the chat hook, in order. */
		chatMessages?: string[];
		/** A text the tool's result, as the chat model received it, contains. */
		toolResultContains?: string;
		balances: Record<string, number>;
		transactions: number;
	};
}

/**
 * One balance change the sandbox makes: a credit or debit someone made (`amount`, Stripe's sign: an adjustment), or an
 * invoice of `invoiceTotal` that Stripe finalizes (the balance applied to it: applied_to_invoice). `afterExecutions`:
 * made once that many of the workflow's executions have ended (what they wrote is then in the balance).
 */
type BalanceEventChange = { customer: string; currency: string; afterExecutions?: number } & ({ amount: number } | { invoiceTotal: number });

interface Example {
	name: string;
	workflow: WorkflowJson;
	expectation: ExampleExpectation;
}

const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
const EXPECTATIONS_DIR = join(__dirname, 'examples');
const OPENAI_CREDENTIAL = { id: 'openAiExample001', name: 'OpenAI account' };
const SCHEDULE_TRIGGER = 'n8n-nodes-base.scheduleTrigger';
const CHAT_HOOK = /^https:\/\/hooks\.slack\.com\//;

function readJson<T>(file: string): T {
	return JSON.parse(readFileSync(file, 'utf8')) as T;
}

const exampleNames = readdirSync(EXAMPLES_DIR)
	.filter((file) => file.endsWith('.json'))
	.map((file) => basename(file, '.json'))
	.sort();
const expectationNames = readdirSync(EXPECTATIONS_DIR)
	.filter((file) => file.endsWith('.json'))
	.map((file) => basename(file, '.json'))
	.sort();

function loadExample(name: string): Example {
	return {
		name,
		workflow: readJson<WorkflowJson>(join(EXAMPLES_DIR, `${name}.json`)),
		expectation: readJson<ExampleExpectation>(join(EXPECTATIONS_DIR, `${name}.json`)),
	};
}

/** The documented substitute: a Schedule Trigger becomes a Manual Trigger of the same name, id and place. */
function withScheduleAsManualTrigger(workflow: WorkflowJson): WorkflowJson {
	const substitute = (node: WorkflowNode): WorkflowNode =>
		node.type === SCHEDULE_TRIGGER ? { ...node, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} } : node;
	return { ...workflow, nodes: workflow.nodes.map(substitute) };
}

/** The documented substitute: an HTTP Request to a chat hook posts to the local recorder instead. */
function withChatHookAt(workflow: WorkflowJson, url: string): WorkflowJson {
	const substitute = (node: WorkflowNode): WorkflowNode =>
		node.type === 'n8n-nodes-base.httpRequest' && CHAT_HOOK.test(String(node.parameters.url)) ? { ...node, parameters: { ...node.parameters, url } } : node;
	return { ...workflow, nodes: workflow.nodes.map(substitute) };
}

const examples = exampleNames.filter((name) => expectationNames.includes(name)).map(loadExample);
const byTrigger = (trigger: string): Example[] => examples.filter((example) => example.expectation.run.trigger === trigger);

let chatModel: ScriptedChatModel;
let chatHook: HookRecorder;

const e2e = useRealN8n({
	prepare: async () => {
		chatModel = await startScriptedChatModel();
		chatHook = await HookRecorder.start();
	},
	credentials: [EXAMPLE_CREDENTIAL],
	otherCredentials: () => [{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: 'sk-scripted-model', url: chatModel.url } }],
	workflows: () => examples.map((example) => withChatHookAt(withScheduleAsManualTrigger(example.workflow), chatHook.url)),
});

afterAll(async () => {
	await chatModel?.close();
	await chatHook?.close();
});

function prepareSandbox(example: Example): void {
	e2e.sandbox.reset();
	chatHook.clear();
	for (const customer of example.expectation.customers) e2e.sandbox.createCustomer(customer);
	for (const { customer, ...transaction } of example.expectation.transactions ?? []) e2e.sandbox.createTransaction(customer, transaction);
	chatModel.play(example.expectation.chatModel ?? []);
}

function expectMoney(example: Example): void {
	const { balances, transactions } = example.expectation.expect;
	for (const [customer, balance] of Object.entries(balances)) expect({ customer, balance: e2e.sandbox.customer(customer)?.balance }).toEqual({ customer, balance });
	expect(e2e.sandbox.transactions()).toHaveLength(transactions);
}

function toolResults(): string[] {
	return chatModel.requests.flatMap((request) => request.messages.filter((m) => m.role === 'tool').map((m) => JSON.stringify(m.content)));
}

test('every example in examples/ has its expected outcome in test/e2e/examples/, and each expectation its example', () => {
	expect(expectationNames).toEqual(exampleNames);
});

describe.each(['manual', 'schedule'])('examples started by a %s trigger', (trigger) => {
	const cases = byTrigger(trigger);
	if (cases.length === 0) return test.todo(`no ${trigger} example yet`);
	test.each(cases.map((example) => [example.name, example] as const))('%s', async (_name, example) => {
		prepareSandbox(example);
		const { run } = await e2e.n8n.executeOk(example.workflow.id);
		for (const [node, items] of Object.entries(example.expectation.expect.nodes ?? {})) {
			const output = nodeJson(run, node);
			expect({ node, items: output.length }).toEqual({ node, items: items.length });
			items.forEach((item, index) => expect(output[index]).toMatchObject(item));
		}
		const { toolResultContains } = example.expectation.expect;
		if (example.expectation.chatModel) expect(chatModel.requests.length).toBe(example.expectation.chatModel.length);
		if (toolResultContains) expect(toolResults().join('\n')).toContain(toolResultContains);
		expectMoney(example);
	});
});

describe('examples started by a webhook, published in n8n start', () => {
	const cases = byTrigger('webhook');
	let server: N8nServer;
	beforeAll(async () => {
		if (cases.length === 0) return;
		server = await e2e.n8n.start();
		await publishWebhookWorkflows(server, cases.map((example) => example.workflow));
	});
	afterAll(async () => await server?.stop());
	if (cases.length === 0) return test.todo('no webhook example yet');
	test.each(cases.map((example) => [example.name, example] as const))('%s', async (_name, example) => {
		prepareSandbox(example);
		const run = example.expectation.run as { deliveries: object[] };
		const webhook = example.workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
		const replies: WebhookReply[] = [];
		for (const delivery of run.deliveries) replies.push(await postWebhook(server.url, String(webhook?.parameters.path), delivery));
		expect(replies.map((reply) => reply.status)).toEqual(run.deliveries.map(() => 200));
		(example.expectation.expect.replies ?? []).forEach((reply, index) => expect(replies[index].body).toMatchObject(reply));
		expectMoney(example);
	});
});

describe('examples started by the balance trigger, published in n8n start', () => {
	const cases = byTrigger('balanceEvent');
	let server: N8nServer;
	let api: N8nRestClient;
	beforeAll(async () => {
		if (cases.length === 0) return;
		const port = await freePort();
		// WEBHOOK_URL: the address n8n gives Stripe (the sandbox) for the trigger's endpoint.
		server = await e2e.n8n.start({ port, env: { WEBHOOK_URL: `http://127.0.0.1:${port}/` } });
		api = server.client();
		await api.ensureOwner();
	});
	afterAll(async () => await server?.stop());
	if (cases.length === 0) return test.todo('no balance trigger example yet');
	test.each(cases.map((example) => [example.name, example] as const))('%s', async (_name, example) => {
		prepareSandbox(example);
		const run = example.expectation.run as Extract<ExampleExpectation['run'], { trigger: 'balanceEvent' }>;
		const trigger = example.workflow.nodes.find((node) => node.type === TRIGGER_NODE_TYPE)!;
		await api.publishWorkflow(example.workflow.id);
		await waitForWebhook(server.url, `${trigger.webhookId}/webhook`);
		for (const change of run.changes) {
			if (change.afterExecutions !== undefined) {
				await e2e.sandbox.settleDeliveries();
				await settledExecutions(api, example.workflow.id, change.afterExecutions);
			}
			if ('invoiceTotal' in change) e2e.sandbox.applyBalanceToInvoice(change.customer, { invoiceTotal: change.invoiceTotal, currency: change.currency });
			else e2e.sandbox.createTransaction(change.customer, { amount: change.amount, currency: change.currency });
		}
		await e2e.sandbox.settleDeliveries();
		const events = e2e.sandbox.events();
		for (const index of run.deliverAgain ?? []) await e2e.sandbox.redeliver(events[index].id);

		const { executions = 0, chatMessages = [] } = example.expectation.expect;
		const finished = await settledExecutions(api, example.workflow.id, executions);
		expect(finished.map((execution) => execution.status)).toEqual(Array(executions).fill('success'));
		expect(chatHook.received.map((body) => body.text)).toEqual(chatMessages);
		expectMoney(example);
		await api.unpublishWorkflow(example.workflow.id);
	});
});

/** The workflow's executions once `count` of them have finished (n8n answers Stripe before the execution runs). */
async function settledExecutions(api: N8nRestClient, workflowId: string, count: number): Promise<ListedExecution[]> {
	const deadline = Date.now() + 120_000;
	for (;;) {
		const executions = await api.executions(workflowId);
		const finished = executions.filter((execution) => !['new', 'running', 'waiting'].includes(execution.status));
		if (finished.length >= count && finished.length === executions.length) return finished;
		if (Date.now() > deadline) throw new Error(`${finished.length} of ${count} executions finished: ${JSON.stringify(executions)}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}
