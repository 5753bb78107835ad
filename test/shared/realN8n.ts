/**
 * The fixture of the suites that run the real n8n (test/e2e, test/queue): a local Stripe sandbox, and an n8n with the
 * package packed once for this jest run (packOnce.ts) installed as n8n's installer does, credentials pointed at the
 * sandbox and the file's workflows imported. It registers jest's beforeAll and afterAll; what it started is read from
 * the object it returns once the file's tests run.
 *
 *   const e2e = useRealN8n({ credentials: [credential], workflows: () => [creditWorkflow()] });
 *   it('credits once', async () => { await e2e.n8n.executeOk(ID); expect(e2e.sandbox.transactions(customer)) … });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	N8nInstance,
	provision,
	registerSecret,
	stripeCredential,
	type CredentialJson,
	type CredentialRef,
	type InstalledPackage,
	type N8nRuntime,
	type PackedPackage,
	type WorkflowJson,
} from '../../scripts/n8n';
import { startSandbox, type Sandbox, type StartSandboxOptions } from '../sandbox';
import { packedPackage } from './packOnce';

export interface RealN8nSetup {
	/** The sandbox's faults and the like (it listens on 127.0.0.1). */
	sandbox?: StartSandboxOptions;
	/** After the sandbox started, before n8n is set up: customers, faults, keys, recorders. */
	prepare?: (sandbox: Sandbox) => void | Promise<void>;
	/** Stripe credentials to import, with the sandbox's secret key and URL. */
	credentials?: CredentialRef[];
	/** Credentials imported as they are (another key, an address nothing listens on, a chat model). */
	otherCredentials?: (sandbox: Sandbox) => CredentialJson[] | Promise<CredentialJson[]>;
	/** The workflows to import, built after `prepare` (they may name what it made). Without them no n8n is set up. */
	workflows?: () => WorkflowJson[];
	/** The n8n to install into; default: one instance in the file's work folder. A queue-mode cluster brings its own. */
	n8n?: (runtime: N8nRuntime) => Promise<{ instance: N8nInstance; stop(): Promise<void> }>;
}

export interface RealN8n {
	readonly sandbox: Sandbox;
	readonly n8n: N8nInstance;
	readonly packed: PackedPackage;
	readonly installed: InstalledPackage;
	/** Another n8n in the work folder with the package installed and the setup's credentials: stopped after the file. */
	addInstance(name: string, workflows: WorkflowJson[]): Promise<N8nInstance>;
	/** A copy of an instance's user folder (a restored backup: same database, key, instance id): stopped after the file. */
	copyInstance(name: string, from: N8nInstance): Promise<N8nInstance>;
}

export function useRealN8n(setup: RealN8nSetup): RealN8n {
	let runtime: N8nRuntime | undefined;
	let sandbox: Sandbox | undefined;
	let workDir: string | undefined;
	let main: { instance: N8nInstance; installed: InstalledPackage } | undefined;
	const stops: Array<() => Promise<void>> = [];
	const packed = packedPackage();

	const credentials = async (): Promise<CredentialJson[]> => [
		...(setup.credentials ?? []).map((credential) => stripeCredential({ ...credential, secretKey: sandbox!.secretKey, baseUrl: sandbox!.url })),
		...((await setup.otherCredentials?.(sandbox!)) ?? []),
	];
	const install = async (instance: N8nInstance, workflows: WorkflowJson[]): Promise<InstalledPackage> => {
		const installed = await instance.installTarball(packed.tarball);
		const imported = await credentials();
		if (imported.length > 0) await instance.importCredentials(imported);
		if (workflows.length > 0) await instance.importWorkflows(workflows);
		return installed;
	};
	const fixture: RealN8n = {
		get sandbox() {
			if (!sandbox) throw new Error('the sandbox is not started (useRealN8n starts it in beforeAll)');
			return sandbox;
		},
		get n8n() {
			if (!main) throw new Error('no n8n set up: give useRealN8n workflows');
			return main.instance;
		},
		packed,
		get installed() {
			if (!main) throw new Error('no n8n set up: give useRealN8n workflows');
			return main.installed;
		},
		async addInstance(name, workflows) {
			const instance = await N8nInstance.create({ runtime: runtime!, userFolder: join(workDir!, name) });
			stops.push(async () => await instance.dispose());
			await install(instance, workflows);
			return instance;
		},
		async copyInstance(name, from) {
			const instance = await from.copyTo(join(workDir!, name));
			stops.push(async () => await instance.dispose());
			return instance;
		},
	};

	beforeAll(async () => {
		runtime = await provision();
		workDir = await mkdtemp(join(tmpdir(), 'stripe-cb-real-n8n-'));
		sandbox = await startSandbox(setup.sandbox);
		registerSecret(sandbox.secretKey);
		await setup.prepare?.(sandbox);
		if (!setup.workflows) return;
		const n8n = setup.n8n ? await setup.n8n(runtime) : await defaultN8n(runtime, workDir);
		stops.push(async () => await n8n.stop());
		main = { instance: n8n.instance, installed: await install(n8n.instance, setup.workflows()) };
	});

	afterAll(async () => {
		for (const stop of stops.reverse()) await stop();
		await sandbox?.close();
		if (workDir) await rm(workDir, { recursive: true, force: true });
	});

	return fixture;
}

async function defaultN8n(runtime: N8nRuntime, workDir: string): Promise<{ instance: N8nInstance; stop(): Promise<void> }> {
	const instance = await N8nInstance.create({ runtime, userFolder: join(workDir, 'n8n') });
	return { instance, stop: async () => await instance.dispose() };
}
