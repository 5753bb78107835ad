/**
 * `n8n start` of an instance (N8nHost), and a small client for its REST API (owner setup / login with the session cookie,
 * node and credential type listings, icons, n8n's credential tester).
 */
import { httpCall } from './http';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { answersOk, spawnN8n, type N8nHost } from './n8nProcess';
import { freePort, isPortFree } from './ports';
import { redact, stopChild, waitUntilReady } from './proc';

export interface StartServerOptions {
	/** Default: a free port. */
	port?: number;
	/** Default 127.0.0.1; '0.0.0.0' to reach the editor from other machines. */
	listenAddress?: string;
	/** Each line n8n prints (secrets masked). */
	onLog?: (line: string) => void;
	/** Default 3 minutes. */
	readyTimeoutMs?: number;
	env?: Record<string, string>;
}

export class N8nServer {
	readonly url: string;
	readonly port: number;
	readonly logs: string[] = [];
	readonly startupMs: number;
	private readonly child: ChildProcess;
	private readonly stopListeners: Array<() => void> = [];
	private stopped = false;

	private constructor(child: ChildProcess, port: number, startupMs: number, logs: string[]) {
		this.child = child;
		this.port = port;
		this.url = `http://127.0.0.1:${port}`;
		this.startupMs = startupMs;
		this.logs = logs;
	}

	static async start(host: N8nHost, options: StartServerOptions = {}): Promise<N8nServer> {
		const port = options.port ?? (await freePort());
		if (!(await isPortFree(port, options.listenAddress === '0.0.0.0' ? '0.0.0.0' : '127.0.0.1'))) {
			throw new Error(`port ${port} is already in use (another n8n?)`);
		}
		const started = Date.now();
		const env = {
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: options.listenAddress ?? '127.0.0.1',
			N8N_HOST: 'localhost',
			N8N_EDITOR_BASE_URL: `http://localhost:${port}/`,
			...options.env,
		};
		const spawned = await spawnN8n(host, ['start'], env, { keepLines: 2000, onLine: options.onLog });
		const url = `http://127.0.0.1:${port}`;
		// n8n answers /healthz/readiness once its database is migrated, and registers its REST routes after that
		// (seconds later in 1.x, where a client that starts at once gets 404s): wait for both.
		const ready = async () => (await answersOk(`${url}/healthz/readiness`)) && (await answersOk(`${url}/rest/settings`));
		await waitUntilReady('n8n start', spawned.child, spawned.output, ready, options.readyTimeoutMs);
		return new N8nServer(spawned.child, port, Date.now() - started, spawned.logs);
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	get running(): boolean {
		return !this.stopped && this.child.exitCode === null && this.child.signalCode === null;
	}

	onStop(listener: () => void): void {
		this.stopListeners.push(listener);
	}

	/** SIGTERM (n8n shuts down in 1-2 s), SIGKILL to the process group after 15 s. Idempotent. */
	async stop(): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		await stopChild(this.child, 15_000);
		for (const listener of this.stopListeners) listener();
	}

	/** A REST client for this server (no session yet: call `setupOwner()` or `login()`). */
	client(): N8nRestClient {
		return new N8nRestClient(this.url);
	}
}

export interface OwnerAccount {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

export const DEFAULT_OWNER: OwnerAccount = {
	email: 'owner@example.com',
	password: 'E2e-Owner-Passw0rd',
	firstName: 'E2E',
	lastName: 'Owner',
};

export interface RestResponse<T = unknown> {
	status: number;
	body: T;
	headers: Headers;
}

/** Node type description as n8n lists it in /types/nodes.json (only the fields we look at). */
export interface ListedNodeType {
	name: string;
	displayName: string;
	version: number | number[];
	icon?: string | { light: string; dark: string };
	iconUrl?: string | { light: string; dark: string };
	credentials?: Array<{ name: string; required?: boolean }>;
	properties: Array<{ name: string; [key: string]: unknown }>;
	[key: string]: unknown;
}

export interface ListedCredentialType {
	name: string;
	displayName: string;
	icon?: string | { light: string; dark: string };
	iconUrl?: string | { light: string; dark: string };
	properties: Array<{ name: string; type: string; typeOptions?: Record<string, unknown>; [key: string]: unknown }>;
	test?: unknown;
	supportedNodes?: string[];
	[key: string]: unknown;
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/**
 * The editor's REST API, authenticated like the browser: the `n8n-auth` cookie plus a `browser-id` header
 * (n8n binds the session to it).
 */
export class N8nRestClient {
	readonly baseUrl: string;
	private cookie: string | undefined;
	private readonly browserId = `e2e-${randomUUID()}`;

	constructor(baseUrl: string) {
		this.baseUrl = baseUrl.replace(/\/+$/, '');
	}

	async request<T = unknown>(method: string, path: string, body?: unknown): Promise<RestResponse<T>> {
		const headers: Record<string, string> = { 'browser-id': this.browserId, accept: 'application/json' };
		if (this.cookie) headers.cookie = this.cookie;
		if (body !== undefined) headers['content-type'] = 'application/json';
		const res = await httpCall(`${this.baseUrl}${path}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			timeoutMs: 60_000,
		});
		const setCookie = res.headers.getSetCookie?.() ?? [];
		for (const c of setCookie) {
			const match = /^n8n-auth=([^;]*)/.exec(c);
			if (match) this.cookie = match[1] ? `n8n-auth=${match[1]}` : undefined;
		}
		const text = res.body.toString('utf8');
		let parsed: unknown = text;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			/* not JSON */
		}
		return { status: res.status, body: parsed as T, headers: res.headers };
	}

	private async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await this.request<T>(method, path, body);
		if (res.status < 200 || res.status >= 300) {
			throw new Error(`${method} ${path} -> ${res.status}: ${redact(JSON.stringify(res.body)).slice(0, 500)}`);
		}
		return res.body;
	}

	/** POST /rest/owner/setup (first start of a user folder) and keeps the session cookie. */
	async setupOwner(owner: OwnerAccount = DEFAULT_OWNER): Promise<void> {
		await this.ok('POST', '/rest/owner/setup', owner);
		if (!this.cookie) throw new Error('owner setup returned no n8n-auth cookie');
	}

	/** POST /rest/login and keeps the session cookie. */
	async login(owner: OwnerAccount = DEFAULT_OWNER): Promise<void> {
		await this.ok('POST', '/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		if (!this.cookie) throw new Error('login returned no n8n-auth cookie');
	}

	/** Sets up the owner on a fresh instance, or logs in on an instance that has one. */
	async ensureOwner(owner: OwnerAccount = DEFAULT_OWNER): Promise<void> {
		const settings = await this.ok<{ data: { userManagement?: { showSetupOnFirstLoad?: boolean } } }>('GET', '/rest/settings');
		if (settings.data.userManagement?.showSetupOnFirstLoad) await this.setupOwner(owner);
		else await this.login(owner);
	}

	/** GET /types/nodes.json: every node type description n8n loaded (needs a session). */
	async nodeTypes(): Promise<ListedNodeType[]> {
		return await this.ok<ListedNodeType[]>('GET', '/types/nodes.json');
	}

	/** GET /types/credentials.json (needs a session). */
	async credentialTypes(): Promise<ListedCredentialType[]> {
		return await this.ok<ListedCredentialType[]>('GET', '/types/credentials.json');
	}

	/** GET of a static path (an icon URL from the type listings). */
	async fetchRaw(path: string): Promise<{ status: number; contentType: string | null; body: Buffer }> {
		const res = await httpCall(`${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}`, {
			headers: { 'browser-id': this.browserId, ...(this.cookie ? { cookie: this.cookie } : {}) },
			timeoutMs: 30_000,
		});
		return { status: res.status, contentType: res.headers.get('content-type'), body: res.body };
	}

	/** GET /rest/credentials (the session user's credentials, no data). */
	async credentials(): Promise<Array<{ id: string; name: string; type: string }>> {
		return (await this.ok<{ data: Array<{ id: string; name: string; type: string }> }>('GET', '/rest/credentials')).data;
	}

	/**
	 * A resource locator's "From List" search as the editor runs it (the node's listSearch method, executed by n8n
	 * with the stored credential): POST /rest/dynamic-node-parameters/resource-locator-results.
	 */
	async resourceLocatorResults(p: {
		nodeType: string;
		version?: number;
		path: string;
		methodName: string;
		parameters: Record<string, unknown>;
		credentials: Record<string, { id: string; name: string }>;
		filter?: string;
		paginationToken?: string;
	}): Promise<{ results: Array<{ name: string; value: string; url?: string }>; paginationToken?: unknown }> {
		const body = await this.ok<{ data: { results: Array<{ name: string; value: string; url?: string }>; paginationToken?: unknown } }>(
			'POST',
			'/rest/dynamic-node-parameters/resource-locator-results',
			{
				path: p.path,
				methodName: p.methodName,
				filter: p.filter,
				paginationToken: p.paginationToken,
				nodeTypeAndVersion: { name: p.nodeType, version: p.version ?? 1 },
				currentNodeParameters: p.parameters,
				credentials: p.credentials,
			},
		);
		return body.data;
	}

	/**
	 * n8n's credential tester, as the editor's "Test" button calls it: the stored credential's data (secrets come back
	 * redacted and n8n puts them back server side), optionally with some fields changed (`override`), POSTed to
	 * /rest/credentials/test. n8n runs the credential type's `test` request and answers { status, message }.
	 */
	async testCredential(id: string, override: Record<string, unknown> = {}): Promise<CredentialTestResult> {
		const stored = await this.ok<{ data: { id: string; name: string; type: string; data?: Record<string, unknown> } }>(
			'GET',
			`/rest/credentials/${id}?includeData=true`,
		);
		const { name, type, data } = stored.data;
		const result = await this.ok<{ data: CredentialTestResult }>('POST', '/rest/credentials/test', {
			credentials: { id, name, type, data: { ...(data ?? {}), ...override } },
		});
		return result.data;
	}

	/** GET /rest/workflows/:id (the saved workflow, with the versionId that updates and publishing refer to). */
	async workflow(id: string): Promise<StoredWorkflow> {
		return (await this.ok<{ data: StoredWorkflow }>('GET', `/rest/workflows/${id}`)).data;
	}

	/** PATCH /rest/workflows/:id, as the editor's Save does (the stored versionId guards against lost updates). */
	async saveWorkflow(id: string, change: (workflow: StoredWorkflow) => Partial<StoredWorkflow>): Promise<StoredWorkflow> {
		const stored = await this.workflow(id);
		const body = { ...change(stored), versionId: stored.versionId };
		return (await this.ok<{ data: StoredWorkflow }>('PATCH', `/rest/workflows/${id}`, body)).data;
	}

	/**
	 * Publishes (activates) a saved workflow: its webhooks start answering at /webhook/<path>. Resolves once n8n has
	 * activated its triggers, and throws n8n's error when it could not (n8n 2.x publishes in the background, through
	 * its publication outbox, so the REST call answers first; 1.x activates within the call).
	 */
	async publishWorkflow(id: string): Promise<void> {
		const versionId = await this.setPublished(id, true);
		const settled = await this.settledPublication(id, (status) => status.liveVersionId === versionId || status.status === 'failed');
		if (settled?.status === 'failed' || settled?.status === 'partial') {
			const reasons = settled.triggers.map((trigger) => trigger.errorMessage).filter(Boolean);
			throw new Error(`publishing workflow ${id} failed: ${redact(reasons.join('; '))}`);
		}
	}

	/** Unpublishes (deactivates) a workflow; resolves once n8n has removed its webhooks (its triggers' `delete` ran). */
	async unpublishWorkflow(id: string): Promise<void> {
		await this.setPublished(id, false);
		await this.settledPublication(id, (status) => status.status === 'not_published');
	}

	/**
	 * What the editor does to publish or unpublish; returns the version it applies to. n8n 2.x: POST activate /
	 * deactivate. n8n 1.x's editor saves the workflow with `active` (PATCH), also in 1.123, which has the activate route
	 * too; that route lost a trigger's static data there (its webhook endpoint's secret), so the editor's way is used.
	 */
	private async setPublished(id: string, active: boolean): Promise<string> {
		const { versionId } = await this.workflow(id);
		if (!(await this.hasPublicationService(id))) {
			await this.ok('PATCH', `/rest/workflows/${id}`, { active, versionId });
			return versionId;
		}
		const route = `/rest/workflows/${id}/${active ? 'activate' : 'deactivate'}`;
		const res = await this.request('POST', route, { versionId });
		if (res.status < 200 || res.status >= 300) {
			throw new Error(`POST ${route} -> ${res.status}: ${redact(JSON.stringify(res.body)).slice(0, 500)}`);
		}
		return versionId;
	}

	/** n8n 2.x publishes through its publication service, whose status route n8n 1.x lacks. */
	private async hasPublicationService(id: string): Promise<boolean> {
		return (await this.request('GET', `/rest/workflows/${id}/publication-status`)).status !== 404;
	}

	/**
	 * n8n 2.x: waits until the workflow's publication is no longer in progress and `done` holds. Undefined on n8n 1.x
	 * (no publication status: activation happened within the REST call).
	 */
	private async settledPublication(id: string, done: (status: PublicationStatus) => boolean): Promise<PublicationStatus | undefined> {
		const deadline = Date.now() + 120_000;
		for (;;) {
			const res = await this.request<PublicationStatus | { data: PublicationStatus }>('GET', `/rest/workflows/${id}/publication-status`);
			if (res.status === 404) return undefined;
			const status = 'data' in res.body ? res.body.data : res.body;
			if (status.status !== 'in_progress' && done(status)) return status;
			if (Date.now() > deadline) throw new Error(`workflow ${id}'s publication did not settle in 120 s: ${JSON.stringify(status)}`);
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}

	/** How many executions of one workflow n8n lists, of any status or of the one given. */
	async countExecutions(workflowId: string, status?: string): Promise<number> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId, ...(status ? { status: [status] } : {}) }));
		const body = await this.ok<{ data: { count: number } }>('GET', `/rest/executions?filter=${filter}&limit=1`);
		return body.data.count;
	}

	/** GET /rest/executions of one workflow, newest first (at most 100: see countExecutions). */
	async executions(workflowId: string): Promise<ListedExecution[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const body = await this.ok<{ data: { results: ListedExecution[] } }>('GET', `/rest/executions?filter=${filter}&limit=100`);
		return body.data.results;
	}

	/**
	 * n8n's Retry of a failed execution, as the Executions list offers it: "Retry with currently saved workflow"
	 * (`loadWorkflow: true`) or "Retry with original workflow". n8n answers when the new execution has ended.
	 */
	async retryExecution(executionId: string, loadWorkflow: boolean): Promise<void> {
		await this.ok('POST', `/rest/executions/${executionId}/retry`, { loadWorkflow });
	}

	/**
	 * The editor's "Listen for test event" on a trigger: POST /rest/workflows/:id/run with the trigger to start from.
	 * n8n registers the trigger's test webhook (our node creates its test endpoint) and answers `waitingForWebhook`;
	 * the first event runs the workflow in manual mode, then n8n stops listening. n8n 2.x reads the stored workflow,
	 * n8n 1.x the `workflowData` the editor sends (2.x ignores it).
	 */
	async listenForTestEvent(workflowId: string, triggerName: string): Promise<void> {
		const workflowData = await this.workflow(workflowId);
		const reply = await this.ok<{ data?: { waitingForWebhook?: boolean } }>('POST', `/rest/workflows/${workflowId}/run`, {
			workflowData,
			triggerToStartFrom: { name: triggerName },
		});
		if (reply.data?.waitingForWebhook !== true) throw new Error(`n8n did not start listening for a test event: ${JSON.stringify(reply)}`);
	}
}

export interface StoredWorkflow {
	id: string;
	name: string;
	versionId: string;
	active: boolean;
	nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; [key: string]: unknown }>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

/** n8n 2.x's GET /rest/workflows/:id/publication-status. */
export interface PublicationStatus {
	status: 'in_progress' | 'not_published' | 'published' | 'partial' | 'failed';
	liveVersionId: string | null;
	pendingVersionId: string | null;
	triggers: Array<{ nodeId: string; status: string; errorMessage: string | null }>;
}

export interface ListedExecution {
	id: string;
	status: string;
	mode: string;
	retryOf?: string | null;
	retrySuccessId?: string | null;
	startedAt?: string;
	stoppedAt?: string;
}
