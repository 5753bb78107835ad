/**
 * Bench scenario (i): the balance trigger answers Stripe while a bulk run saturates the same account's pacer, in the
 * same n8n process (`n8n start`, test key: 25 requests/s, sandbox latency 100 ms).
 *
 * One execution credits 1,000 customers (about 42 s at the pacer's 95% of 25/s). Meanwhile a debit to another
 * customer every 3 s reaches the published trigger (Changes: Debits Only, so the 1,000 credits' own events are
 * answered without a lookup and the probes alone measure it). Target: every probe delivery answered within 2 s. Also
 * measured: from the event to the item reaching the workflow's next node (the transaction lookup, which waits for a
 * turn in the same pacer), and whether the lookup found the transaction.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	N8nInstance,
	WorkflowBuilder,
	balanceTriggerNode,
	batchWorkflow,
	freePort,
	packPackage,
	postItemNode,
	postWebhook,
	provision,
	publishWebhookWorkflows,
	registerSecret,
	stripeCredential,
	waitForWebhook,
} from '../n8n';
import { busiestSecond } from '../../test/sandbox/arrivals';
import { startSandbox } from '../../test/sandbox';
import { HookRecorder } from '../../test/shared/hookRecorder';
import type { BetweenResult } from './betweenExecutions';

const BULK = 1000;
const PROBES = 8;
const PROBE_EVERY_MS = 3000;
const TARGET_MS = 2000;
const TRIGGER_WORKFLOW_ID = 'benchTrigBusy001';
const WEBHOOK_ID = '5b0f3c1e-7a52-4c39-9d7e-0000000000d4';
const BULK_PATH = 'bench-bulk-credits';

const s = (ms: number) => (ms / 1000).toFixed(2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `n8nEnv`: extra settings for n8n (for example N8N_EXPRESSION_ENGINE_POOL_SIZE), named in the scenario. */
export async function triggerUnderBulkRun(n8nEnv: Record<string, string> = {}): Promise<BetweenResult> {
	const credential = { id: 'benchTriggerBusy', name: 'Stripe sandbox (bench, trigger)' };
	const sandbox = await startSandbox({ host: '127.0.0.1', faults: { rateLimitPerSecond: 25, latencyMs: 100, lockTimeouts: true } });
	sandbox.setWebhooks({ retryDelaysMs: [] });
	registerSecret(sandbox.secretKey);
	const recorder = await HookRecorder.start();
	const workDir = await mkdtemp(join(tmpdir(), 'stripe-cb-bench-trigger-'));
	const n8n = await N8nInstance.create({ runtime: await provision(), userFolder: join(workDir, 'n8n') });
	const trigger = new WorkflowBuilder(TRIGGER_WORKFLOW_ID, 'bench: balance debited -> notify')
		.chain(balanceTriggerNode('Balance debited', { credential, webhookId: WEBHOOK_ID, changes: 'debits' }), postItemNode('Notify', recorder.url))
		.build();
	const bulk = batchWorkflow(credential, { id: 'benchBulkCredits', path: BULK_PATH, respond: 'onReceived' });
	try {
		await n8n.installTarball((await packPackage(workDir)).tarball);
		await n8n.importCredentials([stripeCredential({ ...credential, secretKey: sandbox.secretKey, baseUrl: sandbox.url })]);
		await n8n.importWorkflows([trigger, bulk]);
		const port = await freePort();
		const server = await n8n.start({ port, env: { WEBHOOK_URL: `http://127.0.0.1:${port}/`, ...n8nEnv } });
		try {
			const api = await publishWebhookWorkflows(server, [bulk]);
			await api.publishWorkflow(TRIGGER_WORKFLOW_ID);
			await waitForWebhook(server.url, `${WEBHOOK_ID}/webhook`);

			const customers = Array.from({ length: BULK }, (_, index) => sandbox.createCustomer({ name: `Bulk ${index}` }).id);
			const probed = sandbox.createCustomer({ name: 'Probed', currency: 'usd' }).id;
			const requestsBefore = sandbox.requests.length;
			const credits = customers.map((customerId, index) => ({ customerId, amount: -(index + 1), ref: `i-${index}` }));
			const bulkStarted = Date.now();
			await postWebhook(server.url, BULK_PATH, { credits });
			// Saturated: the credits are going out at the pacer's rate.
			while (sandbox.transactions().length < 50) await sleep(100);

			const probes: Array<{ eventId: string; at: number }> = [];
			for (let index = 0; index < PROBES; index++) {
				sandbox.createTransaction(probed, { amount: 100 + index, currency: 'usd' });
				probes.push({ eventId: sandbox.events().at(-1)!.id, at: Date.now() });
				await sleep(PROBE_EVERY_MS);
			}
			const creditsWhileProbing = sandbox.transactions().length - PROBES;
			while (sandbox.transactions().length < BULK + PROBES && Date.now() - bulkStarted < 180_000) await sleep(250);
			const bulkMs = Date.now() - bulkStarted;
			await recorder.waitFor(PROBES, 60_000).catch(() => undefined);
			await sandbox.settleDeliveries();

			const answers = probes.map(({ eventId, at }) => {
				const delivery = sandbox.deliveries.find((entry) => entry.eventId === eventId && entry.attempt === 1);
				const item = recorder.requests.find((request) => request.json.eventId === eventId);
				return {
					status: delivery?.status ?? null,
					answerMs: delivery?.answeredAt !== undefined ? delivery.answeredAt - delivery.at : Number.POSITIVE_INFINITY,
					itemMs: item ? item.at - at : Number.POSITIVE_INFINITY,
					found: item?.json.balanceTransaction !== null && item?.json.balanceTransaction !== undefined,
				};
			});
			const slowest = Math.max(...answers.map((answer) => answer.answerMs));
			// The credits' own events (answered without a lookup: not debits) show n8n's time to take a request meanwhile.
			const probeIds = new Set(probes.map((probe) => probe.eventId));
			const others = sandbox.deliveries.filter((delivery) => !probeIds.has(delivery.eventId) && delivery.answeredAt !== undefined);
			const othersMs = others.map((delivery) => delivery.answeredAt! - delivery.at).sort((x, y) => x - y);
			const othersMedian = othersMs[Math.floor(othersMs.length / 2)] ?? 0;
			const notOk = answers.filter((answer) => answer.status !== 200).length;
			const transactions = sandbox.transactions().length - PROBES;
			const duplicates = customers.filter((customer) => sandbox.transactions(customer).length > 1).length;
			const arrivals = sandbox.requests.slice(requestsBefore).map((request) => request.at);
			const pass = slowest <= TARGET_MS && notOk === 0;
			return {
				scenario: `(i) the trigger answers Stripe while 1 execution of ${BULK.toLocaleString('en')} credits saturates the account's pacer (n8n start, test key 25/s, 100 ms${Object.entries(n8nEnv).map(([key, value]) => `, ${key}=${value}`).join('')})`,
				wallMs: slowest,
				boundMs: TARGET_MS,
				failed: notOk,
				transactions,
				expected: BULK,
				duplicates,
				rateLimited: sandbox.stats.rateLimited,
				lockTimeouts: sandbox.stats.lockTimeouts,
				busiestSecond: busiestSecond(arrivals),
				detail:
					`${PROBES} debits, one every ${PROBE_EVERY_MS / 1000} s, while ${creditsWhileProbing} of the credits had landed by the last; answered in ${answers.map((answer) => s(answer.answerMs)).join(', ')} s; ` +
					`event -> item after the lookup: ${answers.map((answer) => s(answer.itemMs)).join(', ')} s; transaction found for ${answers.filter((answer) => answer.found).length}/${PROBES}; ` +
					`the bulk run took ${s(bulkMs)} s; the credits' own ${others.length} deliveries (no lookup) answered in ${s(othersMedian)} s median, ${s(othersMs.at(-1) ?? 0)} s at most`,
				target: {
					pass,
					text: `slowest answer to a delivery ${s(slowest)} s (target <= ${s(TARGET_MS)} s) while the bulk run saturated the pacer; ${notOk} not answered 200; ${transactions}/${BULK} credits, ${duplicates} duplicates`,
				},
			};
		} finally {
			await server.stop();
		}
	} finally {
		await n8n.dispose();
		await recorder.close();
		await sandbox.close();
		await rm(workDir, { recursive: true, force: true });
	}
}
