/** Calling a published n8n workflow's webhook, one at a time or many at once (a CRM firing one webhook per record). */
import { httpCall } from './http';
import type { N8nRestClient, N8nServer } from './server';
import type { WorkflowJson } from './workflows';

export interface WebhookReply {
	status: number;
	body: unknown;
	ms: number;
}

export async function postWebhook(baseUrl: string, path: string, body: unknown, timeoutMs = 300_000): Promise<WebhookReply> {
	const started = Date.now();
	const res = await httpCall(`${baseUrl}/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		timeoutMs,
	});
	const text = res.body.toString('utf8');
	let parsed: unknown = text;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		/* not JSON */
	}
	return { status: res.status, body: parsed, ms: Date.now() - started };
}

/**
 * Publishes webhook workflows (imported before the server started) as n8n's owner, signing the owner up on a fresh
 * instance, and waits until every Webhook node of them answers. Returns the owner's REST session.
 */
export async function publishWebhookWorkflows(server: N8nServer, workflows: WorkflowJson[]): Promise<N8nRestClient> {
	const api = server.client();
	await api.ensureOwner();
	for (const workflow of workflows) await api.publishWorkflow(workflow.id);
	for (const workflow of workflows) {
		for (const node of workflow.nodes) if (node.type === 'n8n-nodes-base.webhook') await waitForWebhook(server.url, node.parameters.path as string);
	}
	return api;
}

/** n8n's readiness answers before webhooks are registered: wait until a GET is told the webhook wants POST. */
export async function waitForWebhook(baseUrl: string, path: string, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const res = await httpCall(`${baseUrl}/webhook/${path}`, { timeoutMs: 5000 });
		const text = res.body.toString('utf8');
		if (res.status !== 404 || /POST/i.test(text)) return;
		if (Date.now() > deadline) throw new Error(`webhook ${path} not registered after ${timeoutMs} ms: ${res.status} ${text.slice(0, 200)}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

export interface Burst {
	replies: WebhookReply[];
	/** From the first request sent to the last reply. */
	totalMs: number;
}

/** Sends every body at once, one webhook call each, and waits for all replies. */
export async function webhookBurst(baseUrl: string, path: string, bodies: unknown[]): Promise<Burst> {
	const started = Date.now();
	const replies = await Promise.all(bodies.map(async (body) => await postWebhook(baseUrl, path, body)));
	return { replies, totalMs: Date.now() - started };
}
