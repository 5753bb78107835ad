/**
 * An OpenAI-compatible chat endpoint on loopback that answers from a script instead of a model, so that n8n's real
 * AI Agent and its real OpenAI Chat Model node (credential Base URL pointed here) can run in a test.
 *
 * Each POST /chat/completions takes the next step of the script: `toolCall` answers with a call of the first tool the
 * agent offered, with those arguments; `answer` answers with that text. Every request is kept, so a test can check
 * that the tool's result came back to the model.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ChatStep = { toolCall: Record<string, unknown> } | { answer: string };

export interface ChatRequest {
	messages: Array<{ role: string; content?: unknown; tool_calls?: unknown }>;
	tools?: Array<{ type: string; function: { name: string } }>;
	stream?: boolean;
}

export interface ScriptedChatModel {
	/** Base URL for n8n's OpenAI credential (`…/v1`). */
	url: string;
	requests: ChatRequest[];
	play(script: ChatStep[]): void;
	close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<ChatRequest> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as ChatRequest;
}

function completion(step: ChatStep, request: ChatRequest, turn: number): object {
	const base = { id: `chatcmpl-scripted-${turn}`, object: 'chat.completion', created: 0, model: 'scripted' };
	const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
	if ('answer' in step) {
		return { ...base, usage, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: step.answer } }] };
	}
	const tool = request.tools?.[0]?.function.name;
	if (!tool) throw new Error('the script calls a tool, but the agent offered none');
	const call = { id: `call_scripted_${turn}`, type: 'function', function: { name: tool, arguments: JSON.stringify(step.toolCall) } };
	return { ...base, usage, choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [call] } }] };
}

export async function startScriptedChatModel(): Promise<ScriptedChatModel> {
	let script: ChatStep[] = [];
	const requests: ChatRequest[] = [];
	const server: Server = createServer((req, res) => {
		void (async () => {
			if (req.method === 'GET' && req.url?.endsWith('/models')) {
				res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] }));
				return;
			}
			if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
				res.writeHead(404).end();
				return;
			}
			const request = await readJson(req);
			requests.push(request);
			const step = script.shift();
			if (!step) {
				res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'the script has no more steps' } }));
				return;
			}
			res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(step, request, requests.length)));
		})().catch((error: unknown) => res.writeHead(500).end(String(error)));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		play(steps) {
			script = [...steps];
			requests.length = 0;
		},
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
