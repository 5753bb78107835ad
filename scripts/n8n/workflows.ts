/**
 * Builders for n8n workflow and credential JSON (the format `n8n import:workflow` / `import:credentials` take),
 * so tests and scripts describe workflows in a few typed lines. Add an operation: a function in `stripe` below that
 * returns the node's parameters, using the public parameter names of docs/ARCHITECTURE.md.
 *
 *   const wf = new WorkflowBuilder('e2eCreditBalance', 'Credit balances');
 *   wf.chain(manualTrigger(), itemsNode('CRM export', rows), stripeNode('Credit', stripe.create({...}), { credential }));
 *   await n8n.importWorkflows([wf.build()]);
 */
import { randomUUID } from 'node:crypto';

export const PACKAGE_NAME = 'n8n-nodes-stripe-customer-balance';
export const NODE_NAME = 'stripeCustomerBalance';
/** The node's type inside n8n: `<package name>.<node name>`. */
export const NODE_TYPE = `${PACKAGE_NAME}.${NODE_NAME}`;
export const CREDENTIAL_TYPE = 'stripeCustomerBalanceApi';
export const TRIGGER_NODE_TYPE = `${PACKAGE_NAME}.stripeCustomerBalanceTrigger`;

export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: OnError;
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	alwaysOutputData?: boolean;
	executeOnce?: boolean;
	disabled?: boolean;
	notes?: string;
	/** Webhook nodes: the id n8n registers the webhook under. */
	webhookId?: string;
}

export interface Connection {
	node: string;
	type: 'main';
	index: number;
}

export interface WorkflowJson {
	id: string;
	name: string;
	active: boolean;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Connection[][] }>;
	settings: { executionOrder: 'v1'; [key: string]: unknown };
	pinData?: Record<string, unknown>;
	meta?: Record<string, unknown>;
	tags?: unknown[];
}

export interface CredentialJson {
	id: string;
	name: string;
	type: string;
	/** Plain object: `n8n import:credentials` encrypts it with the instance's key. */
	data: Record<string, unknown>;
}

export interface CredentialRef {
	id: string;
	name: string;
}

export interface StripeCredentialInput {
	id?: string;
	name?: string;
	secretKey: string;
	baseUrl?: string;
}

/** A `stripeCustomerBalanceApi` credential (default id `stripeCbSandbox1`, base URL https://api.stripe.com). */
export function stripeCredential(input: StripeCredentialInput): CredentialJson {
	return {
		id: input.id ?? 'stripeCbSandbox1',
		name: input.name ?? 'Stripe Customer Balance (sandbox)',
		type: CREDENTIAL_TYPE,
		data: { secretKey: input.secretKey, baseUrl: input.baseUrl ?? 'https://api.stripe.com' },
	};
}

export function credentialRef(credential: CredentialJson | CredentialRef): CredentialRef {
	return { id: credential.id, name: credential.name };
}

/** A workflow under construction: nodes are laid out left to right as they are added. */
export class WorkflowBuilder {
	private readonly nodes: WorkflowNode[] = [];
	private readonly connections: WorkflowJson['connections'] = {};

	/**
	 * `id`: up to 21 characters (n8n's limit for CLI ids); 16 alphanumerics like n8n's own are safest, and a workflow
	 * with a trigger that keeps state needs them: n8n 1.x saves a workflow's static data only for ids of at most 16.
	 */
	constructor(
		readonly id: string,
		readonly name: string,
	) {
		if (!/^[A-Za-z0-9]{1,21}$/.test(id)) throw new Error(`workflow id ${id}: use 1-21 letters and digits`);
	}

	/** Adds a node (positioned after the last one unless it has a position) and returns its name. */
	add(node: WorkflowNode, row = 0): string {
		if (this.nodes.some((n) => n.name === node.name)) throw new Error(`duplicate node name ${node.name}`);
		const placed = node.position[0] === 0 && node.position[1] === 0 && this.nodes.length > 0;
		this.nodes.push(placed ? { ...node, position: [this.nodes.length * 240, row * 200] } : node);
		return node.name;
	}

	/** Connects output `output` of `from` to input `input` of `to`. */
	connect(from: string, to: string, output = 0, input = 0): this {
		for (const name of [from, to]) if (!this.nodes.some((n) => n.name === name)) throw new Error(`no node ${name}`);
		const outputs = (this.connections[from] ??= { main: [] }).main;
		while (outputs.length <= output) outputs.push([]);
		outputs[output].push({ node: to, type: 'main', index: input });
		return this;
	}

	/** Adds the nodes that aren't in the workflow yet and connects them one after the other. */
	chain(...nodes: Array<WorkflowNode | string>): this {
		const names = nodes.map((n) => (typeof n === 'string' ? n : this.nodes.some((x) => x.name === n.name) ? n.name : this.add(n)));
		for (let i = 1; i < names.length; i++) this.connect(names[i - 1], names[i]);
		return this;
	}

	build(): WorkflowJson {
		return {
			id: this.id,
			name: this.name,
			active: false,
			nodes: this.nodes.map((n) => ({ ...n })),
			connections: JSON.parse(JSON.stringify(this.connections)) as WorkflowJson['connections'],
			settings: { executionOrder: 'v1' },
			pinData: {},
		};
	}
}

function nodeId(): string {
	return randomUUID();
}

/** The Manual Trigger (`n8n execute` needs a Manual Trigger or an Execute Workflow Trigger first). */
export function manualTrigger(name = 'When clicking ‘Execute workflow’'): WorkflowNode {
	return { id: nodeId(), name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
}

/**
 * A Webhook trigger for POST /webhook/<path>. With `lastNode` the HTTP reply waits for the execution and carries the
 * last node's first item (500 when the execution fails); a published workflow answers at /webhook/<path>.
 */
export function webhookNode(name: string, path: string, responseMode: 'lastNode' | 'onReceived' = 'lastNode'): WorkflowNode {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		parameters: { httpMethod: 'POST', path, responseMode, options: {} },
		webhookId: randomUUID(),
	};
}

/** Split Out: one item per element of the list at `field` (dot notation, e.g. body.credits). */
export function splitOutNode(name: string, field: string): WorkflowNode {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.splitOut',
		typeVersion: 1,
		position: [0, 0],
		parameters: { fieldToSplitOut: field, include: 'noOtherFields', options: {} },
	};
}

/** No Operation: passes its items on (a baseline for what n8n itself costs per execution). */
export function noOpNode(name: string): WorkflowNode {
	return { id: nodeId(), name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [0, 0], parameters: {} };
}

/** A Code node (JavaScript, run once for all items). */
export function codeNode(name: string, jsCode: string): WorkflowNode {
	return { id: nodeId(), name, type: 'n8n-nodes-base.code', typeVersion: 2, position: [0, 0], parameters: { jsCode } };
}

/** A Code node that outputs these items (e.g. rows of a CRM export). */
export function itemsNode(name: string, rows: ReadonlyArray<object>): WorkflowNode {
	return codeNode(name, `// Rows as a CRM export would deliver them\nreturn ${JSON.stringify(rows, null, 2)}.map((json) => ({ json }));`);
}

export interface StripeNodeSettings {
	credential: CredentialRef;
	/** The node's version; default 1 (what workflows saved before version 2 hold). */
	typeVersion?: number;
	onError?: OnError;
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	alwaysOutputData?: boolean;
	executeOnce?: boolean;
	notes?: string;
}

/** A Stripe Customer Balance node with the given parameters (from `stripe.*`). */
export function stripeNode(name: string, parameters: Record<string, unknown>, settings: StripeNodeSettings): WorkflowNode {
	const { credential, typeVersion = 1, ...rest } = settings;
	const node: WorkflowNode = {
		id: nodeId(),
		name,
		type: NODE_TYPE,
		typeVersion,
		position: [0, 0],
		parameters,
		credentials: { [CREDENTIAL_TYPE]: credentialRef(credential) },
	};
	for (const [key, value] of Object.entries(rest)) if (value !== undefined) (node as unknown as Record<string, unknown>)[key] = value;
	return node;
}

/**
 * The Stripe Customer Balance Trigger. Its webhook id is fixed by the caller, so a test knows the endpoint URL n8n
 * gives Stripe: <webhook base>/webhook/<webhookId>/webhook.
 */
export function balanceTriggerNode(
	name: string,
	settings: { credential: CredentialRef; webhookId: string; changes?: 'any' | 'credits' | 'debits'; typeVersion?: number; causes?: string[] },
): WorkflowNode {
	return {
		id: nodeId(),
		name,
		type: TRIGGER_NODE_TYPE,
		typeVersion: settings.typeVersion ?? 1,
		position: [0, 0],
		parameters: { event: 'balanceChanged', changes: settings.changes ?? 'any', ...(settings.causes ? { causes: settings.causes } : {}) },
		credentials: { [CREDENTIAL_TYPE]: credentialRef(settings.credential) },
		webhookId: settings.webhookId,
	};
}

/** HTTP Request (version 4.2, in n8n 1.x and 2.x): POSTs each item as JSON to `url`, as a chat or CRM hook would take it. */
export function postItemNode(name: string, url: string): WorkflowNode {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [0, 0],
		parameters: { method: 'POST', url, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: {} },
	};
}

/** The `customer` resource locator. `value` may be an expression: '={{ $json.customerId }}'. */
export function customerLocator(value: string, mode: 'id' | 'url' | 'list' | 'email' = 'id'): { __rl: true; mode: string; value: string } {
	return { __rl: true, mode, value };
}

export interface MetadataPair {
	key: string;
	value: string;
}

function metadataCollection(metadata: MetadataPair[] | undefined): { metadataValues: MetadataPair[] } | undefined {
	return metadata?.length ? { metadataValues: metadata } : undefined;
}

function compact(object: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/** Options shared by the operations (Options collection); only what is set is written. */
export interface StripeOptions {
	idempotencyKey?: string;
	stripeAccount?: string;
	apiVersion?: string;
	maxRetries?: number;
	timeout?: number;
	concurrency?: number;
	maxRequestsPerSecond?: number;
	amountFormat?: 'smallestUnit' | 'decimal';
	direction?: 'signed' | 'credit' | 'debit';
	expand?: string[];
	/** Create and Update: Check Only (Send Nothing). */
	checkOnly?: boolean;
	/** Create: guardrails on money (no expression). */
	maxAmount?: number;
	maxTotalPerExecution?: number;
	allowAnyCurrency?: boolean;
	/** Create: how many days back a key keeps applying once (0: the customer's whole history). */
	lookBackDays?: number;
}

/** Parameters of each operation of the node. Strings may be expressions ('={{ … }}'). */
export const stripe = {
	create(p: {
		customer: string;
		/** Version 2 only: 'credit' (its default), 'debit' or 'signed'. */
		direction?: 'signed' | 'credit' | 'debit';
		amount: number | string;
		currency: string;
		description?: string;
		metadata?: MetadataPair[];
		expand?: string[];
		options?: StripeOptions;
	}): Record<string, unknown> {
		return {
			resource: 'customerBalanceTransaction',
			operation: 'create',
			customer: customerLocator(p.customer),
			...(p.direction ? { direction: p.direction } : {}),
			amount: p.amount,
			currency: p.currency,
			additionalFields: compact({ description: p.description, expand: p.expand, metadata: metadataCollection(p.metadata) }),
			options: compact({ ...p.options }),
		};
	},
	get(p: { customer: string; transactionId: string; options?: StripeOptions }): Record<string, unknown> {
		return {
			resource: 'customerBalanceTransaction',
			operation: 'get',
			customer: customerLocator(p.customer),
			transactionId: p.transactionId,
			options: compact({ ...p.options }),
		};
	},
	update(p: {
		customer: string;
		transactionId: string;
		description?: string;
		metadata?: MetadataPair[];
		options?: StripeOptions;
	}): Record<string, unknown> {
		return {
			resource: 'customerBalanceTransaction',
			operation: 'update',
			customer: customerLocator(p.customer),
			transactionId: p.transactionId,
			updateFields: compact({ description: p.description, metadata: metadataCollection(p.metadata) }),
			options: compact({ ...p.options }),
		};
	},
	getAll(p: {
		customer: string;
		returnAll?: boolean;
		limit?: number;
		filters?: { createdAfter?: string; createdBefore?: string; invoice?: string };
		options?: StripeOptions;
	}): Record<string, unknown> {
		return compact({
			resource: 'customerBalanceTransaction',
			operation: 'getAll',
			customer: customerLocator(p.customer),
			returnAll: p.returnAll ?? false,
			limit: p.returnAll ? undefined : (p.limit ?? 50),
			filters: compact({ ...p.filters }),
			options: compact({ ...p.options }),
		});
	},
	getBalance(p: { customer: string; options?: StripeOptions }): Record<string, unknown> {
		return {
			resource: 'customer',
			operation: 'getBalance',
			customer: customerLocator(p.customer),
			options: compact({ ...p.options }),
		};
	},
};

/** Replaces every credential reference of a credential type in a workflow (e.g. an example pointed at the sandbox). */
export function withCredential(workflow: WorkflowJson, credential: CredentialRef, type = CREDENTIAL_TYPE): WorkflowJson {
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node.credentials?.[type] ? { ...node, credentials: { ...node.credentials, [type]: credentialRef(credential) } } : node,
		),
	};
}

/** A node of a workflow by name (throws when missing). */
export function findNode(workflow: WorkflowJson, name: string): WorkflowNode {
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`workflow ${workflow.id} has no node "${name}" (has: ${workflow.nodes.map((n) => n.name).join(', ')})`);
	return node;
}
