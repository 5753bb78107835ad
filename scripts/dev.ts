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
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';

import {
	REPO_ROOT,
	installSignalHandlers,
	isPortFree,
	mask,
	run,
	startEditorStack,
	tail,
	type EditorStack,
	type OwnerAccount,
} from './n8n';
import { bold, dim, green, provisionWithProgress, red, say, seconds, step, yellow } from './n8n/console';

const PORT = Number(process.env.N8N_DEV_PORT ?? 5678);
const LISTEN = process.env.N8N_DEV_LISTEN_ADDRESS ?? '127.0.0.1';
const USER_FOLDER = join(REPO_ROOT, '.tmp', 'n8n-dev');
const WATCHED = ['nodes', 'credentials', 'icons'];
const DEBOUNCE_MS = 400;
const OWNER: OwnerAccount = { email: 'dev@example.com', password: 'Dev-Passw0rd-1', firstName: 'Dev', lastName: 'Owner' };

async function build(): Promise<void> {
	const result = await run('npm', ['run', 'build'], { cwd: REPO_ROOT, timeoutMs: 5 * 60_000 });
	if (result.code !== 0) throw new Error(`npm run build failed:\n${tail(result.stdout + result.stderr, 40)}`);
}

async function main(): Promise<void> {
	let stack: EditorStack | undefined;
	const watchers: FSWatcher[] = [];
	installSignalHandlers(async () => {
		for (const w of watchers) w.close();
		await stack?.stop();
	});

	const runtime = await provisionWithProgress();
	if (!(await isPortFree(PORT, LISTEN === '0.0.0.0' ? '0.0.0.0' : '127.0.0.1'))) {
		throw new Error(`port ${PORT} is in use (another n8n?). Stop it or set N8N_DEV_PORT.`);
	}
	await step('Building the package (tsc + gulp)', build);
	if (process.env.DEV_FRESH) await rm(USER_FOLDER, { recursive: true, force: true });
	stack = await startEditorStack({
		runtime,
		owner: OWNER,
		userFolder: USER_FOLDER,
		port: PORT,
		listenAddress: LISTEN,
		sandboxPort: Number(process.env.SANDBOX_PORT ?? 0),
		credentialName: 'Stripe sandbox (dev)',
		onLog: process.env.DEV_QUIET ? undefined : (line) => line.trim() && say(dim(`[n8n] ${line}`)),
		step,
	});
	if (stack.ownerProblem) say(yellow(`Could not log in as ${OWNER.email} (changed the password?): ${stack.ownerProblem}`));

	const url = stack.editorUrl;
	say('');
	say(bold(`n8n editor: ${url}`) + dim(`   (log in as ${OWNER.email} / ${OWNER.password})`));
	say(`Example workflow: ${url}/workflow/${stack.example.id}`);
	say(
		dim(
			`Stripe sandbox: ${stack.sandbox.url}, key ${mask(stack.sandbox.secretKey)}, customers ` +
				stack.customers.map((c) => c.id).join(', '),
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
			await step('Reinstalling into n8n and restarting it', async () => await stack!.reinstall());
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
