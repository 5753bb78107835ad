/**
 * `npm run dev`: n8n's editor on http://localhost:5678 with this package installed (packed and installed as n8n's
 * Community Nodes installer does), a credential pointing at the local Stripe sandbox (served by this process, with a
 * few CRM-like customers) and the example workflow. Edits in nodes/, credentials/ or icons/ rebuild the package
 * (tsc + gulp), reinstall it and restart n8n; refresh the browser afterwards.
 *
 * The n8n user folder is .tmp/n8n-dev (git-ignored), so workflows you build survive restarts of `npm run dev`;
 * DEV_FRESH=1 starts from scratch. Env: N8N_DEV_PORT (5678), N8N_DEV_LISTEN_ADDRESS (127.0.0.1; 0.0.0.0 to reach it
 * from another machine), SANDBOX_PORT (random), DEV_QUIET=1 (hide n8n's log).
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { startSandbox, type Sandbox } from '../test/sandbox';
import {
	EXAMPLE_CREDENTIAL,
	N8nInstance,
	REPO_ROOT,
	installSignalHandlers,
	isPortFree,
	loadExampleWorkflow,
	mask,
	packPackage,
	readCrmRows,
	registerSecret,
	run,
	stripeCredential,
	tail,
	withTimeout,
	type N8nServer,
	type OwnerAccount,
} from './n8n';
import { bold, dim, green, provisionWithProgress, red, say, seconds, step, yellow } from './n8n/console';

const PORT = Number(process.env.N8N_DEV_PORT ?? 5678);
const LISTEN = process.env.N8N_DEV_LISTEN_ADDRESS ?? '127.0.0.1';
const USER_FOLDER = join(REPO_ROOT, '.tmp', 'n8n-dev');
const WATCHED = ['nodes', 'credentials', 'icons'];
const DEBOUNCE_MS = 400;
const OWNER: OwnerAccount = { email: 'dev@example.com', password: 'Dev-Passw0rd-1', firstName: 'Dev', lastName: 'Owner' };

const EXTRA_CUSTOMERS = [
	{ id: 'cus_DevUmbrella0004', name: 'Umbrella Corp', email: 'accounts@umbrella.example' },
	{ id: 'cus_DevHooli0000005', name: 'Hooli Inc', email: 'billing@hooli.example' },
];

async function build(): Promise<void> {
	const result = await run('npm', ['run', 'build'], { cwd: REPO_ROOT, timeoutMs: 5 * 60_000 });
	if (result.code !== 0) throw new Error(`npm run build failed:\n${tail(result.stdout + result.stderr, 40)}`);
}

async function main(): Promise<void> {
	let sandbox: Sandbox | undefined;
	let server: N8nServer | undefined;
	let packDir: string | undefined;
	const watchers: FSWatcher[] = [];
	const shutdown = async () => {
		for (const w of watchers) w.close();
		await server?.stop();
		if (packDir) await rm(packDir, { recursive: true, force: true });
		if (sandbox) await withTimeout(sandbox.close(), 2000);
	};
	installSignalHandlers(shutdown);

	const runtime = await provisionWithProgress();
	if (!(await isPortFree(PORT, LISTEN === '0.0.0.0' ? '0.0.0.0' : '127.0.0.1'))) {
		throw new Error(`port ${PORT} is in use (another n8n?). Stop it or set N8N_DEV_PORT.`);
	}
	await step('Building the package (tsc + gulp)', build);

	sandbox = await step('Starting the Stripe sandbox', async () => {
		const sb = await startSandbox({ host: '127.0.0.1', port: Number(process.env.SANDBOX_PORT ?? 0) });
		registerSecret(sb.secretKey);
		const seen = new Set<string>();
		for (const row of readCrmRows(loadExampleWorkflow())) {
			if (seen.has(row.customerId)) continue;
			seen.add(row.customerId);
			sb.createCustomer({ id: row.customerId, name: row.customerName, email: row.email });
		}
		for (const customer of EXTRA_CUSTOMERS) sb.createCustomer(customer);
		return sb;
	});

	if (process.env.DEV_FRESH) await rm(USER_FOLDER, { recursive: true, force: true });
	const fresh = !existsSync(join(USER_FOLDER, '.n8n', 'database.sqlite'));
	const n8n = await N8nInstance.create({ runtime, userFolder: USER_FOLDER });
	packDir = await mkdtemp(join(tmpdir(), 'stripe-cb-dev-'));

	const install = async () => {
		const packed = await packPackage(packDir!);
		await n8n.installTarball(packed.tarball);
	};
	const start = async () => {
		server = await n8n.start({
			port: PORT,
			listenAddress: LISTEN,
			onLog: process.env.DEV_QUIET ? undefined : (line) => line.trim() && say(dim(`[n8n] ${line}`)),
		});
	};

	await step('Packing and installing the package into n8n', install);
	// Every session: the sandbox listens on a new port, so the credential is imported (upserted by id) again.
	await step('Importing the sandbox credential', async () =>
		n8n.importCredentials([
			stripeCredential({ ...EXAMPLE_CREDENTIAL, name: 'Stripe sandbox (dev)', secretKey: sandbox!.secretKey, baseUrl: sandbox!.url }),
		]),
	);
	const example = loadExampleWorkflow();
	if (fresh) await step('Importing the example workflow', async () => n8n.importWorkflows([example]));
	await step(`Starting n8n on port ${PORT}`, start);
	try {
		await server!.client().ensureOwner(OWNER);
	} catch (error) {
		say(yellow(`Could not log in as ${OWNER.email} (changed the password?): ${(error as Error).message}`));
	}

	const url = `http://localhost:${PORT}`;
	say('');
	say(bold(`n8n editor: ${url}`) + dim(`   (log in as ${OWNER.email} / ${OWNER.password})`));
	say(`Example workflow: ${url}/workflow/${example.id}`);
	say(
		dim(
			`Stripe sandbox: ${sandbox.url}, key ${mask(sandbox.secretKey)}, customers ` +
				[...new Set(readCrmRows(example).map((r) => r.customerId)), ...EXTRA_CUSTOMERS.map((c) => c.id)].join(', '),
		),
	);
	say(dim(`n8n user folder: ${USER_FOLDER}. Watching ${WATCHED.join('/, ')}/ — Ctrl-C to stop.`));

	let timer: NodeJS.Timeout | undefined;
	let busy = false;
	let pending = false;
	const changed = new Set<string>();
	const reload = async (): Promise<void> => {
		if (busy) {
			pending = true;
			return;
		}
		busy = true;
		const started = Date.now();
		const files = [...changed];
		changed.clear();
		say(yellow(`\nChanged: ${files.slice(0, 5).join(', ')}${files.length > 5 ? ` and ${files.length - 5} more` : ''}`));
		try {
			try {
				await step('Rebuilding', build);
			} catch (error) {
				say(red((error as Error).message));
				say(yellow('n8n keeps running the previous build.'));
				return;
			}
			await step('Reinstalling into n8n and restarting it', async () => {
				const packed = await packPackage(packDir!);
				await server?.stop();
				await n8n.installTarball(packed.tarball);
				await start();
			});
			say(green(`Reloaded in ${seconds(Date.now() - started)}: refresh ${url} in the browser.`));
		} catch (error) {
			say(red(`Reload failed: ${(error as Error).message}`));
		} finally {
			busy = false;
			if (pending) {
				pending = false;
				timer = setTimeout(() => void reload(), DEBOUNCE_MS);
			}
		}
	};

	for (const dir of WATCHED) {
		const abs = join(REPO_ROOT, dir);
		if (!existsSync(abs)) continue;
		watchers.push(
			watch(abs, { recursive: true }, (_event, filename) => {
				if (!filename || !/\.(ts|json|svg|png)$/.test(filename)) return;
				changed.add(relative(REPO_ROOT, join(abs, filename.toString())));
				clearTimeout(timer);
				timer = setTimeout(() => void reload(), DEBOUNCE_MS);
			}),
		);
	}
}

main().catch(async (error: unknown) => {
	say(red(`dev failed: ${error instanceof Error ? error.message : String(error)}`));
	process.exit(1);
});
