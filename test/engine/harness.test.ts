/**
 * Proves the engine harness (test/engine) runs workflows in n8n-core's real engine, independently of the Stripe node:
 * test-only nodes, a throwaway package loaded with PackageDirectoryLoader, and a local HTTP server.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { Container } from '@n8n/di';
import { InstanceSettings } from 'n8n-core';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	capturedLogs,
	CREDENTIAL_TYPE,
	ITEMS_NODE_TYPE,
	loadedPackage,
	loadPackage,
	NODE_TYPE,
	PACKAGE_ROOT,
	registerNodeType,
	runWorkflow,
	searchList,
	testCredential,
	type LoadedPackage,
	type TestNode,
} from '.';

// ---------------------------------------------------------------------------------------------------------------
// A second test-only node: doubles `value` (usually an expression), fails on a marker, can be made flaky.

const DOUBLE_NODE_TYPE = 'n8n-nodes-engine-harness.double';
const calls: Array<{ executionId: string | undefined; node: string; items: number }> = [];

class DoubleNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Double',
		name: 'double',
		group: ['transform'],
		version: 1,
		description: 'Test-only: doubles a value, throws on items with marker "boom"',
		defaults: { name: 'Double' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Value', name: 'value', type: 'number', default: 0 },
			{ displayName: 'Fail First Attempts', name: 'failAttempts', type: 'number', default: 0 },
			{ displayName: 'Throw Whole Batch On Marker', name: 'wholeBatch', type: 'boolean', default: false },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		this.logger.debug('Double node running', { items: items.length });
		calls.push({ executionId: this.getExecutionId(), node: this.getNode().name, items: items.length });
		const attempt = calls.filter((c) => c.node === this.getNode().name).length;
		if (attempt <= (this.getNodeParameter('failAttempts', 0) as number)) {
			throw new NodeOperationError(this.getNode(), `Flaky failure on attempt ${attempt}`);
		}
		const wholeBatch = this.getNodeParameter('wholeBatch', 0) as boolean;
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				if (items[i].json.marker === 'boom') {
					if (wholeBatch) throw new NodeOperationError(this.getNode(), 'The whole batch failed');
					throw new NodeOperationError(this.getNode(), `Marker on item ${i}`, { itemIndex: i });
				}
				const value = this.getNodeParameter('value', i) as number;
				out.push({
					json: { ...items[i].json, doubled: value * 2, executionId: this.getExecutionId() ?? null, attempt },
					pairedItem: { item: i },
				});
			} catch (error) {
				if (wholeBatch || !this.continueOnFail()) throw error;
				out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
			}
		}
		return [out];
	}
}

registerNodeType(DOUBLE_NODE_TYPE, new DoubleNode());

const PASSTHROUGH_NODE_TYPE = 'n8n-nodes-engine-harness.passthrough';
registerNodeType(PASSTHROUGH_NODE_TYPE, {
	description: {
		displayName: 'Passthrough',
		name: 'passthrough',
		group: ['transform'],
		version: 1,
		description: 'Test-only: returns its input',
		defaults: { name: 'Passthrough' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute(this: IExecuteFunctions) {
		return [this.getInputData()];
	},
});

const NEEDS_PARAM_NODE_TYPE = 'n8n-nodes-engine-harness.needsParam';
registerNodeType(NEEDS_PARAM_NODE_TYPE, {
	description: {
		displayName: 'Needs Param',
		name: 'needsParam',
		group: ['transform'],
		version: 1,
		description: 'Test-only: has a required parameter',
		defaults: { name: 'Needs Param' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Name', name: 'name', type: 'string', required: true, default: '' }],
	},
	async execute(this: IExecuteFunctions) {
		return [this.getInputData()];
	},
});

function itemsThenDouble(items: object[], settings: Partial<TestNode> = {}, value = '={{ $json.amount }}'): TestNode[] {
	return [
		{ name: 'Items', type: ITEMS_NODE_TYPE, parameters: { items: JSON.stringify(items) } },
		{ name: 'Double', type: DOUBLE_NODE_TYPE, parameters: { value }, ...settings },
	];
}

beforeEach(() => {
	calls.length = 0;
});

// ---------------------------------------------------------------------------------------------------------------

describe('runWorkflow with test-only nodes', () => {
	it('runs Items -> Double in WorkflowExecute, resolving ={{ $json.amount }} per item', async () => {
		const result = await runWorkflow({ nodes: itemsThenDouble([{ amount: 1 }, { amount: 21 }]) });

		expect(result.status).toBe('success');
		expect(result.run.finished).toBe(true);
		expect(result.nodeExecutionOrder).toEqual(['Items', 'Double']);
		expect(result.output('Items').map((i) => i.json)).toEqual([{ amount: 1 }, { amount: 21 }]);
		const out = result.output('Double');
		expect(out.map((i) => i.json.doubled)).toEqual([2, 42]);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(result.runCount('Double')).toBe(1);
		expect(result.runCount('Nowhere')).toBe(0);
		expect(result.error).toBeUndefined();
		// n8n-core's own debug logging and the node's this.logger were captured
		expect(result.logs).toContain('debug: Start executing node "Double" {"node":"Double","workflowId":"engineHarnessWf1"}');
		expect(result.logs).toContain('debug: Double node running {"items":2}');
		expect(() => result.output('Nowhere')).toThrow(/has no run 0/);
	});

	it('gives the node a fresh execution id by default, the given one, or none (executionId: null)', async () => {
		const a = await runWorkflow({ nodes: itemsThenDouble([{ amount: 1 }]) });
		const b = await runWorkflow({ nodes: itemsThenDouble([{ amount: 1 }]) });
		const given = await runWorkflow({ nodes: itemsThenDouble([{ amount: 1 }]), executionId: 'exec-42' });
		const none = await runWorkflow({ nodes: itemsThenDouble([{ amount: 1 }]), executionId: null });

		expect(typeof a.output('Double')[0].json.executionId).toBe('string');
		expect(a.output('Double')[0].json.executionId).not.toBe(b.output('Double')[0].json.executionId);
		expect(a.executionId).toBe(a.output('Double')[0].json.executionId);
		expect(given.output('Double')[0].json.executionId).toBe('exec-42');
		expect(none.output('Double')[0].json.executionId).toBeNull();
		expect(none.executionId).toBeUndefined();
	});

	it('stops the workflow on a node error by default (onError stopWorkflow)', async () => {
		const result = await runWorkflow({ nodes: itemsThenDouble([{ amount: 1 }, { marker: 'boom' }]) });

		expect(result.status).toBe('error');
		expect(result.run.finished).toBeUndefined();
		expect(result.error).toBeInstanceOf(Error);
		expect(result.error?.message).toBe('Marker on item 1');
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.run.data.resultData.lastNodeExecuted).toBe('Double');
		// the failing node still has a task entry, with the error and no output
		expect(result.runCount('Double')).toBe(1);
		expect(result.run.data.resultData.runData.Double[0].executionStatus).toBe('error');
		expect(result.nodeError('Double')?.message).toBe('Marker on item 1');
		expect(result.output('Double')).toEqual([]);
	});

	it('onError continueRegularOutput: the node sees continueOnFail() and emits the error as an item', async () => {
		const result = await runWorkflow({
			nodes: itemsThenDouble([{ amount: 2 }, { marker: 'boom' }, { amount: 3 }], { onError: 'continueRegularOutput' }),
		});

		expect(result.status).toBe('success');
		expect(result.output('Double').map((i) => i.json)).toEqual([
			expect.objectContaining({ doubled: 4 }),
			{ error: 'Marker on item 1' },
			expect.objectContaining({ doubled: 6 }),
		]);
		expect(result.errorOutput('Double')).toBeUndefined();
	});

	it('onError continueErrorOutput: n8n-core routes error items to the error output, joined with their input', async () => {
		const result = await runWorkflow({
			nodes: itemsThenDouble([{ amount: 2 }, { marker: 'boom', id: 'x' }], { onError: 'continueErrorOutput' }),
		});

		expect(result.status).toBe('success');
		expect(result.output('Double').map((i) => i.json.doubled)).toEqual([4]);
		expect(result.errorOutput('Double')?.map((i) => i.json)).toEqual([
			{ marker: 'boom', id: 'x', error: 'Marker on item 1' },
		]);
	});

	it('a node throwing for the whole batch with onError continue: n8n passes the INPUT items through, error on the task', async () => {
		const settings: Partial<TestNode> = {
			onError: 'continueErrorOutput',
			parameters: { value: '={{ $json.amount }}', wholeBatch: true },
		};
		const [items, double] = itemsThenDouble([{ amount: 2 }, { marker: 'boom' }], settings);
		const result = await runWorkflow({
			nodes: [items, double, { name: 'After', type: PASSTHROUGH_NODE_TYPE, parameters: {} }],
		});

		expect(result.status).toBe('success');
		expect(result.error).toBeUndefined();
		// the input items, unchanged, on the REGULAR output (not the error output, even with continueErrorOutput)
		expect(result.output('Double').map((i) => i.json)).toEqual([{ amount: 2 }, { marker: 'boom' }]);
		expect(result.errorOutput('Double')).toEqual([]);
		expect(result.output('After')).toHaveLength(2);
		expect(result.run.data.resultData.runData.Double[0].executionStatus).toBe('error');
		expect(result.nodeError('Double')?.message).toBe('The whole batch failed');

		// n8n-core quirk: when that node is the LAST one executed, its error stays the execution's error
		const last = await runWorkflow({ nodes: itemsThenDouble([{ amount: 2 }, { marker: 'boom' }], settings) });
		expect(last.status).toBe('error');
		expect(last.error?.message).toBe('The whole batch failed');
		expect(last.output('Double').map((i) => i.json)).toEqual([{ amount: 2 }, { marker: 'boom' }]);
	});

	it('retryOnFail re-runs the node (same run index) until it succeeds', async () => {
		const result = await runWorkflow({
			nodes: itemsThenDouble([{ amount: 5 }], {
				parameters: { value: '={{ $json.amount }}', failAttempts: 2 },
				retryOnFail: true,
				maxTries: 3,
				waitBetweenTries: 1,
			}),
		});

		expect(result.status).toBe('success');
		expect(calls).toHaveLength(3);
		expect(new Set(calls.map((c) => c.executionId)).size).toBe(1);
		expect(result.runCount('Double')).toBe(1);
		expect(result.output('Double')[0].json).toMatchObject({ doubled: 10, attempt: 3 });
	});

	it('retryOnFail gives up after maxTries and the workflow fails with the last error', async () => {
		const result = await runWorkflow({
			nodes: itemsThenDouble([{ amount: 5 }], {
				parameters: { value: '={{ $json.amount }}', failAttempts: 9 },
				retryOnFail: true,
				maxTries: 2,
				waitBetweenTries: 1,
			}),
		});

		expect(result.status).toBe('error');
		expect(calls).toHaveLength(2);
		expect(result.error?.message).toBe('Flaky failure on attempt 2');
	});

	it('retryOnFail also re-runs the whole batch when the first output item carries json.error (continueRegularOutput)', async () => {
		const result = await runWorkflow({
			nodes: itemsThenDouble([{ marker: 'boom' }, { amount: 1 }], {
				onError: 'continueRegularOutput',
				retryOnFail: true,
				maxTries: 3,
				waitBetweenTries: 1,
			}),
		});

		expect(result.status).toBe('success');
		expect(calls).toHaveLength(3);
		expect(calls.every((c) => c.items === 2)).toBe(true);
		expect(result.output('Double')[0].json).toEqual({ error: 'Marker on item 0' });
	});

	it('follows explicit connections and runs every branch', async () => {
		const result = await runWorkflow({
			nodes: [
				{ name: 'Items', type: ITEMS_NODE_TYPE, parameters: { items: '[{"amount": 3}]' } },
				{ name: 'A', type: DOUBLE_NODE_TYPE, parameters: { value: '={{ $json.amount }}' } },
				{ name: 'B', type: DOUBLE_NODE_TYPE, parameters: { value: "={{ $('Items').item.json.amount + 1 }}" } },
			],
			connections: {
				Items: {
					main: [
						[
							{ node: 'A', type: 'main', index: 0 },
							{ node: 'B', type: 'main', index: 0 },
						],
					],
				},
			},
		});

		expect(result.status).toBe('success');
		expect(result.output('A')[0].json.doubled).toBe(6);
		expect(result.output('B')[0].json.doubled).toBe(8);
	});

	it('reports a workflow with issues (empty required parameter) as a failed execution, running nothing', async () => {
		const result = await runWorkflow({
			nodes: [
				{ name: 'Items', type: ITEMS_NODE_TYPE, parameters: { items: '[{}]' } },
				{ name: 'Needs', type: NEEDS_PARAM_NODE_TYPE, parameters: {} },
			],
		});
		expect(result.status).toBe('error');
		expect(result.error?.name).toBe('WorkflowHasIssuesError');
		expect(result.runCount('Items')).toBe(0);
	});

	it('points n8n-core at a temporary user folder', () => {
		const folder = Container.get(InstanceSettings).n8nFolder;
		expect(folder.startsWith(tmpdir())).toBe(true);
		expect(existsSync(path.join(folder, 'config'))).toBe(true);
	});

	it('rejects bad Items JSON through the normal error path', async () => {
		const result = await runWorkflow({ nodes: [{ name: 'Items', type: ITEMS_NODE_TYPE, parameters: { items: '{nope' } }] });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/"items" is not valid JSON/);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// A throwaway package: compiled JS node + credential, package.json `n8n` section, codex and svg icons.

const PROBE_PACKAGE = 'n8n-nodes-harness-probe';
const PROBE_NODE = `${PROBE_PACKAGE}.probe`;
const GOOD_TOKEN = 'probe-token-5ecr3t-value';

const probeNodeJs = `
"use strict";
const { NodeOperationError } = require('n8n-workflow');
class Probe {
	constructor() {
		this.description = {
			displayName: 'Probe',
			name: 'probe',
			icon: { light: 'file:probe.svg', dark: 'file:probe.dark.svg' },
			group: ['transform'],
			version: [1, 2],
			description: 'Throwaway node for the engine harness test',
			defaults: { name: 'Probe' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'probeApi', required: true }],
			properties: [
				{ displayName: 'Path', name: 'path', type: 'string', default: '/echo' },
				{
					displayName: 'Thing', name: 'thing', type: 'resourceLocator', default: { mode: 'list', value: '' },
					modes: [
						{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchThings', searchable: true } },
						{ displayName: 'ID', name: 'id', type: 'string' },
					],
				},
			],
		};
		this.methods = {
			listSearch: {
				async searchThings(filter, paginationToken) {
					const credentials = await this.getCredentials('probeApi');
					const response = await this.helpers.httpRequestWithAuthentication.call(this, 'probeApi', {
						method: 'GET',
						url: credentials.baseUrl + '/things',
						qs: { filter: filter || '', page: paginationToken || '1', prefix: this.getCurrentNodeParameter('path') || '' },
						json: true,
					});
					return { results: response.things.map((t) => ({ name: t.name, value: t.id })), paginationToken: response.next };
				},
			},
		};
	}
	async execute() {
		const items = this.getInputData();
		const credentials = await this.getCredentials('probeApi');
		const out = [];
		for (let i = 0; i < items.length; i++) {
			const path = this.getNodeParameter('path', i);
			if (typeof path !== 'string') throw new NodeOperationError(this.getNode(), 'path must be a string', { itemIndex: i });
			const response = await this.helpers.httpRequestWithAuthentication.call(this, 'probeApi', {
				method: 'GET', url: credentials.baseUrl + path, json: true,
			});
			out.push({ json: response, pairedItem: { item: i } });
		}
		return [out];
	}
}
module.exports = { Probe };
`;

const probeCredentialJs = `
"use strict";
class ProbeApi {
	constructor() {
		this.name = 'probeApi';
		this.displayName = 'Probe API';
		this.icon = 'file:../../icons/probe-credential.svg';
		this.properties = [
			{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'http://127.0.0.1:9' },
			{ displayName: 'Scheme', name: 'scheme', type: 'string', default: 'Bearer' },
		];
		this.authenticate = {
			type: 'generic',
			properties: { headers: { Authorization: '={{ $credentials.scheme + " " + $credentials.token }}', 'X-Probe': 'static' } },
		};
		this.test = {
			request: { baseURL: '={{ $credentials.baseUrl }}', url: '/me' },
			rules: [
				{ type: 'responseCode', properties: { value: 403, message: 'The token may not read the account' } },
				{ type: 'responseSuccessBody', properties: { key: 'account.status', value: 'closed', message: 'The account is closed' } },
			],
		};
	}
}
module.exports = { ProbeApi };
`;

const svg = (fill: string) =>
	`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="${fill}"/></svg>`;

function writeProbePackage(dir: string) {
	const write = (rel: string, content: string) => {
		mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
		writeFileSync(path.join(dir, rel), content);
	};
	write(
		'package.json',
		JSON.stringify({
			name: PROBE_PACKAGE,
			version: '0.0.7',
			n8n: {
				n8nNodesApiVersion: 1,
				nodes: ['dist/nodes/Probe/Probe.node.js'],
				credentials: ['dist/credentials/ProbeApi.credentials.js'],
			},
			peerDependencies: { 'n8n-workflow': '*' },
		}),
	);
	write('dist/nodes/Probe/Probe.node.js', probeNodeJs);
	write(
		'dist/nodes/Probe/Probe.node.json',
		JSON.stringify({
			node: PROBE_NODE,
			nodeVersion: '1.0',
			codexVersion: '1.0',
			categories: ['Development'],
			resources: { primaryDocumentation: [{ url: 'https://example.invalid/probe' }] },
		}),
	);
	write('dist/nodes/Probe/probe.svg', svg('#000'));
	write('dist/nodes/Probe/probe.dark.svg', svg('#fff'));
	write('dist/credentials/ProbeApi.credentials.js', probeCredentialJs);
	write('icons/probe-credential.svg', svg('#888'));
	// the package's peer dependency, as an installed community package would see it
	mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
	symlinkSync(path.join(PACKAGE_ROOT, 'node_modules', 'n8n-workflow'), path.join(dir, 'node_modules', 'n8n-workflow'), 'dir');
}

interface Seen {
	path: string;
	authorization?: string;
	probe?: string;
}

describe('a throwaway package loaded with PackageDirectoryLoader', () => {
	let dir: string;
	let probe: LoadedPackage;
	let server: Server;
	let baseUrl: string;
	const seen: Seen[] = [];

	beforeAll(async () => {
		dir = mkdtempSync(path.join(tmpdir(), 'probe-package-'));
		writeProbePackage(dir);
		probe = await loadPackage(dir);

		server = createServer((req: IncomingMessage, res: ServerResponse) => {
			const url = new URL(req.url ?? '/', 'http://localhost');
			const authorization = req.headers.authorization;
			seen.push({ path: url.pathname, authorization, probe: req.headers['x-probe'] as string | undefined });
			const send = (status: number, body: unknown, statusMessage?: string) => {
				res.writeHead(status, statusMessage, { 'content-type': 'application/json' });
				res.end(JSON.stringify(body));
			};
			if (authorization === 'Bearer limited-token' && url.pathname === '/me') return send(403, { error: 'forbidden' });
			if (authorization === 'Bearer closed-token' && url.pathname === '/me') {
				return send(200, { account: { status: 'closed' } });
			}
			if (authorization !== `Bearer ${GOOD_TOKEN}`) return send(401, { error: 'bad token' }, 'Unauthorized');
			if (url.pathname === '/me') return send(200, { account: { status: 'open' } });
			if (url.pathname === '/things') {
				const filter = url.searchParams.get('filter') ?? '';
				const things = ['alpha', 'beta', 'gamma']
					.filter((name) => name.includes(filter))
					.map((name) => ({ id: `${url.searchParams.get('prefix')}:${name}`, name }));
				return send(200, { things, next: url.searchParams.get('page') === '1' ? '2' : undefined });
			}
			return send(200, { ok: true, path: url.pathname });
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});

	afterAll(async () => {
		await new Promise<void>((resolve) => server.close(() => resolve()));
		rmSync(dir, { recursive: true, force: true });
	});

	beforeEach(() => {
		seen.length = 0;
	});

	it('registers the node and credential with codex, version and icon paths as n8n serves them', () => {
		expect(probe.packageName).toBe(PROBE_PACKAGE);
		expect(probe.nodeTypes).toEqual([PROBE_NODE]);
		expect(probe.credentialTypes).toEqual(['probeApi']);
		const description = probe.nodeDescription(PROBE_NODE);
		expect(description.version).toEqual([1, 2]);
		expect(description.codex?.categories).toEqual(['Development']);
		expect(description.communityNodePackageVersion).toBe('0.0.7');
		expect(probe.nodeDescription('probe')).toBe(description);
		expect(description.iconUrl).toEqual({
			light: `icons/${PROBE_PACKAGE}/dist/nodes/Probe/probe.svg`,
			dark: `icons/${PROBE_PACKAGE}/dist/nodes/Probe/probe.dark.svg`,
		});
		expect(probe.credential('probeApi').supportedNodes).toEqual(['probe']);
		expect(probe.iconPaths).toEqual([
			expect.objectContaining({ owner: PROBE_NODE, kind: 'node', theme: 'light', exists: true }),
			expect.objectContaining({ owner: PROBE_NODE, kind: 'node', theme: 'dark', exists: true }),
			expect.objectContaining({ owner: 'probeApi', kind: 'credential', theme: 'single', exists: true }),
		]);
		expect(probe.iconPaths[2].file).toBe(path.join(probe.directory, 'icons', 'probe-credential.svg'));
	});

	it('runs the package node with its credential: generic authenticate resolved by the credentials helper', async () => {
		const result = await runWorkflow({
			nodes: [
				{ name: 'Items', type: ITEMS_NODE_TYPE, parameters: { items: '[{"p": "/a"}, {"p": "/b"}]' } },
				{
					name: 'Probe',
					type: PROBE_NODE,
					parameters: { path: '={{ $json.p }}' },
					credentials: { probeApi: { id: 'p1', name: 'Probe account' } },
				},
			],
			credentials: { probeApi: { token: GOOD_TOKEN, baseUrl } },
		});

		expect(result.status).toBe('success');
		expect(result.output('Probe').map((i) => i.json)).toEqual([
			{ ok: true, path: '/a' },
			{ ok: true, path: '/b' },
		]);
		expect(result.run.data.resultData.runData.Probe[0].source).toEqual([
			{ previousNode: 'Items', previousNodeOutput: 0, previousNodeRun: 0 },
		]);
		// defaults applied (scheme), expressions resolved, static header merged
		expect(seen).toEqual([
			{ path: '/a', authorization: `Bearer ${GOOD_TOKEN}`, probe: 'static' },
			{ path: '/b', authorization: `Bearer ${GOOD_TOKEN}`, probe: 'static' },
		]);
		expect(result.logs.join('\n')).not.toContain(GOOD_TOKEN);
	});

	it('shows an HTTP failure as a NodeApiError in IRun', async () => {
		const result = await runWorkflow({
			nodes: [
				{ name: 'Items', type: ITEMS_NODE_TYPE, parameters: { items: '[{}]' } },
				{ name: 'Probe', type: PROBE_NODE, parameters: {}, credentials: { probeApi: { id: 'p1', name: 'Probe' } } },
			],
			credentials: { probeApi: { token: 'wrong', baseUrl } },
		});

		expect(result.status).toBe('error');
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.httpCode).toBe('401');
		expect(result.logs.join('\n')).not.toContain('wrong');
	});

	it('fails like n8n when the node has no credential data for its type', async () => {
		const result = await runWorkflow({
			nodes: [
				{ name: 'Items', type: ITEMS_NODE_TYPE, parameters: { items: '[{}]' } },
				{ name: 'Probe', type: PROBE_NODE, parameters: {}, credentials: { probeApi: { id: 'p1', name: 'Probe' } } },
			],
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Credential with ID "p1" does not exist for type "probeApi".');
	});

	it('searchList calls listSearch through a real LoadOptionsContext with credentials and current parameters', async () => {
		const page1 = await searchList('searchThings', { token: GOOD_TOKEN, baseUrl }, 'a', undefined, { path: '/x' }, {
			nodeType: PROBE_NODE,
			credentialType: 'probeApi',
		});
		expect(page1).toEqual({
			results: [
				{ name: 'alpha', value: '/x:alpha' },
				{ name: 'beta', value: '/x:beta' },
				{ name: 'gamma', value: '/x:gamma' },
			],
			paginationToken: '2',
		});
		const page2 = await searchList('searchThings', { token: GOOD_TOKEN, baseUrl }, 'mm', '2', {}, {
			nodeType: PROBE_NODE,
			credentialType: 'probeApi',
		});
		expect(page2.results).toEqual([{ name: 'gamma', value: ':gamma' }]);
		expect(page2.paginationToken).toBeUndefined();
		expect(seen.every((s) => s.authorization === `Bearer ${GOOD_TOKEN}`)).toBe(true);
	});

	it("testCredential runs the credential's test request like n8n's CredentialsTester", async () => {
		await expect(testCredential({ token: GOOD_TOKEN, baseUrl }, 'probeApi')).resolves.toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(seen).toEqual([{ path: '/me', authorization: `Bearer ${GOOD_TOKEN}`, probe: 'static' }]);

		// non-2xx without a rule: the status text
		await expect(testCredential({ token: 'nope', baseUrl }, 'probeApi')).resolves.toEqual({
			status: 'Error',
			message: 'Unauthorized',
		});
		// responseCode rule
		await expect(testCredential({ token: 'limited-token', baseUrl }, 'probeApi')).resolves.toEqual({
			status: 'Error',
			message: 'The token may not read the account',
		});
		// responseSuccessBody rule
		await expect(testCredential({ token: 'closed-token', baseUrl }, 'probeApi')).resolves.toEqual({
			status: 'Error',
			message: 'The account is closed',
		});
		// network failure: the error code
		await expect(testCredential({ token: GOOD_TOKEN, baseUrl: 'http://127.0.0.1:9' }, 'probeApi')).resolves.toEqual({
			status: 'Error',
			message: 'ECONNREFUSED',
		});
		expect(capturedLogs().join('\n')).not.toContain(GOOD_TOKEN);
	});
});

// ---------------------------------------------------------------------------------------------------------------

const distBuilt = existsSync(path.join(PACKAGE_ROOT, 'dist', 'nodes', 'StripeCustomerBalance', 'StripeCustomerBalance.node.js'));
const describeBuilt = distBuilt ? describe : describe.skip;

describeBuilt(
	distBuilt ? 'the built package (dist/)' : 'the built package: SKIPPED because dist/ is missing, run `npm run build`',
	() => {
		it('is loaded by PackageDirectoryLoader with its node, credential and icons', () => {
			const pkg = loadedPackage();
			expect(pkg.nodeTypes).toContain(NODE_TYPE);
			expect(pkg.credentialTypes).toContain(CREDENTIAL_TYPE);
			expect(pkg.nodeDescription(NODE_TYPE).credentials?.map((c) => c.name)).toContain(CREDENTIAL_TYPE);
			expect(pkg.credential(CREDENTIAL_TYPE).name).toBe(CREDENTIAL_TYPE);
			const nodeIcons = pkg.iconPaths.filter((icon) => icon.owner === NODE_TYPE);
			expect(nodeIcons.length).toBeGreaterThan(0);
			for (const icon of pkg.iconPaths) expect(icon).toMatchObject({ exists: true });
		});
	},
);
