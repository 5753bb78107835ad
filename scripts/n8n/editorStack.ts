/**
 * What `npm run dev` and the browser test open the editor on: the Stripe sandbox with CRM-like customers, the real
 * n8n with the packed package installed (as n8n's Community Nodes installer does), a credential pointing at the
 * sandbox, the example workflow, and an owner account. The package must be built first (`npm run build`).
 *
 *   const stack = await startEditorStack({ runtime, owner });   // fresh temp user folder unless `userFolder`
 *   stack.editorUrl; stack.sandbox; stack.example.id;
 *   await stack.reinstall();                                     // after a rebuild: pack, reinstall, restart n8n
 *   await stack.stop();                                          // n8n, sandbox, temp folders; idempotent
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandbox, type Sandbox } from '../../test/sandbox';
import { EXAMPLE_CREDENTIAL, loadExampleWorkflow, otherExampleWorkflows, readCrmRows } from './example';
import { N8nInstance } from './instance';
import { packPackage } from './package';
import { registerSecret, withTimeout } from './proc';
import type { N8nRuntime } from './runtime';
import type { N8nServer, OwnerAccount } from './server';
import { stripeCredential, type CredentialRef, type WorkflowJson } from './workflows';

/** Customers the example's CRM rows don't name, so that the picker has more to show (two of them match "acme"). */
export const EXTRA_CUSTOMERS = [
	{ id: 'cus_DevAcmeIncUS006', name: 'Acme Inc', email: 'payables@acme-inc.example' },
	{ id: 'cus_DevUmbrella0004', name: 'Umbrella Corp', email: 'accounts@umbrella.example' },
	{ id: 'cus_DevHooli0000005', name: 'Hooli Inc', email: 'billing@hooli.example' },
];

export interface EditorStackOptions {
	runtime: N8nRuntime;
	owner: OwnerAccount;
	/** N8N_USER_FOLDER to keep between runs (dev). Default: a fresh temp folder, removed by stop(). */
	userFolder?: string;
	/** Default: a free port. */
	port?: number;
	listenAddress?: string;
	sandboxPort?: number;
	credentialName?: string;
	/** A tarball already packed from this build (the browser suite's, packed once per jest run); default: pack it here. */
	tarball?: string;
	onLog?: (line: string) => void;
	/** Progress reporting around each step (dev prints them); default: just runs it. */
	step?: <T>(title: string, fn: () => Promise<T>) => Promise<T>;
}

export interface EditorStack {
	sandbox: Sandbox;
	n8n: N8nInstance;
	server: N8nServer;
	/** http://localhost:<port>: the editor's own base URL (n8n's cookies are set for it). */
	editorUrl: string;
	example: WorkflowJson;
	credential: CredentialRef;
	/** Every customer the sandbox holds, in creation order. */
	customers: Array<{ id: string; name: string; email: string }>;
	/** Set when a kept user folder's owner could not log in (its password was changed in the editor). */
	ownerProblem?: string;
	/** Packs the current build, reinstalls it and restarts n8n. */
	reinstall(): Promise<void>;
	/** Stops n8n and the sandbox and removes temp folders. Safe to call more than once, and after a failed start. */
	stop(): Promise<void>;
}

const runStep = async <T>(_title: string, fn: () => Promise<T>): Promise<T> => await fn();

function sandboxCustomers(example: WorkflowJson): EditorStack['customers'] {
	const byId = new Map<string, { id: string; name: string; email: string }>();
	for (const row of readCrmRows(example)) byId.set(row.customerId, { id: row.customerId, name: row.customerName, email: row.email });
	for (const customer of EXTRA_CUSTOMERS) byId.set(customer.id, customer);
	return [...byId.values()];
}

export async function startEditorStack(options: EditorStackOptions): Promise<EditorStack> {
	const step = options.step ?? runStep;
	const example = loadExampleWorkflow();
	const customers = sandboxCustomers(example);
	const credential = { id: EXAMPLE_CREDENTIAL.id, name: options.credentialName ?? EXAMPLE_CREDENTIAL.name };
	let sandbox: Sandbox | undefined;
	let n8n: N8nInstance | undefined;
	let server: N8nServer | undefined;
	let packDir: string | undefined;
	let ownerProblem: string | undefined;

	const stop = async () => {
		await server?.stop();
		await n8n?.dispose();
		if (packDir) await rm(packDir, { recursive: true, force: true });
		if (sandbox) await withTimeout(sandbox.close(), 2000);
	};
	const start = async () => {
		server = await n8n!.start({ port: options.port, listenAddress: options.listenAddress, onLog: options.onLog });
	};
	const install = async () => {
		await n8n!.installTarball(options.tarball ?? (await packPackage(packDir!)).tarball);
	};

	try {
		sandbox = await step('Starting the Stripe sandbox', async () => {
			const started = await startSandbox({ host: '127.0.0.1', port: options.sandboxPort ?? 0 });
			registerSecret(started.secretKey);
			for (const customer of customers) started.createCustomer(customer);
			return started;
		});

		const fresh = !options.userFolder || !existsSync(join(options.userFolder, '.n8n', 'database.sqlite'));
		n8n = await N8nInstance.create({ runtime: options.runtime, userFolder: options.userFolder });
		packDir = await mkdtemp(join(tmpdir(), 'stripe-cb-editor-'));
		await step('Packing and installing the package into n8n', install);
		// The sandbox listens on a new port each time, so the credential is imported (upserted by id) every time.
		await step('Importing the sandbox credential', async () =>
			n8n!.importCredentials([stripeCredential({ ...credential, secretKey: sandbox!.secretKey, baseUrl: sandbox!.url })]),
		);
		if (fresh) await step('Importing the example workflows', async () => n8n!.importWorkflows([example, ...otherExampleWorkflows()]));
		await step(`Starting n8n${options.port ? ` on port ${options.port}` : ''}`, start);
		try {
			await server!.client().ensureOwner(options.owner);
		} catch (error) {
			if (fresh) throw error;
			ownerProblem = (error as Error).message;
		}
	} catch (error) {
		await stop();
		throw error;
	}

	return {
		sandbox: sandbox!,
		n8n: n8n!,
		get server() {
			return server!;
		},
		get editorUrl() {
			return `http://localhost:${server!.port}`;
		},
		example,
		credential,
		customers,
		ownerProblem,
		reinstall: async () => {
			const packed = await packPackage(packDir!);
			await server?.stop();
			await n8n!.installTarball(packed.tarball);
			await start();
		},
		stop,
	};
}
