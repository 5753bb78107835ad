/**
 * Engine harness: runs workflows with the BUILT package (dist/) inside n8n-core's real WorkflowExecute,
 * the way n8n runs them, plus listSearch and credential tests through n8n-core's real contexts.
 *
 * What is real: PackageDirectoryLoader, Workflow, WorkflowExecute.processRunExecutionData, ExecutionLifecycleHooks,
 * ExecuteContext / LoadOptionsContext / RoutingNode, n8n's expression engine, n8n's HTTP stack (OutboundHttp),
 * Retry On Fail and On Error. What stands in for n8n's server: the credentials helper (no database), the
 * additionalData object and the test-only start node (ITEMS_NODE_TYPE).
 */
import './env';

import { ErrorReporter, ExecuteContext, ExecutionLifecycleHooks, ExternalSecretsProxy, LoadOptionsContext, RoutingNode, WorkflowExecute } from 'n8n-core';
import { Container } from '@n8n/di';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestRequest,
	IConnections,
	IExecuteData,
	INode,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRun,
	IRunExecutionData,
	ITaskData,
	ITaskDataConnections,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	ICredentialType,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData, NodeConnectionTypes, NodeHelpers, UnexpectedError, Workflow } from 'n8n-workflow';
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { TestCredentialsHelper } from './credentials-helper';
import { logCount, logTextsSince } from './recording-logger';
import type { IconPath, LoadedPackage } from './registry';
import { credentialTypes, latestVersion, loadPackage, loadPackageSync, nodeTypes, PACKAGE_ROOT } from './registry';
import { ITEMS_NODE_TYPE } from './test-nodes';

export { ITEMS_NODE_TYPE } from './test-nodes';
export { TestCredentialsHelper } from './credentials-helper';
export { logEntries } from './recording-logger';
export { loadPackage, PACKAGE_ROOT, registerNodeType } from './registry';
export type { IconPath, LoadedPackage } from './registry';

export const NODE_TYPE = 'n8n-nodes-stripe-customer-balance.stripeCustomerBalance';
export const TRIGGER_NODE_TYPE = 'n8n-nodes-stripe-customer-balance.stripeCustomerBalanceTrigger';
export const CREDENTIAL_TYPE = 'stripeCustomerBalanceApi';

/** The credential reference itemsThenStripe() attaches (what a saved workflow holds). */
export const TEST_CREDENTIAL = { id: 'cred-stripe-test', name: 'Stripe test account' };

export interface TestNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	typeVersion?: number;
	credentials?: Record<string, { id: string; name: string }>;
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	continueOnFail?: boolean;
	position?: [number, number];
	id?: string;
	// Further real n8n node settings, passed through as they are.
	disabled?: boolean;
	alwaysOutputData?: boolean;
	executeOnce?: boolean;
}

export interface RunResult {
	run: IRun;
	/** IRun.status: 'success' | 'error' | 'canceled' | 'waiting' ... */
	status: string;
	/** Items of the node's first main output in run `runIndex` (default 0). Throws if the node has no such run. */
	output(nodeName: string, runIndex?: number): INodeExecutionData[];
	/** Items of the error output (the last main output) when the node has onError 'continueErrorOutput', else undefined. */
	errorOutput(nodeName: string, runIndex?: number): INodeExecutionData[] | undefined;
	/** The execution's error (IRun.data.resultData.error), as an Error carrying n8n's fields (name, description, httpCode, node...). */
	error?: Error & Record<string, unknown>;
	/** The error recorded on one node's task (also set when the node continued on fail). */
	nodeError(nodeName: string, runIndex?: number): (Error & Record<string, unknown>) | undefined;
	/** How many runs (task entries) the node has. Retry On Fail re-runs inside the same run: still 1. */
	runCount(nodeName: string): number;
	/** Everything n8n logged during this run, one string per message with its metadata. */
	logs: string[];
	/** Node names in the order 'nodeExecuteAfter' fired. */
	nodeExecutionOrder: string[];
	/** Each node's id, by name (a Retry of this run keeps them). */
	nodeIds: Record<string, string>;
	/** additionalData.executionId the run had (undefined when run with executionId: null). */
	executionId: string | undefined;
}

export interface RunWorkflowOptions {
	nodes: TestNode[];
	/** Default: a linear chain in array order (main output 0 -> main input 0). */
	connections?: IConnections;
	/** Credential data by credential type, e.g. { stripeCustomerBalanceApi: { secretKey, baseUrl } }. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Default: a random id. null: n8n gives no execution id (additionalData.executionId undefined). */
	executionId?: string | null;
	/** Default 'manual'. */
	mode?: WorkflowExecuteMode;
	/** Default 'engineHarnessWf1'. */
	workflowId?: string;
	/** Extra workflow settings (executionOrder is 'v1' unless given). */
	settings?: IWorkflowBase['settings'];
	/** Name of the node to start from; default: the first node (in array order) without incoming main connections. */
	startNode?: string;
	/**
	 * n8n's Retry of a failed execution: a new execution (mode 'retry') that starts with the node contexts the failed one
	 * stored (n8n restores them from the saved execution data; see NOTES on n8n's Retry). The real Retry is exercised
	 * in test/e2e/betweenExecutions.e2e.test.ts.
	 */
	retryOf?: RunResult;
}

const MAIN_PACKAGE_NAME = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string }).name;
const BASE_URL = 'http://localhost:5678/';

let executionCounter = 0;
const executionIdBase = randomInt(1_000_000, 1_000_000_000);

function nextExecutionId(): string {
	executionCounter += 1;
	return String(executionIdBase + executionCounter);
}

export function createAdditionalData(options: {
	credentialsHelper: TestCredentialsHelper;
	executionId?: string;
	hooks?: ExecutionLifecycleHooks;
	workflowId?: string;
	currentNodeParameters?: INodeParameters;
}): IWorkflowExecuteAdditionalData {
	const additionalData = {
		credentialsHelper: options.credentialsHelper,
		executeWorkflow: async () => {
			throw new UnexpectedError('Sub-workflows are not supported by the engine harness');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: async () => {
			throw new UnexpectedError('Task runners are not supported by the engine harness');
		},
		logAiEvent: () => {},
		executionId: options.executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${BASE_URL}rest`,
		instanceBaseUrl: BASE_URL,
		formBaseUrl: `${BASE_URL}form`,
		formWaitingBaseUrl: `${BASE_URL}form-waiting`,
		formTestBaseUrl: `${BASE_URL}form-test`,
		webhookBaseUrl: `${BASE_URL}webhook`,
		webhookWaitingBaseUrl: `${BASE_URL}webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}webhook-test`,
		mcpBaseUrl: `${BASE_URL}mcp`,
		mcpTestBaseUrl: `${BASE_URL}mcp-test`,
		variables: {},
		externalSecretsProxy: new ExternalSecretsProxy(),
		userId: 'engine-harness-user',
		workflowId: options.workflowId,
		currentNodeParameters: options.currentNodeParameters,
		hooks: options.hooks,
	};
	return additionalData as IWorkflowExecuteAdditionalData;
}

function packageOf(type: string): string {
	const dot = type.lastIndexOf('.');
	return dot === -1 ? '' : type.slice(0, dot);
}

/** Loads the built package if a node type of it is used (and fails clearly if dist/ is missing). */
async function ensureTypesFor(types: string[]): Promise<void> {
	if (types.some((type) => packageOf(type) === MAIN_PACKAGE_NAME) || types.includes(CREDENTIAL_TYPE)) {
		await loadPackage(PACKAGE_ROOT);
	}
}

function toError(value: unknown): (Error & Record<string, unknown>) | undefined {
	if (value === undefined || value === null) return undefined;
	if (value instanceof Error) return value as Error & Record<string, unknown>;
	const plain = value as Record<string, unknown>;
	const error = new Error(typeof plain.message === 'string' ? plain.message : String(plain.message)) as Error &
		Record<string, unknown>;
	Object.assign(error, plain);
	return error;
}

function linearConnections(nodes: TestNode[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: NodeConnectionTypes.Main, index: 0 }]] };
	}
	return connections;
}

/**
 * A node without a typeVersion runs at its newest version, except this package's own (and their AI tool variants),
 * which run at version 1: the tests written before version 2 describe what the workflows saved then do. Tests of
 * version 2 say `typeVersion: 2`.
 */
function versionWhenUnset(type: string): number {
	return packageOf(type) === MAIN_PACKAGE_NAME ? 1 : latestVersion(type);
}

function toINode(node: TestNode, index: number): INode {
	const { name, type, parameters, typeVersion, credentials, position, id, ...settings } = node;
	const result: INode = {
		id: id ?? randomUUID(),
		name,
		type,
		typeVersion: typeVersion ?? versionWhenUnset(type),
		position: position ?? [index * 220, 0],
		parameters: JSON.parse(JSON.stringify(parameters ?? {})) as INodeParameters,
	};
	if (credentials) result.credentials = JSON.parse(JSON.stringify(credentials)) as INode['credentials'];
	for (const [key, value] of Object.entries(settings)) {
		if (value !== undefined) (result as unknown as Record<string, unknown>)[key] = value;
	}
	return result;
}

/** Runs a workflow through n8n-core's WorkflowExecute and returns the IRun with accessors. */
export async function runWorkflow(opts: RunWorkflowOptions): Promise<RunResult> {
	const mode = opts.mode ?? (opts.retryOf ? 'retry' : 'manual');
	const executionId = opts.executionId === null ? undefined : (opts.executionId ?? nextExecutionId());
	const workflowId = opts.workflowId ?? 'engineHarnessWf1';
	await ensureTypesFor([...opts.nodes.map((n) => n.type), ...Object.keys(opts.credentials ?? {})]);

	// n8n's Retry runs the same workflow: its nodes keep their ids.
	const nodes = opts.nodes.map((node, index) => toINode({ ...node, id: node.id ?? opts.retryOf?.nodeIds[node.name] }, index));
	const connections = opts.connections ?? linearConnections(opts.nodes);
	const settings = { executionOrder: 'v1' as const, ...(opts.settings ?? {}) };
	const workflow = new Workflow({
		id: workflowId,
		name: 'Engine harness workflow',
		nodes,
		connections,
		active: false,
		nodeTypes,
		settings,
		staticData: {},
	});

	const startNode = opts.startNode
		? workflow.getNode(opts.startNode)
		: nodes.map((n) => workflow.getNode(n.name)).find(
				(n) => n !== null && !n.disabled && !(workflow.connectionsByDestinationNode[n.name]?.main ?? []).some((c) => c?.length),
			);
	if (!startNode) throw new Error('runWorkflow: no start node (every node has an incoming connection?)');

	const now = new Date();
	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: 'Engine harness workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: now,
		updatedAt: now,
		nodes,
		connections,
		settings,
	};
	const hooks = new ExecutionLifecycleHooks(mode, executionId ?? '', workflowData);
	const nodeExecutionOrder: string[] = [];
	let hookRun: IRun | undefined;
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		nodeExecutionOrder.push(nodeName);
	});
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => {
		hookRun = fullRunData;
	});

	const credentialsHelper = new TestCredentialsHelper(opts.credentials ?? {});
	const additionalData = createAdditionalData({ credentialsHelper, executionId, hooks, workflowId });
	const storedContexts = opts.retryOf?.run.data.executionData?.contextData;
	const runExecutionData: IRunExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [[{ json: {} }]] }, source: null }],
			...(storedContexts && { contextData: structuredClone(storedContexts) }),
		},
	});

	const bookmark = logCount();
	const startedAt = new Date();
	let run: IRun;
	try {
		const returned = await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
		run = hookRun ?? returned;
	} catch (error) {
		// processRunExecutionData() throws before running anything when the workflow has issues
		// (WorkflowHasIssuesError, e.g. a required parameter left empty); n8n's server records that as a failed execution.
		const e = error as Error;
		runExecutionData.resultData.error = { ...(e as object), message: e.message, stack: e.stack } as never;
		run = { data: runExecutionData, mode, startedAt, stoppedAt: new Date(), status: 'error', storedAt: 'db' } as IRun;
	}

	const runData = run.data.resultData.runData;
	const ranNodes = () => Object.keys(runData).join(', ') || 'none';
	const task = (nodeName: string, runIndex: number): ITaskData => {
		const entry = runData[nodeName]?.[runIndex];
		if (!entry) {
			const workflowError = run.data.resultData.error?.message;
			throw new Error(
				`Node "${nodeName}" has no run ${runIndex} (nodes that ran: ${ranNodes()}; status ${run.status}` +
					(workflowError ? `; error: ${workflowError}` : '') +
					')',
			);
		}
		return entry;
	};

	return {
		run,
		status: run.status,
		output: (nodeName, runIndex = 0) => task(nodeName, runIndex).data?.main?.[0] ?? [],
		errorOutput(nodeName, runIndex = 0) {
			if (workflow.getNode(nodeName)?.onError !== 'continueErrorOutput') return undefined;
			const main = task(nodeName, runIndex).data?.main ?? [];
			return main.length > 1 ? (main[main.length - 1] ?? []) : [];
		},
		error: toError(run.data.resultData.error),
		nodeError: (nodeName, runIndex = 0) => toError(task(nodeName, runIndex).error),
		runCount: (nodeName) => runData[nodeName]?.length ?? 0,
		logs: logTextsSince(bookmark),
		nodeExecutionOrder,
		nodeIds: Object.fromEntries(nodes.map((node) => [node.name, node.id])),
		executionId,
	};
}

/** [Items source -> 'Stripe' node with the credential attached]; `settings` go onto the Stripe node. */
export function itemsThenStripe(
	items: object[],
	stripeParameters: Record<string, unknown>,
	settings?: Partial<TestNode>,
): TestNode[] {
	return [
		{ name: 'Items', type: ITEMS_NODE_TYPE, parameters: { items: JSON.stringify(items) } },
		{
			name: 'Stripe',
			type: NODE_TYPE,
			parameters: stripeParameters,
			credentials: { [CREDENTIAL_TYPE]: { ...TEST_CREDENTIAL } },
			...settings,
		},
	];
}

/**
 * Calls the node's methods.listSearch[methodName] as n8n's server does (DynamicNodeParametersService
 * .getResourceLocatorResults): a one-node workflow 'Temp-Node' with the credential attached, a real
 * LoadOptionsContext, additionalData.currentNodeParameters = nodeParameters.
 */
export async function searchList(
	methodName: string,
	credentials: ICredentialDataDecryptedObject,
	filter?: string,
	paginationToken?: string,
	nodeParameters: Record<string, unknown> = {},
	options: { nodeType?: string; credentialType?: string; path?: string } = {},
): Promise<INodeListSearchResult> {
	const nodeType = options.nodeType ?? NODE_TYPE;
	const credentialType = options.credentialType ?? CREDENTIAL_TYPE;
	await ensureTypesFor([nodeType, credentialType]);
	const version = latestVersion(nodeType);
	const type = nodeTypes.getByNameAndVersion(nodeType, version);
	const method = type.methods?.listSearch?.[methodName];
	if (typeof method !== 'function') {
		throw new Error(
			`Node type ${nodeType} has no listSearch method "${methodName}" (has: ${Object.keys(type.methods?.listSearch ?? {}).join(', ') || 'none'})`,
		);
	}
	const currentNodeParameters = JSON.parse(JSON.stringify(nodeParameters)) as INodeParameters;
	const node: INode = {
		parameters: JSON.parse(JSON.stringify(nodeParameters)) as INodeParameters,
		id: 'uuid-1234',
		name: 'Temp-Node',
		type: nodeType,
		typeVersion: version,
		position: [0, 0],
		credentials: { [credentialType]: { ...TEST_CREDENTIAL } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = createAdditionalData({
		credentialsHelper: new TestCredentialsHelper({ [credentialType]: credentials }),
		currentNodeParameters,
	});
	const context = new LoadOptionsContext(workflow, workflow.nodes['Temp-Node'], additionalData, options.path ?? 'parameters.customer');
	return await method.call(context, filter, paginationToken);
}

const NO_OP_DESCRIPTION: INodeTypeDescription = {
	displayName: 'No Operation, do nothing',
	name: 'n8n-nodes-base.noOp',
	group: ['organization'],
	version: 1,
	description: 'No Operation',
	defaults: { name: 'No Operation, do nothing' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	properties: [],
};

/**
 * Runs the credential's `test` request as n8n's CredentialsTester.testCredentials() does: defaults applied and
 * expressions resolved (applyDefaultsAndOverwrites), a temp 'n8n-nodes-base.noOp' node whose only property routes
 * the test request, a real ExecuteContext + RoutingNode (so `authenticate` and n8n's HTTP stack run), then
 * non-2xx responses and `rules` are judged the same way.
 */
export async function testCredential(
	data: ICredentialDataDecryptedObject,
	credentialType: string = CREDENTIAL_TYPE,
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	await ensureTypesFor([credentialType]);
	const type = credentialTypes.getByName(credentialType);
	if (!type.test) return { status: 'Error', message: 'No testing function found for this credential.' };
	const testRequest: ICredentialTestRequest = type.test;

	const credentialsHelper = new TestCredentialsHelper({ [credentialType]: data });
	const credentialsDecrypted: ICredentialsDecrypted = {
		id: 'cred-under-test',
		name: 'Credential under test',
		type: credentialType,
		data: { ...data },
	};
	try {
		credentialsDecrypted.data = await credentialsHelper.applyDefaultsAndOverwrites(
			createAdditionalData({ credentialsHelper }),
			credentialsDecrypted.data!,
			credentialType,
			'internal',
		);
	} catch (error) {
		return { status: 'Error', message: (error as Error).message.toString() };
	}

	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: NO_OP_DESCRIPTION.name,
		typeVersion: 1,
		position: [0, 0],
		credentials: { [credentialType]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	const nodeTypeCopy: INodeType = {
		description: {
			...NO_OP_DESCRIPTION,
			credentials: [{ name: credentialType, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: testRequest.request }, default: '' },
			],
		},
	};
	const mockNodeTypes: INodeTypes = {
		getKnownTypes: () => ({}),
		getByName: () => nodeTypeCopy,
		getByNameAndVersion: () => NodeHelpers.getVersionedNodeType(nodeTypeCopy),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: mockNodeTypes });
	const inputData: ITaskDataConnections = { main: [[{ json: {} }]] };
	const runExecutionData = createRunExecutionData({ executionData: null });
	const executeData: IExecuteData = { node, data: {}, source: null };
	const context = new ExecuteContext(
		workflow,
		node,
		createAdditionalData({ credentialsHelper }),
		'internal',
		runExecutionData,
		0,
		[],
		inputData,
		executeData,
		[],
	);
	const routingNode = new RoutingNode(context, nodeTypeCopy, credentialsDecrypted);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await routingNode.runNode();
	} catch (caught) {
		const error = caught as Error & { cause?: { response?: { status: number; statusText?: string }; code?: string } };
		Container.get(ErrorReporter).error(error);
		if (error.cause?.response) {
			const statusCode = error.cause.response.status;
			const statusMessage = error.cause.response.statusText;
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && statusCode === rule.properties.value) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (statusCode < 199 || statusCode > 299) {
				return { status: 'Error', message: statusMessage || `Received HTTP status code: ${statusCode}` };
			}
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: error.message.toString() };
	}

	for (const rule of testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			const responseData = response?.[0]?.[0]?.json;
			if (getPath(responseData, rule.properties.key) === rule.properties.value) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

function getPath(value: unknown, keyPath: string): unknown {
	let current = value;
	for (const key of keyPath.replace(/\[(\w+)\]/g, '.$1').split('.').filter(Boolean)) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

/**
 * What PackageDirectoryLoader registered for the built package (loads it on first use; throws with a hint to
 * run `npm run build` when dist/ is missing).
 */
export function loadedPackage(): {
	packageName: string;
	nodeTypes: string[];
	credentialTypes: string[];
	nodeDescription(type: string): INodeTypeDescription;
	credential(type: string): ICredentialType;
	iconPaths: IconPath[];
	loader: LoadedPackage['loader'];
} {
	return loadPackageSync(PACKAGE_ROOT);
}

/** Every log line recorded so far in this module registry (e.g. around searchList/testCredential calls). */
export function capturedLogs(): string[] {
	return logTextsSince(0);
}
